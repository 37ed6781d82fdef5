namespace AnyRecon.Ros.Voxels;

/// <summary>How free space in front of the measured surface is cleared.</summary>
public enum FreeSpaceCarving
{
    /// <summary>Only blocks near the measured surface are updated; stale surfaces of moved objects stay until re-observed up close.</summary>
    Off,

    /// <summary>
    /// Blocks that already exist and lie in the camera frustum are updated too, so voxels the camera now sees through
    /// move towards "empty" and moved objects are erased. No blocks are allocated for free space, which keeps RAM
    /// proportional to surface area rather than to the volume the camera has looked through.
    /// </summary>
    ExistingBlocks,
}

/// <summary>Options for <see cref="ProjectiveTsdfIntegrator"/>; setters reject out-of-range values.</summary>
public sealed class TsdfIntegratorOptions
{
    public const double DefaultMinIntegrationDistanceMeters = 0.1;
    public const double DefaultMaxIntegrationDistanceMeters = 5.0;
    public const FreeSpaceCarving DefaultCarving = FreeSpaceCarving.ExistingBlocks;

    private double _minDistance = DefaultMinIntegrationDistanceMeters;
    private double _maxDistance = DefaultMaxIntegrationDistanceMeters;
    private int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>Depth readings nearer than this (metres along the optical axis) are ignored. Default 0.1 m.</summary>
    public double MinIntegrationDistanceMeters
    {
        get => _minDistance;
        set => _minDistance = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be ≥ 0 m");
    }

    /// <summary>Depth readings farther than this are ignored: far depth is noisy and allocates many blocks. Default 5 m.</summary>
    public double MaxIntegrationDistanceMeters
    {
        get => _maxDistance;
        set => _maxDistance = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be > 0 m");
    }

    /// <summary>Free-space handling. Default <see cref="FreeSpaceCarving.ExistingBlocks"/>.</summary>
    public FreeSpaceCarving Carving { get; set; } = DefaultCarving;

    /// <summary>Threads used over blocks and image rows, ≥ 1. Default: all processors.</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be ≥ 1");
    }
}

/// <summary>What one integration did.</summary>
public readonly record struct IntegrationResult(int BlocksAllocated, int BlocksUpdated, long Stamp);
