namespace AnyRecon.Ros.Voxels;

/// <summary>
/// How a <see cref="VoxelMemory"/> stores voxels. Fixed for the lifetime of a map (a saved map records them).
/// Setters reject values outside the documented ranges with <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
public sealed class VoxelMemoryOptions
{
    public const double DefaultVoxelSizeMeters = 0.02;
    public const double MinVoxelSizeMeters = 0.01;
    public const double MaxVoxelSizeMeters = 0.05;
    public const int DefaultTruncationVoxels = 4;
    public const float DefaultMaxWeight = 64f;
    public const float DefaultSettledObservedWeight = 4f;
    public const int DefaultMaxBlocksInMemory = int.MaxValue;
    public const double DefaultEvictionLowWaterFraction = 0.9;
    public const double MinEvictionLowWaterFraction = 0.5;

    private double _voxelSizeMeters = DefaultVoxelSizeMeters;
    private int _truncationVoxels = DefaultTruncationVoxels;
    private float _maxWeight = DefaultMaxWeight;
    private float _settledObservedWeight = DefaultSettledObservedWeight;
    private int _maxBlocksInMemory = DefaultMaxBlocksInMemory;
    private double _evictionLowWaterFraction = DefaultEvictionLowWaterFraction;

    /// <summary>Edge length of one voxel, 0.01–0.05 m. Default 0.02 m. A block is 8 voxels wide.</summary>
    public double VoxelSizeMeters
    {
        get => _voxelSizeMeters;
        set => _voxelSizeMeters = value is >= MinVoxelSizeMeters and <= MaxVoxelSizeMeters
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"voxel size must be {MinVoxelSizeMeters}–{MaxVoxelSizeMeters} m");
    }

    /// <summary>
    /// Truncation distance in voxels, 1–16. Default 4. Signed distances are stored divided by it, so stored TSDF values
    /// lie in [−1, 1]; larger values smooth noisy depth but fatten thin objects and allocate more blocks.
    /// </summary>
    public int TruncationVoxels
    {
        get => _truncationVoxels;
        set => _truncationVoxels = value is >= 1 and <= 16
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "truncation must be 1–16 voxels");
    }

    /// <summary>
    /// Cap on a voxel's accumulated weight, &gt; 0. Default 64. A low cap forgets old observations faster (moving
    /// objects fade quickly), a high cap averages out more noise.
    /// </summary>
    public float MaxWeight
    {
        get => _maxWeight;
        set => _maxWeight = value > 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "max weight must be a positive finite number");
    }

    /// <summary>
    /// Observed weight at which a voxel counts as settled by observation, &gt; 0. Default 4 (four frames). Generated
    /// evidence never changes a settled voxel, and extraction ignores generated evidence there.
    /// </summary>
    public float SettledObservedWeight
    {
        get => _settledObservedWeight;
        set => _settledObservedWeight = value > 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "settle weight must be a positive finite number");
    }

    /// <summary>
    /// Block budget in RAM, ≥ 1. Default unbounded. A block that would exceed it first makes room: least recently
    /// used blocks (ties: farthest from the camera) go to the on-disk block store (<see cref="EvictionDirectory"/>,
    /// which must then be set, or the <see cref="VoxelMemory"/> constructor throws) and come back when touched again.
    /// One block is about 5.6 KiB (observed only) or 11 KiB (both channels).
    /// </summary>
    /// <remarks>
    /// The blocks of the frame being integrated are never evicted. When one frame needs more blocks than the budget,
    /// they all stay resident (RAM goes over budget for that frame) and <see cref="VoxelMemory.BudgetOverruns"/>
    /// counts it, instead of thrashing blocks between RAM and disk within the frame.
    /// </remarks>
    public int MaxBlocksInMemory
    {
        get => _maxBlocksInMemory;
        set => _maxBlocksInMemory = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the block budget must be at least one block");
    }

    /// <summary>
    /// Hysteresis of the block budget, 0.5–1. Default 0.9. Once eviction runs, it continues until at most this
    /// fraction of <see cref="MaxBlocksInMemory"/> is resident, so the blocks of the next frames fit without another
    /// eviction and the spill file is written in batches. 1 evicts only the excess, which with a camera at the edge of
    /// the budget means an eviction pass every frame; lower values write more blocks per pass and leave RAM unused.
    /// </summary>
    public double EvictionLowWaterFraction
    {
        get => _evictionLowWaterFraction;
        set => _evictionLowWaterFraction = value is >= MinEvictionLowWaterFraction and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"the low-water fraction must be {MinEvictionLowWaterFraction}–1");
    }

    /// <summary>Folder for evicted blocks; null (default) disables eviction. The folder is created on first eviction.</summary>
    public string? EvictionDirectory { get; set; }

    internal VoxelMemoryOptions Clone() => (VoxelMemoryOptions)MemberwiseClone();
}
