using System.Text;

namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// Writes one rosbag2 MCAP file the way rosbag2's MCAP plugin does: profile <c>ros2</c>, one schema per distinct
/// definition (encoding <c>ros2msg</c>/<c>ros2idl</c>), one channel per topic with metadata <c>offered_qos_profiles</c>
/// (always) and <c>topic_type_hash</c> (when known). Dispose finishes the file.
/// </summary>
public sealed class McapStorageWriter : IStorageWriter
{
    /// <summary>The ROS 2 MCAP profile.</summary>
    public const string Profile = "ros2";

    private readonly McapWriter _writer;
    private readonly Dictionary<string, ushort> _channelByTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string Encoding, string Text), ushort> _schemas = [];

    /// <summary>Creates <paramref name="filePath"/>; <paramref name="options"/> choose chunking and compression (the profile is always <c>ros2</c>).</summary>
    public McapStorageWriter(string filePath, McapWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        McapWriterOptions o = options ?? new McapWriterOptions();
        FilePath = filePath;
        _writer = new McapWriter(filePath, new McapWriterOptions
        {
            Profile = Profile,
            Library = o.Library,
            Compression = o.Compression,
            CompressionLevel = o.CompressionLevel,
            ChunkSizeBytes = o.ChunkSizeBytes,
            ComputeCrcs = o.ComputeCrcs,
            WriteMessageIndexes = o.WriteMessageIndexes,
            WriteSummary = o.WriteSummary,
        });
    }

    public string StorageIdentifier => McapStorageReader.Identifier;

    public string FilePath { get; }

    public long BytesWritten => _writer.BytesWritten;

    /// <summary>Declares a topic; a second call for the same topic name is ignored, as rosbag2 does.</summary>
    public void CreateTopic(TopicMetadata topic, MessageDefinition? definition)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (_channelByTopic.ContainsKey(topic.Name)) return;

        // Without a definition the schema still names the type (readers take the type from it), with no text.
        string encoding = definition is null ? "" : definition.Encoding.Length > 0 ? definition.Encoding : "ros2msg";
        string text = definition?.Text ?? "";
        if (!_schemas.TryGetValue((topic.Type, encoding, text), out ushort schemaId))
        {
            schemaId = _writer.AddSchema(topic.Type, encoding, Encoding.UTF8.GetBytes(text));
            _schemas[(topic.Type, encoding, text)] = schemaId;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [McapStorageReader.QosMetadataKey] = topic.OfferedQosProfiles };
        string hash = topic.TypeDescriptionHash.Length > 0 ? topic.TypeDescriptionHash : definition?.TypeDescriptionHash ?? "";
        if (hash.Length > 0) metadata[McapStorageReader.TypeHashMetadataKey] = hash;
        _channelByTopic[topic.Name] = _writer.AddChannel(schemaId, topic.Name, topic.SerializationFormat, metadata);
    }

    public void Write(string topicName, long timestampNs, ReadOnlySpan<byte> data, long publishTimeNs)
    {
        if (!_channelByTopic.TryGetValue(topicName, out ushort channel))
            throw new InvalidOperationException($"topic '{topicName}' was not created before its first message");
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNs);
        ArgumentOutOfRangeException.ThrowIfNegative(publishTimeNs);
        _writer.WriteMessage(channel, (ulong)timestampNs, (ulong)publishTimeNs, data);
    }

    /// <summary>Writes a metadata record (rosbag2 writes none in MCAP by default).</summary>
    public void WriteMetadata(string name, IReadOnlyDictionary<string, string> metadata) => _writer.WriteMetadata(name, metadata);

    /// <summary>Writes an attachment record.</summary>
    public void WriteAttachment(string name, string mediaType, long logTimeNs, ReadOnlySpan<byte> data) =>
        _writer.WriteAttachment(name, mediaType, (ulong)Math.Max(0, logTimeNs), 0, data);

    public void Dispose() => _writer.Dispose();
}
