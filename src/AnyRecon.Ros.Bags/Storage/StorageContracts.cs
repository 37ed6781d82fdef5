namespace AnyRecon.Ros.Bags;

/// <summary>A topic as rosbag2 records it (the sqlite3 <c>topics</c> row, the MCAP channel).</summary>
/// <param name="Name">Topic name, e.g. <c>/camera/color/image_raw</c>.</param>
/// <param name="Type">ROS type name, e.g. <c>sensor_msgs/msg/Image</c>.</param>
/// <param name="SerializationFormat">Usually <c>cdr</c>.</param>
/// <param name="OfferedQosProfiles">The YAML text rosbag2 stores for the publishers' QoS (may be empty).</param>
/// <param name="TypeDescriptionHash">REP 2011 hash (<c>RIHS01_...</c>) when the bag has one, else empty.</param>
public sealed record TopicMetadata(
    string Name,
    string Type,
    string SerializationFormat,
    string OfferedQosProfiles = "",
    string TypeDescriptionHash = "");

/// <summary>The definition text of a message type as a storage carries it.</summary>
/// <param name="TopicType">ROS type name, e.g. <c>sensor_msgs/msg/Image</c>.</param>
/// <param name="Encoding"><c>ros2msg</c>, <c>ros2idl</c>, or empty when the bag does not say.</param>
/// <param name="Text">The definition: the type's own text, then each dependency after a line of 80 '=' and <c>MSG: pkg/Name</c>.</param>
/// <param name="TypeDescriptionHash">REP 2011 hash when known, else empty.</param>
public sealed record MessageDefinition(string TopicType, string Encoding, string Text, string TypeDescriptionHash = "");

/// <summary>One recorded message. <see cref="Data"/> is only valid until the enumerator that produced it advances: copy it to keep it.</summary>
/// <param name="Topic">The topic the message was recorded on.</param>
/// <param name="TimestampNs">Receive (log) time in nanoseconds since the epoch; rosbag2 orders by it.</param>
/// <param name="PublishTimeNs">Send (publish) time when the storage keeps it, else equal to <paramref name="TimestampNs"/>.</param>
/// <param name="Data">The serialized message (CDR with its encapsulation header for <c>cdr</c> topics).</param>
public readonly record struct SerializedBagMessage(TopicMetadata Topic, long TimestampNs, long PublishTimeNs, ReadOnlyMemory<byte> Data);

/// <summary>Which messages to read. Null members mean "no restriction".</summary>
public sealed class MessageFilter
{
    /// <summary>Topic names to read; null reads every topic.</summary>
    public IReadOnlyCollection<string>? Topics { get; init; }

    /// <summary>First timestamp to read, inclusive.</summary>
    public long? StartTimeNs { get; init; }

    /// <summary>Last timestamp to read, inclusive.</summary>
    public long? EndTimeNs { get; init; }

    public bool Accepts(string topic, long timestampNs) =>
        (Topics is null || Topics.Contains(topic))
        && (StartTimeNs is not long s || timestampNs >= s)
        && (EndTimeNs is not long e || timestampNs <= e);
}

/// <summary>Counts and time range of one storage file, per topic.</summary>
public sealed record StorageStatistics(long MessageCount, long StartTimeNs, long EndTimeNs, IReadOnlyDictionary<string, long> MessageCountByTopic);

/// <summary>Reads one storage file (a single .db3 or .mcap). Implementations: sqlite3 and MCAP.</summary>
public interface IStorageReader : IDisposable
{
    /// <summary><c>sqlite3</c> or <c>mcap</c>, as metadata.yaml's <c>storage_identifier</c>.</summary>
    string StorageIdentifier { get; }

    string FilePath { get; }

    IReadOnlyList<TopicMetadata> Topics { get; }

    /// <summary>Definitions the file carries (may be empty for older bags).</summary>
    IReadOnlyList<MessageDefinition> MessageDefinitions { get; }

    /// <summary>Counts and time range, from indexes/summary when the file has them, else by a scan.</summary>
    StorageStatistics ReadStatistics();

    /// <summary>Messages in timestamp order (ties in file order), restricted by <paramref name="filter"/>.</summary>
    IEnumerable<SerializedBagMessage> ReadMessages(MessageFilter? filter = null);
}

/// <summary>Writes one storage file. Dispose finishes the file (indexes, summary).</summary>
public interface IStorageWriter : IDisposable
{
    string StorageIdentifier { get; }

    string FilePath { get; }

    /// <summary>Declares a topic before its first message; <paramref name="definition"/> becomes the MCAP schema or message_definitions row.</summary>
    void CreateTopic(TopicMetadata topic, MessageDefinition? definition);

    void Write(string topicName, long timestampNs, ReadOnlySpan<byte> data, long publishTimeNs);

    /// <summary>Bytes written so far (for split-by-size).</summary>
    long BytesWritten { get; }
}
