using System.Globalization;
using AnyRecon.Ros.Pipeline;
using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Cli.Replay;

/// <summary>
/// Binds a parameter file to <see cref="MappingOptions"/>. Flat YAML, snake_case keys (the ROS 2 parameter style);
/// an unknown key or a bad value is an error naming it, so a typo never silently falls back to a default.
/// </summary>
internal static class MappingParameters
{
    private static readonly Dictionary<string, Action<MappingOptions, string>> s_setters = new(StringComparer.Ordinal)
    {
        ["color_topic"] = (o, v) => o.ColorTopic = v,
        ["depth_topic"] = (o, v) => o.DepthTopic = v,
        ["camera_info_topic"] = (o, v) => o.CameraInfoTopic = v,
        ["world_frame"] = (o, v) => o.WorldFrame = v,
        ["pose_topic"] = (o, v) => o.PoseTopic = v,
        ["voxel_size_m"] = (o, v) => o.Voxels.VoxelSizeMeters = Double(v),
        ["truncation_voxels"] = (o, v) => o.Voxels.TruncationVoxels = Int(v),
        ["max_weight"] = (o, v) => o.Voxels.MaxWeight = (float)Double(v),
        ["max_blocks_in_memory"] = (o, v) => o.Voxels.MaxBlocksInMemory = Int(v),
        ["eviction_low_water_fraction"] = (o, v) => o.Voxels.EvictionLowWaterFraction = Double(v),
        ["min_depth_m"] = (o, v) => o.Integration.MinIntegrationDistanceMeters = Double(v),
        ["max_depth_m"] = (o, v) => o.Integration.MaxIntegrationDistanceMeters = Double(v),
        ["sync_tolerance_ms"] = (o, v) => o.Sync.ToleranceNanoseconds = (long)(Double(v) * 1_000_000),
        ["queue_capacity"] = (o, v) => o.QueueCapacity = Int(v) >= 1 ? Int(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "at least 1"),
        ["point_cloud_every_frames"] = (o, v) => o.PointCloudEveryFrames = Int(v) >= 1 ? Int(v) : throw new ArgumentOutOfRangeException(nameof(v), v, "at least 1"),
        ["map_update_max_blocks"] = (o, v) => o.MapUpdateMaxBlocks = Int(v),
        ["status_period_s"] = (o, v) => o.StatusPeriodSeconds = Double(v),
        ["keyframe_translation_m"] = (o, v) => o.Keyframes.MinTranslationMeters = Double(v),
        ["keyframe_rotation_deg"] = (o, v) => o.Keyframes.MinRotationDegrees = Double(v),
        ["keyframe_max_overlap"] = (o, v) => o.Keyframes.MaxOverlap = Double(v),
        ["keyframe_decoded_cache_mb"] = (o, v) => o.KeyframeCache.DecodedCacheBytes = (long)(Double(v) * 1048576),
        ["snapshot_period_s"] = (o, v) => o.SnapshotPeriodSeconds = Double(v),
        ["completion_retrieve_count"] = (o, v) => o.Completion.RetrieveCount = Int(v),
        ["completion_min_confidence"] = (o, v) => o.Completion.MinConfidence = Double(v),
        ["completion_queue_capacity"] = (o, v) => o.Completion.QueueCapacity = Int(v),
        ["auto_targets_every_keyframes"] = (o, v) => o.Completion.Automatic.EveryKeyframes = Int(v),
        ["auto_gap_max_distance_m"] = (o, v) => o.Completion.Automatic.GapMaxDistanceMeters = Double(v),
        ["auto_gap_min_angle_deg"] = (o, v) => o.Completion.Automatic.GapMinAngleDegrees = Double(v),
        ["auto_frontier_turn_deg"] = (o, v) => o.Completion.Automatic.FrontierTurnDegrees = Double(v),
    };

    public static IEnumerable<string> Keys => s_setters.Keys;

    public static void Apply(MappingOptions options, string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            try { yaml.Load(reader); }
            catch (YamlDotNet.Core.YamlException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        }
        if (yaml.Documents.Count == 0) return;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root) throw new InvalidDataException($"{path}: expected key: value pairs");
        foreach (var (keyNode, valueNode) in root.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!s_setters.TryGetValue(key, out var set))
                throw new InvalidDataException($"{path}: unknown parameter '{key}' (known: {string.Join(", ", s_setters.Keys)})");
            string value = (valueNode as YamlScalarNode)?.Value ?? throw new InvalidDataException($"{path}: '{key}' must be a single value");
            try { set(options, value); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: '{key}: {value}': {e.Message}", e);
            }
        }
    }

    private static double Double(string v) => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static int Int(string v) => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
