using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(a) Every sqlite3 fixture bag (head/ and history/, with or without metadata.yaml) through <see cref="BagReader"/>.</summary>
public sealed class Rosbag2FixtureTests
{
    public static TheoryData<string> SqliteBags() =>
        FixtureInventory.Bags(b => FixtureBagChecks.IsBagFolder(b) && FixtureBagChecks.IsSqlite(b));

    public static TheoryData<string> SingleDb3Files() =>
        FixtureInventory.StorageFiles((b, f) => b.Directory.EndsWith("bags_no_metadata", StringComparison.Ordinal) && f.Name.EndsWith(".db3", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(SqliteBags))]
    public void Open_SqliteFixtureBag_TopicsTypesFormatsAndCountsMatchInventory(string relativePath)
    {
        using var reader = BagReader.Open(TestFiles.Fixture(relativePath));
        FixtureBagChecks.CheckOpen(reader, FixtureBagChecks.ExpectedFor(relativePath));
    }

    [Theory]
    [MemberData(nameof(SqliteBags))]
    public void ReadMessages_SqliteFixtureBag_CountsAndTimeRangeMatch(string relativePath)
    {
        using var reader = BagReader.Open(TestFiles.Fixture(relativePath));
        FixtureBagChecks.CheckMessages(reader, FixtureBagChecks.ExpectedFor(relativePath));
    }

    [Theory]
    [MemberData(nameof(SingleDb3Files))]
    public void Open_SingleDb3File_DerivesMetadataFromTheFile(string relativePath)
    {
        string path = TestFiles.Fixture(relativePath);
        var expected = FixtureInventory.FindFile(relativePath).Topics;
        using var reader = BagReader.Open(path);

        Assert.Null(reader.MetadataPath);
        Assert.Equal([path], reader.FilePaths);
        Assert.Equal(expected.Select(t => (t.Name, t.Type, t.Count)).Order(),
            reader.Metadata.TopicsWithMessageCount.Select(t => (t.Topic.Name, t.Topic.Type, t.MessageCount)).Order());
        Assert.Equal(expected.Sum(t => t.Count), reader.ReadMessages().Count());
        Assert.NotEmpty(reader.MessageDefinitions);
        Assert.Equal("rolling", reader.Metadata.RosDistro);
    }

    [Fact]
    public void Open_MetadataYamlPath_OpensItsFolder()
    {
        string folder = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_py/sqlite3/talker");
        using var reader = BagReader.Open(Path.Combine(folder, "metadata.yaml"));
        Assert.Equal(folder, reader.Path);
        Assert.Equal(20, reader.ReadMessages().Count());
    }

    [Fact]
    public void ReadMessages_SplitBag_MergesFilesAndAppliesFilters()
    {
        string folder = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_py/sqlite3/wbag");
        using var reader = BagReader.Open(folder);
        var all = reader.ReadMessages().Select(m => (m.Topic.Name, m.TimestampNs, Data: m.Data.ToArray())).ToList();

        // Independent of the merge: every file read on its own, concatenated and sorted stably by time.
        var perFile = new List<(string Name, long TimestampNs, byte[] Data, int File)>();
        for (int i = 0; i < reader.FilePaths.Count; i++)
        {
            using var storage = new SqliteStorageReader(reader.FilePaths[i]);
            perFile.AddRange(storage.ReadMessages().Select(m => (m.Topic.Name, m.TimestampNs, m.Data.ToArray(), i)));
        }
        var expected = perFile.OrderBy(m => m.TimestampNs).ThenBy(m => m.File).ToList();
        Assert.Equal(expected.Count, all.Count);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(expected[i].TimestampNs, all[i].TimestampNs);
            Assert.Equal(expected[i].Name, all[i].Name);
            Assert.Equal(expected[i].Data, all[i].Data);
        }

        var filter = new MessageFilter { Topics = ["AAA", "HHH"], StartTimeNs = 1500, EndTimeNs = 2500 };
        var filtered = reader.ReadMessages(filter).Select(m => (m.Topic.Name, m.TimestampNs)).ToList();
        Assert.Equal(all.Where(m => filter.Accepts(m.Name, m.TimestampNs)).Select(m => (m.Name, m.TimestampNs)), filtered);
        Assert.NotEmpty(filtered);
    }

    [Fact]
    public void Open_WrongRmwFixture_ReportsFormatAndRequireThrowsNamingTopic()
    {
        string folder = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/wrong_rmw_test");
        using var reader = BagReader.Open(folder);

        Assert.All(reader.Topics, t => Assert.Equal("wrong_format", t.SerializationFormat));
        Assert.Equal(7, reader.ReadMessages().Count());
        var error = Assert.Throws<BagFormatException>(() => reader.RequireSerializationFormat("cdr"));
        Assert.Equal(Path.Combine(folder, "metadata.yaml"), error.FilePath);
        Assert.Contains("'/test_topic'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'wrong_format'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'cdr'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireSerializationFormat_CdrBag_Passes()
    {
        using var reader = BagReader.Open(TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/cdr_test"));
        reader.RequireSerializationFormat("cdr");
        var error = Assert.Throws<BagFormatException>(() => reader.RequireSerializationFormat("ros1", ["/array_topic"]));
        Assert.Contains("'/array_topic'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageDefinitions_Schema4Bag_UnionOfFileDefinitions()
    {
        using var reader = BagReader.Open(TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/cdr_test"));
        Assert.Equal(["test_msgs/msg/Arrays", "test_msgs/msg/BasicTypes"], reader.MessageDefinitions.Select(d => d.TopicType).Order());
        Assert.Equal(2462, reader.MessageDefinitions.Single(d => d.TopicType == "test_msgs/msg/Arrays").Text.Length);
    }

    [Fact]
    public void ReadMessages_V1MetadataWithOtherTypesInDb_UsesMetadataTopics()
    {
        // cdr_test_v1_2019: metadata.yaml says test_msgs/BasicTypes, the db3 still says test_msgs/Primitives; rosbag2 trusts the metadata.
        using var reader = BagReader.Open(TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/cdr_test_v1_2019"));
        var types = reader.ReadMessages().Select(m => m.Topic.Type).Distinct().Order().ToArray();
        Assert.Equal(["test_msgs/Arrays", "test_msgs/BasicTypes"], types);
    }
}
