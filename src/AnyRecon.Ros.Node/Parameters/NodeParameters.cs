using System.Globalization;
using System.Text;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Node;

/// <summary>One node parameter: its name, what it means, and how it reads and sets <see cref="NodeOptions"/>.</summary>
public sealed record NodeParameter(string Name, string Description, Func<NodeOptions, object> Get, Action<NodeOptions, object> Set);

/// <summary>
/// The node's parameters, in one table: declared on the node with the defaults of a fresh <see cref="NodeOptions"/>,
/// written to <c>config/anyrecon.yaml</c> by <see cref="DefaultParameterFile"/>, and bound to the options.
/// Cameras are a list (<c>cameras</c>) with per-camera parameters under each name (<c>camera.color_topic</c>, …).
/// </summary>
public static class NodeParameters
{
    public const string CamerasParameter = "cameras";

    private static NodeParameter P(string name, string description, Func<NodeOptions, object> get, Action<NodeOptions, object> set) => new(name, description, get, set);

    private static double D(object v) => Convert.ToDouble(v, CultureInfo.InvariantCulture);

    private static int I(object v) => checked((int)Convert.ToInt64(v, CultureInfo.InvariantCulture));

    /// <summary>Parameters other than the per-camera ones, in the order config/anyrecon.yaml lists them.</summary>
    public static IReadOnlyList<NodeParameter> All { get; } =
    [
        P("map_directory", "voxel memory, snapshots and keyframe cache; survives restarts (~ = home)", o => o.MapDirectory, (o, v) => o.MapDirectory = (string)v),
        P("world_frame", "fixed frame the map is built and published in (map or odom)", o => o.Mapping.WorldFrame, (o, v) => o.Mapping.WorldFrame = (string)v),
        P("pose_topic", "poses from this topic instead of TF; empty uses /tf and /tf_static", o => o.Mapping.PoseTopic, (o, v) => o.Mapping.PoseTopic = (string)v),
        P("pose_topic_type", "geometry_msgs/msg/PoseStamped, geometry_msgs/msg/PoseWithCovarianceStamped or nav_msgs/msg/Odometry", o => o.PoseTopicType, (o, v) => o.PoseTopicType = (string)v),
        P("voxel_size_m", "TSDF voxel edge length (m)", o => o.Mapping.Voxels.VoxelSizeMeters, (o, v) => o.Mapping.Voxels.VoxelSizeMeters = D(v)),
        P("truncation_voxels", "TSDF truncation distance in voxels", o => (long)o.Mapping.Voxels.TruncationVoxels, (o, v) => o.Mapping.Voxels.TruncationVoxels = I(v)),
        P("max_weight", "cap on a voxel's fusion weight (how fast the map adapts)", o => (double)o.Mapping.Voxels.MaxWeight, (o, v) => o.Mapping.Voxels.MaxWeight = (float)D(v)),
        P("max_blocks_in_memory", "RAM budget in 8x8x8 voxel blocks; older, farther blocks go to disk beyond it", o => (long)o.Mapping.Voxels.MaxBlocksInMemory, (o, v) => o.Mapping.Voxels.MaxBlocksInMemory = I(v)),
        P("memory_budget_mb", "resident memory to stay under (MB), half of it for voxel blocks; 0 = no budget", o => o.MemoryBudgetMb, (o, v) => o.MemoryBudgetMb = D(v) >= 0 ? D(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "0 or more")),
        P("eviction_low_water_fraction", "eviction frees blocks down to this fraction of the budget", o => o.Mapping.Voxels.EvictionLowWaterFraction, (o, v) => o.Mapping.Voxels.EvictionLowWaterFraction = D(v)),
        P("min_depth_m", "depth readings nearer than this are ignored (m)", o => o.Mapping.Integration.MinIntegrationDistanceMeters, (o, v) => o.Mapping.Integration.MinIntegrationDistanceMeters = D(v)),
        P("max_depth_m", "depth readings farther than this are ignored (m)", o => o.Mapping.Integration.MaxIntegrationDistanceMeters, (o, v) => o.Mapping.Integration.MaxIntegrationDistanceMeters = D(v)),
        P("sync_tolerance_ms", "colour and depth stamps at most this far apart make a frame (ms)", o => o.Mapping.Sync.ToleranceNanoseconds / 1e6, (o, v) => o.Mapping.Sync.ToleranceNanoseconds = (long)(D(v) * 1_000_000)),
        P("queue_capacity", "frames waiting between pipeline stages; raw frames beyond it are dropped (oldest first, counted)", o => (long)o.Mapping.QueueCapacity, (o, v) => o.Mapping.QueueCapacity = I(v) >= 1 ? I(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "at least 1")),
        P("point_cloud_every_frames", "integrated frames between two ~/map_updates", o => (long)o.Mapping.PointCloudEveryFrames, (o, v) => o.Mapping.PointCloudEveryFrames = I(v) >= 1 ? I(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "at least 1")),
        P("map_update_max_blocks", "blocks per ~/map_updates message; larger updates are split", o => (long)o.Mapping.MapUpdateMaxBlocks, (o, v) => o.Mapping.MapUpdateMaxBlocks = I(v)),
        P("status_period_s", "period of ~/status and /diagnostics (s)", o => o.Mapping.StatusPeriodSeconds, (o, v) => o.Mapping.StatusPeriodSeconds = D(v)),
        P("snapshot_period_s", "period of map snapshots in the map directory (s); one is also written on shutdown", o => o.Mapping.SnapshotPeriodSeconds, (o, v) => o.Mapping.SnapshotPeriodSeconds = D(v)),
        P("points_rate_hz", "rate of ~/points, the whole map (Hz); 0 turns it off", o => o.PointsRateHz, (o, v) => o.PointsRateHz = D(v) >= 0 ? D(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "0 or more")),
        P("points_voxel_size_m", "~/points keeps one point per cell of this size (m); 0 keeps all", o => o.PointsVoxelSizeMeters, (o, v) => o.PointsVoxelSizeMeters = D(v) >= 0 ? D(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "0 or more")),
        P("points_observed_only", "leave generated (completed) geometry out of ~/points and ~/get_map", o => o.PointsObservedOnly, (o, v) => o.PointsObservedOnly = (bool)v),
        P("frustums_rate_hz", "rate of ~/cache/frustums when keyframes were added (Hz)", o => o.FrustumsRateHz, (o, v) => o.FrustumsRateHz = D(v)),
        P("keyframe_translation_m", "a frame is a keyframe after this much camera motion (m)", o => o.Mapping.Keyframes.MinTranslationMeters, (o, v) => o.Mapping.Keyframes.MinTranslationMeters = D(v)),
        P("keyframe_rotation_deg", "… or this much rotation (degrees)", o => o.Mapping.Keyframes.MinRotationDegrees, (o, v) => o.Mapping.Keyframes.MinRotationDegrees = D(v)),
        P("keyframe_max_overlap", "… or when it shares at most this fraction of blocks with the last keyframe", o => o.Mapping.Keyframes.MaxOverlap, (o, v) => o.Mapping.Keyframes.MaxOverlap = D(v)),
        P("keyframe_decoded_cache_mb", "decoded keyframes kept in RAM (MB)", o => o.Mapping.KeyframeCache.DecodedCacheBytes / 1048576.0, (o, v) => o.Mapping.KeyframeCache.DecodedCacheBytes = (long)(D(v) * 1048576)),
        P("completion_enabled", "complete views at automatic targets in the background and fuse them as generated evidence", o => o.Mapping.Completion.Enabled, (o, v) => o.Mapping.Completion.Enabled = (bool)v),
        P("completion_retrieve_count", "cached keyframes retrieved per completed view", o => (long)o.Mapping.Completion.RetrieveCount, (o, v) => o.Mapping.Completion.RetrieveCount = I(v)),
        P("completion_min_confidence", "completed pixels below this confidence are not fused", o => o.Mapping.Completion.MinConfidence, (o, v) => o.Mapping.Completion.MinConfidence = D(v)),
        P("completion_queue_capacity", "targets waiting for the completer (the newest wins)", o => (long)o.Mapping.Completion.QueueCapacity, (o, v) => o.Mapping.Completion.QueueCapacity = I(v)),
        P("auto_targets_gaps", "raise targets between nearby keyframes that looked different ways", o => o.Mapping.Completion.Automatic.Gaps, (o, v) => o.Mapping.Completion.Automatic.Gaps = (bool)v),
        P("auto_targets_frontier", "raise targets turned toward the edge of the mapped surface", o => o.Mapping.Completion.Automatic.Frontier, (o, v) => o.Mapping.Completion.Automatic.Frontier = (bool)v),
        P("auto_targets_every_keyframes", "at most one automatic target of each kind per this many keyframes", o => (long)o.Mapping.Completion.Automatic.EveryKeyframes, (o, v) => o.Mapping.Completion.Automatic.EveryKeyframes = I(v)),
        P("auto_gap_max_distance_m", "a gap partner is a keyframe at most this far away (m)", o => o.Mapping.Completion.Automatic.GapMaxDistanceMeters, (o, v) => o.Mapping.Completion.Automatic.GapMaxDistanceMeters = D(v)),
        P("auto_gap_min_angle_deg", "… whose view direction differs by at least this much (degrees)", o => o.Mapping.Completion.Automatic.GapMinAngleDegrees, (o, v) => o.Mapping.Completion.Automatic.GapMinAngleDegrees = D(v)),
        P("auto_frontier_turn_deg", "frontier targets turn a keyframe's camera by this much (degrees)", o => o.Mapping.Completion.Automatic.FrontierTurnDegrees, (o, v) => o.Mapping.Completion.Automatic.FrontierTurnDegrees = D(v)),
    ];

    /// <summary>The per-camera parameters, under the camera's name.</summary>
    public static IReadOnlyList<(string Suffix, string Description)> CameraParameters { get; } =
    [
        ("color_topic", "colour images (sensor_msgs/Image); empty for depth only"),
        ("color_transport", "raw, or compressed (subscribes to <color_topic>/compressed, sensor_msgs/CompressedImage)"),
        ("depth_topic", "depth images registered to the colour camera (16UC1 mm or 32FC1 m)"),
        ("depth_transport", "raw, or compressedDepth (subscribes to <depth_topic>/compressedDepth)"),
        ("camera_info_topic", "CameraInfo of the depth image"),
    ];

    /// <summary>A camera's defaults: the first is the RealSense-style /camera/…, others /NAME/….</summary>
    public static CameraInput DefaultCamera(string name, bool first) => first
        ? new CameraInput(name, MappingOptions.DefaultColorTopic, ImageTransport.Raw, MappingOptions.DefaultDepthTopic, ImageTransport.Raw, MappingOptions.DefaultCameraInfoTopic)
        : new CameraInput(name, $"/{name}/color/image_raw", ImageTransport.Raw, $"/{name}/depth/image_rect_raw", ImageTransport.Raw, $"/{name}/color/camera_info");

    /// <summary>Declares every parameter on <paramref name="node"/> and returns the options they set.</summary>
    public static NodeOptions Declare(RosNode node)
    {
        var options = new NodeOptions();
        foreach (var parameter in All)
        {
            var value = node.DeclareParameter(parameter.Name, parameter.Get(options));
            try
            {
                parameter.Set(options, value);
            }
            catch (Exception e) when (e is ArgumentException or InvalidCastException or OverflowException)
            {
                throw new ArgumentException($"parameter '{parameter.Name}' = {new ParameterValue(value)}: {e.Message}", e);
            }
        }
        var names = (string[])node.DeclareParameter(CamerasParameter, (object)new[] { "camera" });
        if (names.Length == 0) throw new ArgumentException($"parameter '{CamerasParameter}' lists no camera");
        for (int i = 0; i < names.Length; i++)
        {
            var d = DefaultCamera(names[i], i == 0);
            string Get(string suffix, string fallback) => (string)node.DeclareParameter($"{names[i]}.{suffix}", fallback);
            options.Cameras.Add(new CameraInput(names[i],
                Get("color_topic", d.ColorTopic), ParseTransport(Get("color_transport", "raw"), $"{names[i]}.color_transport", ImageTransport.Compressed),
                Get("depth_topic", d.DepthTopic), ParseTransport(Get("depth_transport", "raw"), $"{names[i]}.depth_transport", ImageTransport.CompressedDepth),
                Get("camera_info_topic", d.CameraInfoTopic)));
        }
        if (options.Mapping.PoseTopic.Length > 0 && options.PoseTopicType is not ("geometry_msgs/msg/PoseStamped" or "geometry_msgs/msg/PoseWithCovarianceStamped" or "nav_msgs/msg/Odometry"))
            throw new ArgumentException($"parameter 'pose_topic_type' = {options.PoseTopicType}: not PoseStamped, PoseWithCovarianceStamped or Odometry");
        return options;
    }

    private static ImageTransport ParseTransport(string text, string name, ImageTransport compressed) => text switch
    {
        "raw" => ImageTransport.Raw,
        "compressed" when compressed == ImageTransport.Compressed => ImageTransport.Compressed,
        "compressedDepth" when compressed == ImageTransport.CompressedDepth => ImageTransport.CompressedDepth,
        _ => throw new ArgumentException($"parameter '{name}' = {text}: expected raw or {(compressed == ImageTransport.Compressed ? "compressed" : "compressedDepth")}"),
    };

    /// <summary>config/anyrecon.yaml: every parameter with its default and a one-line comment, in the ROS 2 layout.</summary>
    public static string DefaultParameterFile()
    {
        var defaults = new NodeOptions();
        var yaml = new StringBuilder();
        yaml.Append("# Parameters of the anyrecon node, with their defaults (generated by `anyrecon node --print-default-params`).\n");
        yaml.Append("# Use: ros2 launch anyrecon node.launch.py params_file:=FILE, or anyrecon node --ros-args --params-file FILE\n");
        yaml.Append("/**:\n  ros__parameters:\n");
        foreach (var parameter in All)
            yaml.Append("    # ").Append(parameter.Description).Append('\n').Append("    ").Append(parameter.Name).Append(": ").Append(Yaml(parameter.Get(defaults))).Append('\n');
        yaml.Append("    # use /tf and /tf_static time from /clock (a bag played with --clock)\n    use_sim_time: false\n");
        yaml.Append("    # the cameras to map from; each has the parameters below under its name\n    ").Append(CamerasParameter).Append(": [camera]\n");
        yaml.Append("    camera:\n");
        var camera = DefaultCamera("camera", first: true);
        foreach (var (suffix, description) in CameraParameters)
        {
            string value = suffix switch
            {
                "color_topic" => camera.ColorTopic,
                "depth_topic" => camera.DepthTopic,
                "camera_info_topic" => camera.CameraInfoTopic,
                _ => "raw",
            };
            yaml.Append("      # ").Append(description).Append('\n').Append("      ").Append(suffix).Append(": ").Append(Yaml(value)).Append('\n');
        }
        return yaml.ToString();
    }

    private static string Yaml(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d == Math.Floor(d) && Math.Abs(d) < 1e15 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s => s.Length == 0 ? "\"\"" : s,
        _ => value.ToString() ?? "",
    };
}
