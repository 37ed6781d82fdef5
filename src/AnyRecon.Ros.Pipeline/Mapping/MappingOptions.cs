using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// What the mapping pipeline reads and how it fuses. Bound from a parameter file (<c>--params FILE</c>, YAML with these
/// names in snake_case) and from command-line flags; the defaults fit an RGB-D camera driver (RealSense/Kinect topic names).
/// </summary>
public sealed class MappingOptions
{
    public const string DefaultColorTopic = "/camera/color/image_raw";
    public const string DefaultDepthTopic = "/camera/depth/image_rect_raw";
    public const string DefaultCameraInfoTopic = "/camera/color/camera_info";
    public const string DefaultWorldFrame = "map";
    public const int DefaultQueueCapacity = 8;
    public const int DefaultPointCloudEveryFrames = 30;
    public const double DefaultStatusPeriodSeconds = 1.0;

    /// <summary>Colour images (sensor_msgs/Image or CompressedImage). Empty: depth only.</summary>
    public string ColorTopic { get; set; } = DefaultColorTopic;

    /// <summary>Depth images registered to the colour camera (16UC1 mm, 32FC1 m, or compressedDepth).</summary>
    public string DepthTopic { get; set; } = DefaultDepthTopic;

    /// <summary>CameraInfo of the depth image (the registered colour camera's).</summary>
    public string CameraInfoTopic { get; set; } = DefaultCameraInfoTopic;

    /// <summary>
    /// Several cameras at once, each with its own topics (and the frames their messages name). Empty (default): the one
    /// camera of <see cref="ColorTopic"/>, <see cref="DepthTopic"/> and <see cref="CameraInfoTopic"/>.
    /// </summary>
    public List<CameraTopics> Cameras { get; set; } = [];

    /// <summary>The cameras the pipeline assembles frames from.</summary>
    public IReadOnlyList<CameraTopics> EffectiveCameras => Cameras.Count > 0 ? Cameras : [new CameraTopics("camera", ColorTopic, DepthTopic, CameraInfoTopic)];

    /// <summary>The fixed frame the map is built in (REP 105: map or odom).</summary>
    public string WorldFrame { get; set; } = DefaultWorldFrame;

    /// <summary>Poses from a PoseStamped or Odometry topic instead of TF; empty (default) uses /tf and /tf_static.</summary>
    public string PoseTopic { get; set; } = "";

    public VoxelMemoryOptions Voxels { get; set; } = new();

    public TsdfIntegratorOptions Integration { get; set; } = new();

    public SynchronizerOptions Sync { get; set; } = new();

    /// <summary>Capacity of each stage queue. Default 8.</summary>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    /// <summary>
    /// True (replay default): a full ingest queue makes the bag reader wait, so every frame of the bag is used.
    /// False (the live node): the oldest raw frame is dropped and counted.
    /// </summary>
    public bool IngestWaits { get; set; } = true;

    /// <summary>
    /// Which integrated frames become keyframes of the capture-view cache: moved or turned far enough from the last
    /// keyframe, or overlapping it too little (shared observed voxel blocks).
    /// </summary>
    public KeyframeSelectorOptions Keyframes { get; set; } = new();

    /// <summary>
    /// Directory of the capture-view cache (every keyframe, on disk, crash-safe); null keeps no keyframes. Replay
    /// puts it at <c>DIR/map/keyframes</c>.
    /// </summary>
    public string? KeyframeDirectory { get; set; }

    public CaptureViewCacheOptions KeyframeCache { get; set; } = new();

    /// <summary>The completion loop (targets, retrieval, completion, generated evidence); off by default.</summary>
    public CompletionOptions Completion { get; set; } = new();

    /// <summary>
    /// Publish the blocks changed since the last publish (MapUpdate, and their surface points as PointCloud2) every this
    /// many integrated frames, and at the end, where the whole fused map goes out as PointCloud2 too. Default 30.
    /// </summary>
    public int PointCloudEveryFrames { get; set; } = DefaultPointCloudEveryFrames;

    /// <summary>
    /// Publish ~/status and /diagnostics once per this many seconds of frame (bag) time, and at the end. Default 1 s.
    /// Must be positive and finite; shorter periods cost a report snapshot each (cheap, but it reads /proc).
    /// </summary>
    public double StatusPeriodSeconds
    {
        get => _statusPeriodSeconds;
        set => _statusPeriodSeconds = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the status period must be a positive number of seconds");
    }

    private double _statusPeriodSeconds = DefaultStatusPeriodSeconds;

    /// <summary>
    /// Most voxel blocks in one MapUpdate message, ≥ 1. Default <see cref="MapUpdateSerializer.DefaultMaxBlocksPerUpdate"/>
    /// (about 6.3 MB). More changed blocks go out as several updates with consecutive sequence numbers; a higher bound
    /// means fewer, larger messages and more memory to hold one.
    /// </summary>
    public int MapUpdateMaxBlocks
    {
        get => _mapUpdateMaxBlocks;
        set => _mapUpdateMaxBlocks = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least one block per update");
    }

    private int _mapUpdateMaxBlocks = MapUpdateSerializer.DefaultMaxBlocksPerUpdate;

    /// <summary>
    /// Save a snapshot of the map (and where the input stood) once per this many seconds of frame (bag) time, so a
    /// killed run can resume; 0 saves only at the end. Default 10 s. A snapshot of a large map takes a while and holds
    /// up integration meanwhile (the queues before it absorb that).
    /// </summary>
    public double SnapshotPeriodSeconds
    {
        get => _snapshotPeriodSeconds;
        set => _snapshotPeriodSeconds = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the snapshot period must be 0 (only at the end) or a positive number of seconds");
    }

    private double _snapshotPeriodSeconds = DefaultSnapshotPeriodSeconds;

    public const double DefaultSnapshotPeriodSeconds = 10;
}

/// <summary>One camera's input topics. Colour may be empty (depth only).</summary>
public sealed record CameraTopics(string Name, string ColorTopic, string DepthTopic, string CameraInfoTopic);
