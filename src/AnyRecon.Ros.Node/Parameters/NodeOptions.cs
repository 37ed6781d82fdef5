using AnyRecon.Ros.Pipeline;

namespace AnyRecon.Ros.Node;

/// <summary>How an input image topic is carried: plain sensor_msgs/Image, or image_transport's compressed forms.</summary>
public enum ImageTransport { Raw, Compressed, CompressedDepth }

/// <summary>One camera as the node subscribes to it (topics before the node's remapping).</summary>
public sealed record CameraInput(string Name, string ColorTopic, ImageTransport ColorTransport, string DepthTopic, ImageTransport DepthTransport, string CameraInfoTopic);

/// <summary>Everything the node is configured with: the mapping pipeline's options and the node's own.</summary>
public sealed class NodeOptions
{
    /// <summary>The node's name unless remapped: its private topics are <c>/anyrecon/…</c>.</summary>
    public const string DefaultNodeName = "anyrecon";

    /// <summary>
    /// Live input never waits: raw messages beyond the queues are dropped (oldest first) and counted. Views are completed
    /// in the background at automatic targets, and on demand through ~/complete_view.
    /// </summary>
    public MappingOptions Mapping { get; } = new()
    {
        IngestWaits = false,
        Completion = { Enabled = true, OnDemand = true, Automatic = { Gaps = true, Frontier = true } },
    };

    /// <summary>Voxel memory, snapshots and the capture-view cache; survives restarts. <c>~</c> is the home directory.</summary>
    public string MapDirectory { get; set; } = "~/.ros/anyrecon/map";

    public List<CameraInput> Cameras { get; } = [];

    /// <summary>Type of <see cref="MappingOptions.PoseTopic"/>: geometry_msgs PoseStamped or PoseWithCovarianceStamped, or nav_msgs Odometry.</summary>
    public string PoseTopicType { get; set; } = "geometry_msgs/msg/PoseStamped";

    /// <summary>How often ~/points is published (the whole map), Hz; 0 turns it off.</summary>
    public double PointsRateHz { get; set; } = 1.0;

    /// <summary>~/points is downsampled to one point per cell of this size (m); 0 keeps every surface point.</summary>
    public double PointsVoxelSizeMeters { get; set; } = 0.02;

    /// <summary>~/points and ~/get_map leave out generated (completed) geometry, for planners that must not trust it.</summary>
    public bool PointsObservedOnly { get; set; }

    /// <summary>
    /// Resident memory the node should stay under (MB); 0: no budget. Half of it goes to voxel blocks (unless
    /// max_blocks_in_memory is set), the rest is left for the runtime, DDS buffers and decoded keyframes;
    /// /diagnostics warns when the process is over it.
    /// </summary>
    public double MemoryBudgetMb { get; set; }

    /// <summary>Worst-case bytes of one 8³ voxel block with both evidence channels (TSDF, weight, colour).</summary>
    public const int BlockBytes = 12 * 1024;

    /// <summary>How often ~/cache/frustums is published when keyframes were added, Hz.</summary>
    public double FrustumsRateHz { get; set; } = 0.2;

    /// <summary>Expands <c>~</c> in <see cref="MapDirectory"/>.</summary>
    public string ResolvedMapDirectory => Path.GetFullPath(MapDirectory.StartsWith('~')
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), MapDirectory.TrimStart('~').TrimStart('/'))
        : MapDirectory);
}
