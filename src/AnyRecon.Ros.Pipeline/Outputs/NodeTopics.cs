using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.DiagnosticMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;

namespace AnyRecon.Ros.Pipeline;

/// <summary>One topic the mapping node publishes: its name, message type and the QoS its publisher offers.</summary>
/// <param name="Name">Absolute topic name.</param>
/// <param name="Type">Its message type.</param>
/// <param name="Latched">Reliable + transient local, keep last <see cref="Depth"/>: a late subscriber still gets the last message; else reliable + volatile.</param>
/// <param name="Depth">Keep-last history depth.</param>
public sealed record NodeTopic(string Name, MessageTypeInfo Type, bool Latched, ulong Depth)
{
    /// <summary>The offered_qos_profiles text rosbag2 records for this publisher.</summary>
    public string OfferedQos => RgbdBagWriter.OfferedQos(Latched, Depth);

    /// <summary>Declares the topic in a bag with its type, definition text and type hash.</summary>
    public void CreateIn(IStorageWriter writer) => writer.CreateTopic(
        new TopicMetadata(Name, Type.RosName, "cdr", OfferedQos, Type.TypeHash),
        new MessageDefinition(Type.RosName, "ros2msg", Type.Definition, Type.TypeHash));
}

/// <summary>
/// The topics of the mapping node (node name <c>anyrecon</c>, so <c>~/points</c> is <c>/anyrecon/points</c>), shared by
/// replay's <c>output.mcap</c> and the live node so both offer the same names, types and QoS.
/// </summary>
public static class NodeTopics
{
    /// <summary>The whole fused map as PointCloud2; latched so a late RViz still sees the map.</summary>
    public static readonly NodeTopic Points = new("/anyrecon/points", PointCloud2.TypeInfo, Latched: true, Depth: 1);

    /// <summary>
    /// Changed voxel blocks (<c>anyrecon/msg/MapUpdate</c>). Not latched: an update is a delta, useless without all
    /// earlier ones, so a late subscriber starts from a full map instead (a gap in sequence_number says so).
    /// </summary>
    public static readonly NodeTopic MapUpdates = new("/anyrecon/map_updates", MapUpdate.TypeInfo, Latched: false, Depth: 10);

    /// <summary>Surface points of the changed blocks as PointCloud2, for viewers that cannot read MapUpdate.</summary>
    public static readonly NodeTopic MapUpdatePoints = new("/anyrecon/map_updates/points", PointCloud2.TypeInfo, Latched: false, Depth: 10);

    /// <summary>Per-stage queue depth, drops and latency (<c>anyrecon/msg/PipelineStatus</c>).</summary>
    public static readonly NodeTopic Status = new("/anyrecon/status", PipelineStatus.TypeInfo, Latched: false, Depth: 10);

    /// <summary>The same figures for <c>rqt_robot_monitor</c> and the diagnostic aggregator.</summary>
    public static readonly NodeTopic Diagnostics = new("/diagnostics", DiagnosticArray.TypeInfo, Latched: false, Depth: 10);

    /// <summary>Completed views (rgb8) at the targets of the completion loop, for RViz; only while the loop runs.</summary>
    public static readonly NodeTopic CompletedImage = new("/anyrecon/completed/image", Image.TypeInfo, Latched: false, Depth: 10);

    /// <summary>The topics of the mapping node without the completion loop.</summary>
    public static IReadOnlyList<NodeTopic> All { get; } = [Points, MapUpdates, MapUpdatePoints, Status, Diagnostics];

    /// <summary>The topics the completion loop adds.</summary>
    public static IReadOnlyList<NodeTopic> Completion { get; } = [CompletedImage];
}
