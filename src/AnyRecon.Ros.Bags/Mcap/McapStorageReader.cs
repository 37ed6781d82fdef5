using System.Text;

namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// rosbag2's view of one MCAP file: topics from channels (type = schema name, serialization format = message
/// encoding, QoS and type hash from the channel metadata keys rosbag2 writes), definitions from schemas.
/// </summary>
public sealed class McapStorageReader : IStorageReader
{
    /// <summary>metadata.yaml's storage_identifier for MCAP files.</summary>
    public const string Identifier = "mcap";

    /// <summary>Channel metadata key of the offered QoS profiles (YAML text).</summary>
    public const string QosMetadataKey = "offered_qos_profiles";

    /// <summary>Channel metadata key of the REP 2011 type hash.</summary>
    public const string TypeHashMetadataKey = "topic_type_hash";

    private readonly McapReader _reader;
    private readonly Dictionary<ushort, TopicMetadata> _topicByChannel = [];
    private readonly List<TopicMetadata> _topics = [];
    private readonly List<MessageDefinition> _definitions = [];

    /// <summary>
    /// Opens <paramref name="filePath"/>. By default (<paramref name="options"/> null) a file without a usable summary is
    /// scanned once to rebuild its index (<see cref="McapSummaryPolicy.UseSummaryElseRebuild"/>), so messages always come in
    /// timestamp order; other policies may yield file order.
    /// </summary>
    public McapStorageReader(string filePath, McapReaderOptions? options = null)
    {
        _reader = McapReader.Open(filePath, options ?? new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.UseSummaryElseRebuild });
        try
        {
            var byName = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
            foreach (McapChannel channel in _reader.Channels.Values.OrderBy(c => c.Id))
            {
                McapSchema? schema = channel.SchemaId == 0 ? null : _reader.Schemas.GetValueOrDefault(channel.SchemaId);
                // Two channels on one topic (e.g. after a merge) are one rosbag2 topic; the first describes it.
                if (!byName.TryGetValue(channel.Topic, out TopicMetadata? topic))
                {
                    topic = new TopicMetadata(channel.Topic, schema?.Name ?? "", channel.MessageEncoding,
                        channel.Metadata.GetValueOrDefault(QosMetadataKey, ""), channel.Metadata.GetValueOrDefault(TypeHashMetadataKey, ""));
                    byName[channel.Topic] = topic;
                    _topics.Add(topic);
                }
                _topicByChannel[channel.Id] = topic;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (McapSchema schema in _reader.Schemas.Values.OrderBy(s => s.Id))
            {
                if (!seen.Add(schema.Name)) continue;
                string hash = _topics.FirstOrDefault(t => t.Type == schema.Name && t.TypeDescriptionHash.Length > 0)?.TypeDescriptionHash ?? "";
                _definitions.Add(new MessageDefinition(schema.Name, schema.Encoding, Encoding.UTF8.GetString(schema.Data.Span), hash));
            }
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
    }

    public string StorageIdentifier => Identifier;

    public string FilePath => _reader.FilePath;

    public IReadOnlyList<TopicMetadata> Topics => _topics;

    public IReadOnlyList<MessageDefinition> MessageDefinitions => _definitions;

    /// <summary>The underlying reader, for MCAP-specific data (attachments, metadata records, chunk indexes).</summary>
    public McapReader Reader => _reader;

    /// <summary>From the file's Statistics record when it has per-channel counts; otherwise counted by reading every message.</summary>
    public StorageStatistics ReadStatistics()
    {
        var byTopic = _topics.ToDictionary(t => t.Name, _ => 0L, StringComparer.Ordinal);
        if (_reader.Statistics is { } stats && (stats.ChannelMessageCounts.Count > 0 || stats.MessageCount == 0))
        {
            foreach (var (channelId, count) in stats.ChannelMessageCounts)
                if (_topicByChannel.TryGetValue(channelId, out TopicMetadata? topic)) byTopic[topic.Name] += (long)count;
            (ulong first, ulong last) = (stats.MessageStartTime, stats.MessageEndTime);
            // Some writers (mcap go, as in rosbag2's own fixtures) store a start time of 0 as "unset" in Statistics;
            // the per-chunk times of the chunk indexes are exact, so the range comes from them when there are any.
            List<McapChunkIndex> chunks = _reader.ChunkIndexes
                .Where(c => c.MessageIndexOffsets.Count > 0 || c.MessageStartTime != 0 || c.MessageEndTime != 0).ToList();
            if (stats.MessageCount > 0 && chunks.Count > 0)
                (first, last) = (chunks.Min(c => c.MessageStartTime), chunks.Max(c => c.MessageEndTime));
            return new StorageStatistics((long)stats.MessageCount, (long)first, (long)last, byTopic);
        }

        long total = 0, start = long.MaxValue, end = long.MinValue;
        foreach (McapMessage m in _reader.ReadMessages(new McapMessageQuery { Order = McapReadOrder.File }))
        {
            total++;
            byTopic[m.Channel.Topic] = byTopic.GetValueOrDefault(m.Channel.Topic) + 1;
            start = Math.Min(start, (long)m.LogTime);
            end = Math.Max(end, (long)m.LogTime);
        }
        return total == 0 ? new StorageStatistics(0, 0, 0, byTopic) : new StorageStatistics(total, start, end, byTopic);
    }

    /// <summary>Messages in timestamp order (ties in file order) with an indexed or rebuilt index; data valid until the enumerator advances.</summary>
    public IEnumerable<SerializedBagMessage> ReadMessages(MessageFilter? filter = null)
    {
        if (filter?.EndTimeNs is < 0 || (filter?.StartTimeNs is long s && filter.EndTimeNs is long e && e < s)) return [];
        var query = new McapMessageQuery
        {
            Topics = filter?.Topics,
            StartTime = filter?.StartTimeNs is long start ? (ulong)Math.Max(0, start) : null,
            EndTime = filter?.EndTimeNs is long end ? (ulong)end : null,
        };
        return Map(_reader.ReadMessages(query));
    }

    private IEnumerable<SerializedBagMessage> Map(IEnumerable<McapMessage> messages)
    {
        foreach (McapMessage m in messages)
            yield return new SerializedBagMessage(TopicOf(m), (long)m.LogTime, (long)m.PublishTime, m.Data);
    }

    private TopicMetadata TopicOf(in McapMessage m)
    {
        if (_topicByChannel.TryGetValue(m.Channel.Id, out TopicMetadata? topic)) return topic;
        // A channel the summary did not list (declared inside a chunk): describe it as it comes.
        topic = new TopicMetadata(m.Channel.Topic, m.Schema?.Name ?? "", m.Channel.MessageEncoding,
            m.Channel.Metadata.GetValueOrDefault(QosMetadataKey, ""), m.Channel.Metadata.GetValueOrDefault(TypeHashMetadataKey, ""));
        _topicByChannel[m.Channel.Id] = topic;
        return topic;
    }

    public void Dispose() => _reader.Dispose();
}
