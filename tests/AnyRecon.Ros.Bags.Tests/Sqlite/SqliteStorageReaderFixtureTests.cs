using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>Every .db3 fixture the inventories list (all schema generations), checked against the inventory.</summary>
public sealed class SqliteStorageReaderFixtureTests
{
    public static TheoryData<string> Db3Files() =>
        FixtureInventory.StorageFiles((_, f) => f.Name.EndsWith(".db3", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Db3Files))]
    public void Open_EveryFixtureDb3_TopicsAndSchemaMatchInventory(string relativePath)
    {
        string path = TestFiles.Fixture(relativePath);
        var expected = FixtureInventory.FindFile(relativePath);
        using var reader = new SqliteStorageReader(path);

        Assert.Equal("sqlite3", reader.StorageIdentifier);
        Assert.Equal(
            expected.Topics.Select(t => (t.Name, t.Type)).Order(),
            reader.Topics.Select(t => (t.Name, t.Type)).Order());
        Assert.Equal(expected.TopicColumns.Contains("serialization_format"), reader.HasSerializationFormatColumn);
        Assert.Equal(expected.TopicColumns.Contains("offered_qos_profiles"), reader.HasOfferedQosProfilesColumn);
        Assert.Equal(expected.TopicColumns.Contains("type_description_hash"), reader.HasTypeDescriptionHashColumn);
        int expectedSchema = expected.SchemaVersion ?? (expected.TopicColumns.Contains("offered_qos_profiles") ? 2 : 1);
        Assert.Equal(expectedSchema, reader.SchemaVersion);
        Assert.Equal(expected.RosDistro ?? "", reader.RosDistro);
        if (!expected.Tables.Contains("message_definitions")) Assert.Empty(reader.MessageDefinitions);
        else Assert.All(reader.MessageDefinitions, d => Assert.False(string.IsNullOrEmpty(d.TopicType)));
        // The 2018 schema has no format column; its bags were all CDR.
        Assert.All(reader.Topics, t => Assert.False(string.IsNullOrEmpty(t.SerializationFormat)));
    }

    [Theory]
    [MemberData(nameof(Db3Files))]
    public void ReadStatisticsAndReadMessages_EveryFixtureDb3_CountsMatchInventory(string relativePath)
    {
        string path = TestFiles.Fixture(relativePath);
        var expected = FixtureInventory.FindFile(relativePath).Topics.ToDictionary(t => t.Name, t => t.Count);
        using var reader = new SqliteStorageReader(path);

        var stats = reader.ReadStatistics();
        Assert.Equal(expected.OrderBy(kv => kv.Key), stats.MessageCountByTopic.OrderBy(kv => kv.Key));
        Assert.Equal(expected.Values.Sum(), stats.MessageCount);

        var counted = expected.Keys.ToDictionary(k => k, _ => 0L);
        long previous = long.MinValue, first = 0, last = 0, total = 0;
        foreach (var message in reader.ReadMessages())
        {
            counted[message.Topic.Name]++;
            Assert.True(message.TimestampNs >= previous, "messages must come in timestamp order");
            if (total == 0) first = message.TimestampNs;
            last = previous = message.TimestampNs;
            total++;
        }
        Assert.Equal(expected.OrderBy(kv => kv.Key), counted.OrderBy(kv => kv.Key));
        if (total > 0)
        {
            Assert.Equal(first, stats.StartTimeNs);
            Assert.Equal(last, stats.EndTimeNs);
            Assert.Equal((total, first, last), reader.ReadTimeRange());
        }
    }

    [Theory]
    [MemberData(nameof(Db3Files))]
    public void ReadMessages_TopicAndTimeFilter_EqualsFilteringEverything(string relativePath)
    {
        string path = TestFiles.Fixture(relativePath);
        using var reader = new SqliteStorageReader(path);
        var all = reader.ReadMessages().Select(m => (m.Topic.Name, m.TimestampNs, Data: m.Data.ToArray())).ToList();
        if (all.Count == 0) return;
        // A window over the middle half of the recording, and every other topic.
        long start = all[all.Count / 4].TimestampNs, end = all[3 * all.Count / 4].TimestampNs;
        var topics = reader.Topics.Select(t => t.Name).Distinct().Where((_, i) => i % 2 == 0).ToArray();
        var filter = new MessageFilter { Topics = topics, StartTimeNs = start, EndTimeNs = end };

        var filtered = reader.ReadMessages(filter).Select(m => (m.Topic.Name, m.TimestampNs, Data: m.Data.ToArray())).ToList();
        var expected = all.Where(m => filter.Accepts(m.Name, m.TimestampNs)).ToList();

        Assert.Equal(expected.Count, filtered.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, filtered[i].Name);
            Assert.Equal(expected[i].TimestampNs, filtered[i].TimestampNs);
            Assert.Equal(expected[i].Data, filtered[i].Data);
        }
    }

    [Fact]
    public void ReadMessages_UnknownTopicFilter_YieldsNothing()
    {
        string path = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/cdr_test/cdr_test_0.db3");
        using var reader = new SqliteStorageReader(path);
        Assert.Empty(reader.ReadMessages(new MessageFilter { Topics = ["/no_such_topic"] }));
    }

    [Fact]
    public void Open_Schema4File_ReadsDefinitionsAndTypeHashes()
    {
        string path = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/bag_with_topics_and_service_events/bag_with_topics_and_service_events.db3");
        using var reader = new SqliteStorageReader(path);

        var strings = reader.MessageDefinitions.Single(d => d.TopicType == "test_msgs/msg/Strings");
        Assert.Equal("ros2msg", strings.Encoding);
        Assert.Equal(591, strings.Text.Length);
        Assert.Equal("RIHS01_eee55533636293ac7c94c62432eedb5777eb849847d2a17b4dcead8c4a20ab32", strings.TypeDescriptionHash);
        Assert.Equal("RIHS01_eee55533636293ac7c94c62432eedb5777eb849847d2a17b4dcead8c4a20ab32", reader.Topics.Single(t => t.Name == "/test_topic1").TypeDescriptionHash);
        Assert.StartsWith("- history: 3\n  depth: 0\n", reader.Topics[0].OfferedQosProfiles, StringComparison.Ordinal);

        var embedded = reader.ReadEmbeddedMetadata();
        Assert.NotNull(embedded);
        Assert.Equal(8, embedded.Version);
        Assert.Equal(10, embedded.MessageCount);
        Assert.Equal(5, embedded.TopicsWithMessageCount.Count);
    }

    [Fact]
    public void Open_2018SchemaWithoutFormatColumn_ReportsCdr()
    {
        string path = TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/test_v1_2018/test.db3");
        using var reader = new SqliteStorageReader(path);
        Assert.False(reader.HasSerializationFormatColumn);
        Assert.Equal(1, reader.SchemaVersion);
        Assert.All(reader.Topics, t => Assert.Equal("cdr", t.SerializationFormat));
        Assert.All(reader.Topics, t => Assert.Equal("", t.OfferedQosProfiles));
        Assert.Null(reader.ReadEmbeddedMetadata());
    }

    [Fact]
    public void OpenAndRead_FixtureFoldersWithWalSideFiles_LeaveEveryFileUntouched()
    {
        // We run as root in CI, so read-only permissions would not stop a write; this proves none happens.
        string[] folders =
        [
            TestFiles.Fixture("rosbag2_fixtures/head/ros2bag/empty_bag"),
            TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/cdr_test_v4_2020"),
            TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/reindex_test_bags_2022/message_compression"),
            TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_py/sqlite3/talker"),
        ];
        var before = folders.Select(TestFiles.Snapshot).ToArray();

        foreach (string folder in folders)
        {
            foreach (string db3 in Directory.EnumerateFiles(folder, "*.db3"))
            {
                using var reader = new SqliteStorageReader(db3);
                _ = reader.ReadStatistics();
                foreach (var _ in reader.ReadMessages()) { }
            }
        }

        var after = folders.Select(TestFiles.Snapshot).ToArray();
        for (int i = 0; i < folders.Length; i++) Assert.Equal(before[i], after[i]);
    }
}
