using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>rosbag2-written MCAP fixtures through <see cref="McapStorageReader"/>, and storage writer round trips.</summary>
public sealed class McapStorageTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> FixtureFiles() =>
        FixtureInventory.StorageFiles((_, f) => f.Name.EndsWith(".mcap", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void McapStorageReader_Rosbag2Fixture_MatchesInventory(string file)
    {
        string path = TestFiles.Fixture(file);
        FixtureInventory.InventoryFile expected = FixtureInventory.FindFile(file);
        FixtureInventory.InventoryMcapHeader header = expected.Mcap!;
        (long Start, long End) range = expected.TimeRange!.Value;

        using var storage = new McapStorageReader(path);
        Assert.Equal("mcap", storage.StorageIdentifier);
        Assert.Equal((header.Profile, header.Library), (storage.Reader.Header.Profile, storage.Reader.Header.Library));

        // The inventory lists the channels declared in the data section; rosbag2 takes topics from the summary,
        // which may add topics that never got a message (e.g. /rosout, /events/write_split).
        var schemaNames = expected.Schemas.ToDictionary(s => s.Id, s => s.Name);
        var counts = expected.Channels.GroupBy(c => c.Topic).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        StorageStatistics stats = storage.ReadStatistics();
        Assert.Subset(storage.Topics.Select(t => (t.Name, t.Type, t.SerializationFormat)).ToHashSet(),
            expected.Channels.Select(c => (c.Topic, schemaNames[c.SchemaId], c.MessageEncoding)).ToHashSet());
        Assert.All(storage.Topics.Where(t => !counts.ContainsKey(t.Name)), t => Assert.Equal(0, stats.MessageCountByTopic[t.Name]));
        foreach (FixtureInventory.InventoryChannel channel in expected.Channels)
        {
            TopicMetadata topic = storage.Topics.Single(t => t.Name == channel.Topic);
            if (channel.MetadataKeys.Contains("topic_type_hash"))
                Assert.True(topic.TypeDescriptionHash.Length == 0 || topic.TypeDescriptionHash.StartsWith("RIHS01_", StringComparison.Ordinal), topic.TypeDescriptionHash);
            else
                Assert.Equal("", topic.TypeDescriptionHash);
            if (channel.MetadataKeys.Contains("offered_qos_profiles") && topic.OfferedQosProfiles.Length > 0)
                Assert.Contains("history:", topic.OfferedQosProfiles);
            if (!channel.MetadataKeys.Contains("offered_qos_profiles")) Assert.Equal("", topic.OfferedQosProfiles);
        }

        Assert.Subset(
            storage.MessageDefinitions.Select(d => (d.TopicType, d.Encoding, System.Text.Encoding.UTF8.GetByteCount(d.Text))).ToHashSet(),
            expected.Schemas.Select(s => (s.Name, s.Encoding, s.Bytes)).ToHashSet());

        Assert.Equal(counts.Values.Sum(), stats.MessageCount);
        Assert.Equal(counts.OrderBy(p => p.Key), stats.MessageCountByTopic.Where(p => counts.ContainsKey(p.Key)).OrderBy(p => p.Key));
        Assert.Equal(range, (stats.StartTimeNs, stats.EndTimeNs));
        Assert.Equal(header.MetadataCount, storage.Reader.MetadataIndexes.Count);
        Assert.Equal(header.AttachmentCount, storage.Reader.AttachmentIndexes.Count);

        // Messages: counts per topic, timestamp order, the inventory's time range; every mode agrees.
        List<(string Topic, long Time, int Length)> read = storage.ReadMessages().Select(m => (m.Topic.Name, m.TimestampNs, m.Data.Length)).ToList();
        Assert.Equal(counts.Where(p => p.Value > 0).OrderBy(p => p.Key),
            read.GroupBy(m => m.Topic).Select(g => KeyValuePair.Create(g.Key, (long)g.Count())).OrderBy(p => p.Key));
        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.Time <= p.Second.Time), "messages are not in timestamp order");
        if (read.Count > 0) Assert.Equal(range, (read[0].Time, read[^1].Time));
        Assert.All(read, m => Assert.True(m.Length >= 4, "a CDR message starts with a 4-byte encapsulation header"));

        using var linear = new McapStorageReader(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.ForceLinear });
        Assert.Equal(read.OrderBy(m => m.Time).ThenBy(m => m.Topic, StringComparer.Ordinal),
            linear.ReadMessages().Select(m => (m.Topic.Name, m.TimestampNs, m.Data.Length)).OrderBy(m => m.TimestampNs).ThenBy(m => m.Item1, StringComparer.Ordinal));

        // A filter on one topic and the middle of the time range.
        if (read.Count > 2)
        {
            string topicName = read[read.Count / 2].Topic;
            long from = read[1].Time, to = read[^2].Time;
            var filter = new MessageFilter { Topics = [topicName], StartTimeNs = from, EndTimeNs = to };
            Assert.Equal(read.Where(m => filter.Accepts(m.Topic, m.Time)), storage.ReadMessages(filter).Select(m => (m.Topic.Name, m.TimestampNs, m.Data.Length)));
        }
    }

    [Theory]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    [InlineData(McapCompression.None)]
    public void McapStorageWriter_ThenReader_RoundTripsTopicsDefinitionsAndMessagesInTimeOrder(McapCompression compression)
    {
        string path = _temp.Combine("bag_0.mcap");
        const string qos = "- history: 3\n  depth: 0\n  reliability: 1\n  durability: 2\n  deadline:\n    sec: 9223372036\n    nsec: 854775807\n";
        var image = new TopicMetadata("/camera/image", "sensor_msgs/msg/Image", "cdr", qos, "RIHS01_" + new string('a', 64));
        var imu = new TopicMetadata("/imu", "sensor_msgs/msg/Imu", "cdr", qos);
        var imu2 = new TopicMetadata("/imu2", "sensor_msgs/msg/Imu", "cdr", "");
        var imuDefinition = new MessageDefinition("sensor_msgs/msg/Imu", "ros2msg", "std_msgs/Header header\n", "RIHS01_" + new string('b', 64));

        var random = new Random(5);
        var written = new List<(TopicMetadata Topic, long Time, long Publish, byte[] Data)>();
        using (var writer = new McapStorageWriter(path, new McapWriterOptions { Compression = compression, ChunkSizeBytes = 10_000 }))
        {
            writer.CreateTopic(image, null);
            writer.CreateTopic(imu, imuDefinition);
            writer.CreateTopic(imu2, imuDefinition);
            writer.CreateTopic(imu, imuDefinition);
            for (int i = 0; i < 300; i++)
            {
                TopicMetadata topic = (i % 3) switch { 0 => image, 1 => imu, _ => imu2 };
                // Receive times jitter backwards now and then, as with several publishers.
                long t = 1_700_000_000_000_000_000 + i * 1_000_000L - (i % 7 == 0 ? 5_000_000 : 0);
                byte[] data = new byte[random.Next(4, 5000)];
                random.NextBytes(data);
                writer.Write(topic.Name, t, data, t - 10);
                written.Add((topic, t, t - 10, data));
            }
            Assert.True(writer.BytesWritten > 0);
        }

        using var reader = new McapStorageReader(path);
        Assert.Equal(McapStorageWriter.Profile, reader.Reader.Header.Profile);
        Assert.Equal(McapReadMode.Indexed, reader.Reader.Mode);
        Assert.Equal([image, imu with { TypeDescriptionHash = imuDefinition.TypeDescriptionHash }, imu2 with { TypeDescriptionHash = imuDefinition.TypeDescriptionHash }], reader.Topics);
        Assert.Equal(2, reader.Reader.Schemas.Count);
        Assert.Equal([new MessageDefinition("sensor_msgs/msg/Image", "", "", image.TypeDescriptionHash), imuDefinition], reader.MessageDefinitions);
        Assert.All(reader.Reader.Channels.Values, c => Assert.True(c.Metadata.ContainsKey("offered_qos_profiles")));

        var expected = written.OrderBy(m => m.Time).ToList();
        var read = reader.ReadMessages().Select(m => (m.Topic.Name, m.TimestampNs, m.PublishTimeNs, m.Data.ToArray())).ToList();
        Assert.Equal(expected.Count, read.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Topic.Name, expected[i].Time, expected[i].Publish), (read[i].Name, read[i].TimestampNs, read[i].PublishTimeNs));
            Assert.Equal(expected[i].Data, read[i].Item4);
        }

        StorageStatistics stats = reader.ReadStatistics();
        Assert.Equal((300L, expected[0].Time, expected[^1].Time), (stats.MessageCount, stats.StartTimeNs, stats.EndTimeNs));
        Assert.Equal(100L, stats.MessageCountByTopic["/imu2"]);

        var filter = new MessageFilter { Topics = ["/imu"], StartTimeNs = expected[50].Time, EndTimeNs = expected[250].Time };
        Assert.Equal(expected.Where(m => filter.Accepts(m.Topic.Name, m.Time)).Select(m => m.Time), reader.ReadMessages(filter).Select(m => m.TimestampNs));
    }

    [Fact]
    public void McapStorageWriter_UnknownTopicOrNegativeTime_Throws()
    {
        using var writer = new McapStorageWriter(_temp.Combine("bad.mcap"));
        Assert.Throws<InvalidOperationException>(() => writer.Write("/nope", 1, [1], 1));
        writer.CreateTopic(new TopicMetadata("/a", "std_msgs/msg/Empty", "cdr"), null);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write("/a", -1, [1], 1));
    }
}
