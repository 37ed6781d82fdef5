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

/// <summary>How much one frame's reading counts for a voxel.</summary>
public enum DepthWeighting
{
    /// <summary>Every reading counts 1 (Open3D's legacy volumes): the weight is the number of frames.</summary>
    Constant,

    /// <summary>
    /// A reading at depth z counts min(1, (1 m / z)²), at least <see cref="TsdfIntegratorOptions.MinFrameWeight"/>:
    /// structured-light and time-of-flight depth noise grows about with z², so a wall seen from 4 m does not blur what
    /// was seen from 1 m. Weights are then in units of "readings at 1 m or nearer" (the max-weight cap and the settled
    /// threshold too).
    /// </summary>
    InverseSquare,
}

/// <summary>Options for <see cref="ProjectiveTsdfIntegrator"/>; setters reject out-of-range values.</summary>
public sealed class TsdfIntegratorOptions
{
    public const double DefaultMinIntegrationDistanceMeters = 0.1;
    public const double DefaultMaxIntegrationDistanceMeters = 5.0;
    public const FreeSpaceCarving DefaultCarving = FreeSpaceCarving.ExistingBlocks;
    public const DepthWeighting DefaultDepthWeighting = DepthWeighting.InverseSquare;

    /// <summary>Depth at and below which a reading counts 1 under <see cref="DepthWeighting.InverseSquare"/>.</summary>
    public const double UnitWeightDepthMeters = 1.0;

    /// <summary>The least a reading counts under <see cref="DepthWeighting.InverseSquare"/> (reached at about 4.5 m).</summary>
    public const float MinFrameWeight = 0.05f;

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

    /// <summary>Weight of one reading. Default <see cref="DepthWeighting.InverseSquare"/>.</summary>
    public DepthWeighting DepthWeighting { get; set; } = DefaultDepthWeighting;

    /// <summary>Threads used over blocks and image rows, ≥ 1. Default: all processors.</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be ≥ 1");
    }
}

/// <summary>What one integration did.</summary>
public readonly record struct IntegrationResult(int BlocksAllocated, int BlocksUpdated, long Stamp);
