using AnyRecon.Ros.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>metadata.yaml versions 1–9: reading every fixture, writing version 9 as rosbag2 lays it out, and malformed input.</summary>
public sealed class MetadataYamlTests
{
    public static TheoryData<string> FixtureMetadataFiles() =>
        FixtureInventory.Bags(b => b.Metadata is not null);

    [Theory]
    [MemberData(nameof(FixtureMetadataFiles))]
    public void ReadFile_EveryFixtureVersion_MatchesInventory(string relativeBag)
    {
        string path = Path.Combine(TestFiles.Fixture(relativeBag), "metadata.yaml");
        var expected = FixtureInventory.Find(relativeBag).Metadata!;

        var metadata = MetadataYaml.ReadFile(path);

        Assert.Equal(expected.Version, metadata.Version);
        Assert.Equal(expected.Storage, metadata.StorageIdentifier);
        Assert.Equal(expected.MessageCount, metadata.MessageCount);
        Assert.Equal(expected.CompressionFormat, metadata.CompressionFormat);
        Assert.Equal(expected.CompressionMode, metadata.CompressionMode);
        Assert.Equal(expected.Files, metadata.RelativeFilePaths);
        Assert.Equal(
            expected.Topics.Select(t => (t.Name, t.Type, t.SerializationFormat, t.Count)),
            metadata.TopicsWithMessageCount.Select(t => (t.Topic.Name, t.Topic.Type, t.Topic.SerializationFormat, t.MessageCount)));
    }

    [Theory]
    [MemberData(nameof(FixtureMetadataFiles))]
    public void WriteThenParse_EveryFixture_GivesTheSameModelAtVersion9(string relativeBag)
    {
        var original = MetadataYaml.ReadFile(Path.Combine(TestFiles.Fixture(relativeBag), "metadata.yaml"));

        string written = MetadataYaml.Write(original);
        var reread = MetadataYaml.Parse(written, "written.yaml", requireRootKey: true);

        Assert.Equal(original with { Version = BagMetadata.CurrentVersion }, reread);
        Assert.StartsWith("rosbag2_bagfile_information:\n  version: 9\n  storage_identifier: ", written, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_Version1With2018Layout_TakesTopLevelSerializationFormat()
    {
        var metadata = MetadataYaml.ReadFile(TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/test_v1_2018/metadata.yaml"));
        Assert.Equal(1, metadata.Version);
        Assert.Equal(
            [("/test_topic", "test_msgs/Primitives", "cdr", 3L), ("/array_topic", "test_msgs/StaticArrayPrimitives", "cdr", 4L)],
            metadata.TopicsWithMessageCount.Select(t => (t.Topic.Name, t.Topic.Type, t.Topic.SerializationFormat, t.MessageCount)));
        Assert.Equal(1537282604241440135, metadata.StartingTimeNs);
        Assert.Equal(155979811, metadata.DurationNs);
        Assert.Equal("", metadata.CompressionMode);
        Assert.Empty(metadata.Files);
    }

    [Fact]
    public void ReadFile_Version8_ReadsHashesFilesCustomDataAndDistro()
    {
        var metadata = MetadataYaml.ReadFile(TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/bag_with_topics_and_service_events/metadata.yaml"));
        Assert.Equal(8, metadata.Version);
        Assert.Equal("RIHS01_5ef58f7106a5cff8f5a794028c18117ee21015850ddcc567df449f41932960f8", metadata.TopicsWithMessageCount[0].Topic.TypeDescriptionHash);
        Assert.Equal([new BagFileInformation("bag_with_topics_and_service_events.db3", 1699345836023194036, 70633730, 10)], metadata.Files);
        Assert.Empty(metadata.CustomData);
        Assert.Equal("", metadata.RosDistro);
        Assert.Equal(BagMetadata.NoMessagesStartingTimeNs, MetadataYaml.ReadFile(TestFiles.Fixture("rosbag2_fixtures/head/ros2bag/empty_bag/metadata.yaml")).StartingTimeNs);
    }

    [Fact]
    public void Write_ComparedWithRosbag2Output_SameLinesExceptVersionAndQos()
    {
        // This metadata.yaml was written by rosbag2 (yaml-cpp, version 8). Version 9 differs only in the version number and
        // in writing offered_qos_profiles as a nested sequence instead of a string; every other line must be identical.
        string path = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/bag_with_topics_and_service_events/metadata.yaml");
        string theirs = File.ReadAllText(path);
        string ours = MetadataYaml.Write(MetadataYaml.ReadFile(path));

        Assert.Equal(WithoutVersionAndQos(theirs), WithoutVersionAndQos(ours));
    }

    [Fact]
    public void WriteInner_ComparedWithRosbag2MetadataTable_SameLinesExceptVersionAndQos()
    {
        // rosbag2 stores the inner node in each db3's metadata table (no root key).
        string db3 = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/bag_with_topics_and_service_events/bag_with_topics_and_service_events.db3");
        string theirs;
        using (var connection = new SqliteConnection($"Data Source=file:{db3}?immutable=1;Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT metadata FROM metadata ORDER BY id DESC LIMIT 1;";
            theirs = (string)command.ExecuteScalar()!;
        }
        string ours = MetadataYaml.WriteInner(MetadataYaml.Parse(theirs, db3, requireRootKey: false));

        Assert.Equal(WithoutVersionAndQos(theirs), WithoutVersionAndQos(ours));
    }

    private static List<string> WithoutVersionAndQos(string text)
    {
        var kept = new List<string>();
        int skipDeeperThan = -1;
        foreach (string line in text.TrimEnd('\n').Split('\n'))
        {
            int indent = line.Length - line.TrimStart().Length;
            if (skipDeeperThan >= 0 && indent > skipDeeperThan) continue;
            skipDeeperThan = -1;
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("version:", StringComparison.Ordinal)) continue;
            if (trimmed.StartsWith("offered_qos_profiles:", StringComparison.Ordinal))
            {
                skipDeeperThan = indent;
                continue;
            }
            kept.Add(line);
        }
        return kept;
    }

    [Fact]
    public void Write_Version9_LaysOutQosAsNamedPolicySequence()
    {
        var metadata = new BagMetadata
        {
            StorageIdentifier = "sqlite3",
            RelativeFilePaths = ["rec_0.db3"],
            Files = [new BagFileInformation("rec_0.db3", 100, 50, 2)],
            StartingTimeNs = 100,
            DurationNs = 50,
            MessageCount = 2,
            TopicsWithMessageCount =
            [
                new TopicInformation(new TopicMetadata("/a", "std_msgs/msg/String", "cdr",
                    "- history: 1\n  depth: 10\n  reliability: 2\n  durability: 2\n  deadline:\n    sec: 0\n    nsec: 0\n  lifespan:\n    sec: 0\n    nsec: 0\n" +
                    "  liveliness: 1\n  liveliness_lease_duration:\n    sec: 0\n    nsec: 0\n  avoid_ros_namespace_conventions: false"), 2),
                new TopicInformation(new TopicMetadata("/b", "std_msgs/msg/Empty", "cdr"), 0),
            ],
            CustomData = new Dictionary<string, string> { ["key"] = "value" },
            RosDistro = "jazzy",
        };

        const string Expected =
            "rosbag2_bagfile_information:\n" +
            "  version: 9\n" +
            "  storage_identifier: sqlite3\n" +
            "  duration:\n" +
            "    nanoseconds: 50\n" +
            "  starting_time:\n" +
            "    nanoseconds_since_epoch: 100\n" +
            "  message_count: 2\n" +
            "  topics_with_message_count:\n" +
            "    - topic_metadata:\n" +
            "        name: /a\n" +
            "        type: std_msgs/msg/String\n" +
            "        serialization_format: cdr\n" +
            "        offered_qos_profiles:\n" +
            "          - history: keep_last\n" +
            "            depth: 10\n" +
            "            reliability: best_effort\n" +
            "            durability: volatile\n" +
            "            deadline:\n" +
            "              sec: 0\n" +
            "              nsec: 0\n" +
            "            lifespan:\n" +
            "              sec: 0\n" +
            "              nsec: 0\n" +
            "            liveliness: automatic\n" +
            "            liveliness_lease_duration:\n" +
            "              sec: 0\n" +
            "              nsec: 0\n" +
            "            avoid_ros_namespace_conventions: false\n" +
            "        type_description_hash: \"\"\n" +
            "      message_count: 2\n" +
            "    - topic_metadata:\n" +
            "        name: /b\n" +
            "        type: std_msgs/msg/Empty\n" +
            "        serialization_format: cdr\n" +
            "        offered_qos_profiles:\n" +
            "          []\n" +
            "        type_description_hash: \"\"\n" +
            "      message_count: 0\n" +
            "  compression_format: \"\"\n" +
            "  compression_mode: \"\"\n" +
            "  relative_file_paths:\n" +
            "    - rec_0.db3\n" +
            "  files:\n" +
            "    - path: rec_0.db3\n" +
            "      starting_time:\n" +
            "        nanoseconds_since_epoch: 100\n" +
            "      duration:\n" +
            "        nanoseconds: 50\n" +
            "      message_count: 2\n" +
            "  custom_data:\n" +
            "    key: value\n" +
            "  ros_distro: jazzy\n";

        string written = MetadataYaml.Write(metadata);
        Assert.Equal(Expected, written);
        Assert.Equal(metadata, MetadataYaml.Parse(written, "x", requireRootKey: true));
    }

    [Fact]
    public void Parse_Version9WithNumericHistory_AutoDetectsLikeRosbag2()
    {
        string text = MetadataYaml.Write(new BagMetadata
        {
            StorageIdentifier = "mcap",
            RelativeFilePaths = ["x_0.mcap"],
            TopicsWithMessageCount = [new TopicInformation(new TopicMetadata("/t", "a/msg/B", "cdr", SampleBags.Topics[0].OfferedQosProfiles), 0)],
        }).Replace("history: keep_last", "history: 1", StringComparison.Ordinal);

        var parsed = MetadataYaml.Parse(text, "x", requireRootKey: true);
        Assert.Equal(SampleBags.Topics[0].OfferedQosProfiles, parsed.TopicsWithMessageCount[0].Topic.OfferedQosProfiles);
    }

    public static TheoryData<string> AwkwardStrings() => new()
    {
        "", "~", "null", "true", "False", "yes", "off", "123", "-4.5e3", "0x1F", ".inf", "a: b", "a #b", "#c", "-", "- x",
        " lead", "trail ", "colon:", "line\nbreak", "tab\there", "quote\"s", "back\\slash", "'single'", "{brace}", "[list]",
        "ünïcödé", "/ns/topic_name", "RIHS01_abc", "@at", "%pct", "*star", "&amp", "!bang", "|pipe", ">gt", "`tick`", "\u2028",
    };

    [Theory]
    [MemberData(nameof(AwkwardStrings))]
    public void WriteThenParse_AwkwardStrings_ComeBackUnchanged(string value)
    {
        var metadata = new BagMetadata
        {
            StorageIdentifier = "sqlite3",
            RelativeFilePaths = [value.Length == 0 ? "x" : value],
            TopicsWithMessageCount = [new TopicInformation(new TopicMetadata(value, value, value, "", value), 1)],
            MessageCount = 1,
            CustomData = new Dictionary<string, string> { [value.Length == 0 ? "k" : value] = value, ["other"] = value },
            RosDistro = value,
            CompressionFormat = value,
        };
        Assert.Equal(metadata, MetadataYaml.Parse(MetadataYaml.Write(metadata), "x", requireRootKey: true));
    }

    public static TheoryData<string, int, string> BadYaml() => new()
    {
        { "rosbag2_bagfile_information:\n  version: 4\n  version: 5\n  storage_identifier: sqlite3\n", 3, "invalid YAML" },
        { "rosbag2_bagfile_information:\n  version: 4\n  storage_identifier: [sqlite3\n", 4, "invalid YAML" },
        { "rosbag2_bagfile_information:\n  version: four\n  storage_identifier: sqlite3\n", 2, "'version' is not an integer" },
        { "rosbag2_bagfile_information:\n  version: 4\n  topics_with_message_count: []\n  relative_file_paths: []\n", 2, "'storage_identifier' is missing" },
        { "rosbag2_bagfile_information:\n  version: 4\n  storage_identifier: sqlite3\n  message_count: -3\n  topics_with_message_count: []\n", 4, "'message_count' must be at least 0" },
        { "rosbag2_bagfile_information:\n  version: 4\n  storage_identifier: sqlite3\n  message_count: 18446744073709551615\n  topics_with_message_count: []\n", 4, "above the largest" },
        { "rosbag2_bagfile_information:\n  version: 4\n  storage_identifier: sqlite3\n  topics_with_message_count:\n    - topic_metadata:\n        type: a/msg/B\n      message_count: 1\n", 6, "'name' is missing" },
        { "rosbag2_bagfile_information:\n  version: 4\n  storage_identifier: sqlite3\n  topics_with_message_count: 7\n", 4, "must be a sequence" },
        { "some_other_root:\n  version: 4\n", 1, "'rosbag2_bagfile_information' is missing" },
        { "- just\n- a list\n", 1, "mapping at the top level" },
        { "rosbag2_bagfile_information:\n  version: 9\n  storage_identifier: mcap\n  topics_with_message_count:\n    - topic_metadata:\n        name: /t\n        type: a/msg/B\n        serialization_format: cdr\n        offered_qos_profiles:\n          - history: keep_last\n      message_count: 0\n", 10, "QoS profile has no 'depth'" },
    };

    [Theory]
    [MemberData(nameof(BadYaml))]
    public void ReadFile_MalformedMetadata_ThrowsNamingFileLineAndOffset(string text, int line, string reason)
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("metadata.yaml");
        File.WriteAllText(path, text);

        var error = Assert.Throws<BagFormatException>(() => MetadataYaml.ReadFile(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"line {line},", error.Reason, StringComparison.Ordinal);
        Assert.InRange(error.Offset, 0, text.Length);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_DifferentCustomDataOrFiles_NotEqual()
    {
        var a = new BagMetadata { CustomData = new Dictionary<string, string> { ["a"] = "1" }, Files = [new BagFileInformation("f", 1, 2, 3)] };
        Assert.Equal(a, a with { CustomData = new Dictionary<string, string> { ["a"] = "1" }, Files = [new BagFileInformation("f", 1, 2, 3)] });
        Assert.NotEqual(a, a with { CustomData = new Dictionary<string, string> { ["a"] = "2" } });
        Assert.NotEqual(a, a with { Files = [new BagFileInformation("f", 1, 2, 4)] });
    }
}
