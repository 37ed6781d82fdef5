using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class BagCommandTests
{
    private const string Talker = "rosbag2_fixtures/head/rosbag2_py/{0}/talker";

    // Counts and times as rosbag2_fixtures/INVENTORY.txt and the bags' metadata.yaml give them.
    [Theory]
    [InlineData("sqlite3")]
    [InlineData("mcap")]
    public void Info_Json_TalkerBag_ReportsMetadata(string storage)
    {
        string bag = Fixtures.Require(string.Format(Talker, storage));
        var result = CliRunner.Run("bag", "info", bag, "--json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(storage, root.GetProperty("storage").GetString());
        Assert.Equal(20, root.GetProperty("message_count").GetInt64());
        Assert.Equal(1585866235112411371, root.GetProperty("start_ns").GetInt64());
        Assert.Equal(1585866239643508139, root.GetProperty("end_ns").GetInt64());
        Assert.Equal(1585866239643508139 - 1585866235112411371, root.GetProperty("duration_ns").GetInt64());
        var topics = root.GetProperty("topics").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => (t.GetProperty("type").GetString(), t.GetProperty("serialization_format").GetString(), t.GetProperty("message_count").GetInt64()));
        Assert.Equal(("std_msgs/msg/String", "cdr", 10L), topics["/topic"]);
        Assert.Equal(("rcl_interfaces/msg/Log", "cdr", 10L), topics["/rosout"]);
        Assert.Equal(("rcl_interfaces/msg/ParameterEvent", "cdr", 0L), topics["/parameter_events"]);
        Assert.Single(root.GetProperty("files").EnumerateArray());
    }

    [Fact]
    public void Info_Text_SplitBag_ListsEveryFileAndTopic()
    {
        string bag = Fixtures.Require("rosbag2_fixtures/head/rosbag2_py/mcap/wbag");
        var result = CliRunner.Run("bag", "info", bag);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Storage id:        mcap", result.Out);
        Assert.Contains("Messages:          6074", result.Out);
        for (int i = 0; i < 5; i++) Assert.Contains($"wbag_{i}.mcap", result.Out);
        Assert.Contains("Topic: AAA | Type: std_msgs/msg/String | Count: 804 | Serialization Format: cdr", result.Out);
    }

    [Theory]
    [InlineData("sqlite3")]
    [InlineData("mcap")]
    public void Echo_Json_TalkerTopic_PrintsEachMessage(string storage)
    {
        string bag = Fixtures.Require(string.Format(Talker, storage));
        var result = CliRunner.Run("bag", "echo", bag, "--topic", "/topic", "--json");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Lines;
        Assert.Equal(10, lines.Length);
        for (int i = 0; i < lines.Length; i++)
            Assert.Equal($"{{\"data\":\"Hello, world! {i}\"}}", lines[i]);
    }

    [Theory]
    [InlineData("sqlite3")]
    [InlineData("mcap")]
    public void Echo_Text_RosoutWithLimit_PrintsLogFields(string storage)
    {
        string bag = Fixtures.Require(string.Format(Talker, storage));
        var result = CliRunner.Run("bag", "echo", bag, "--topic", "/rosout", "--limit", "3");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, result.Lines.Count(l => l.StartsWith("--- /rosout @ ", StringComparison.Ordinal)));
        Assert.Contains("name: 'minimal_publisher'", result.Out);
        Assert.Contains("msg: 'Publishing: ''Hello, world! 2'''", result.Out);
        Assert.Contains("level: 20", result.Out);
    }

    [Theory]
    [InlineData("rosbag2_fixtures/head/rosbag2_cpp/bags_no_metadata/topics_and_services.db3")]
    [InlineData("rosbag2_fixtures/head/rosbag2_cpp/bags_no_metadata/topics_and_services.mcap")]
    public void Echo_Json_ServiceEventsWeDoNotShip_DecodeFromTheBagsDefinition(string file)
    {
        string bag = Fixtures.Require(file);
        var result = CliRunner.Run("bag", "echo", bag, "--topic", "/add_two_ints/_service_event", "--json");
        Assert.Equal(0, result.ExitCode);
        var events = result.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(6, events.Length);
        // Each call shows up as a request event (a, b) and a response event (sum = a + b).
        var requests = events.Where(e => e.GetProperty("request").GetArrayLength() == 1).Select(e => e.GetProperty("request")[0]).ToArray();
        var responses = events.Where(e => e.GetProperty("response").GetArrayLength() == 1).Select(e => e.GetProperty("response")[0].GetProperty("sum").GetInt64()).ToArray();
        Assert.NotEmpty(requests);
        Assert.Equal(requests.Select(r => r.GetProperty("a").GetInt64() + r.GetProperty("b").GetInt64()).Order(), responses.Order());
    }

    [Fact]
    public void Echo_TypeNotShipped_DecodesFromMcapSchema()
    {
        string bag = Fixtures.Require("rosbag2_fixtures/head/rosbag2_py/mcap/convert_a");
        var result = CliRunner.Run("bag", "echo", bag, "--topic", "b_basictypes", "--limit", "1", "--json");
        Assert.Equal(0, result.ExitCode);
        var message = JsonDocument.Parse(result.Lines.Single()).RootElement;
        // test_msgs/BasicTypes has all the primitive fields.
        foreach (var field in new[] { "bool_value", "byte_value", "char_value", "float32_value", "float64_value", "int8_value", "uint8_value", "int16_value", "uint16_value", "int32_value", "uint32_value", "int64_value", "uint64_value" })
            Assert.True(message.TryGetProperty(field, out _), field);
    }

    [Fact]
    public void Echo_WrongSerializationFormat_FailsNamingIt()
    {
        string bag = Fixtures.Require("rosbag2_fixtures/head/rosbag2_tests/sqlite3/wrong_rmw_test");
        var result = CliRunner.Run("bag", "echo", bag, "--topic", "/test_topic");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("wrong_format", result.Error);
        Assert.Contains("/test_topic", result.Error);
    }

    [Fact]
    public void Commands_MissingBag_FailWithOneClearLine()
    {
        var result = CliRunner.Run("bag", "info", "/nonexistent/bag");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("/nonexistent/bag", result.Error);
        Assert.Equal(1, CliRunner.Run("bag", "echo", "/nonexistent/bag", "--topic", "/x").ExitCode);
    }

    [Theory]
    [InlineData("rosbag2_fixtures/head/rosbag2_py/sqlite3/talker")]
    [InlineData("rosbag2_fixtures/head/rosbag2_py/mcap/wbag")]
    [InlineData("rosbags_rs_all_types_bag/test_bag_sqlite3")]
    public void Convert_Db3ToMcapToDb3_KeepsEveryMessage(string fixture)
    {
        string source = Fixtures.Require(fixture);
        using var temp = new TempDirectory();
        Assert.Equal(0, CliRunner.Run("bag", "convert", source, temp.Combine("as_mcap"), "--storage", "mcap", "--compression", "zstd").ExitCode);
        Assert.Equal(0, CliRunner.Run("bag", "convert", temp.Combine("as_mcap"), temp.Combine("back"), "--storage", "sqlite3").ExitCode);

        using var original = BagReader.Open(source);
        using var converted = BagReader.Open(temp.Combine("as_mcap"));
        using var back = BagReader.Open(temp.Combine("back"));
        Assert.Equal("mcap", converted.Metadata.StorageIdentifier);
        Assert.Equal("sqlite3", back.Metadata.StorageIdentifier);
        var expected = Snapshot(original);
        Assert.Equal(expected, Snapshot(converted));
        Assert.Equal(expected, Snapshot(back));
        Assert.Equal(original.Topics.Select(t => (t.Name, t.Type, t.SerializationFormat)).Order(), back.Topics.Select(t => (t.Name, t.Type, t.SerializationFormat)).Order());
    }

    private static List<(string Topic, long Time, string Sha)> Snapshot(BagReader reader) =>
        reader.ReadMessages()
            .Select(m => (m.Topic.Name, m.TimestampNs, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(m.Data.Span))))
            .OrderBy(x => x.TimestampNs).ThenBy(x => x.Name, StringComparer.Ordinal).ThenBy(x => x.Item3, StringComparer.Ordinal)
            .ToList();

    [Theory]
    [InlineData("mcap")]
    [InlineData("sqlite3")]
    public void Demo_WritesABagTheToolsRead(string storage)
    {
        using var temp = new TempDirectory();
        var write = CliRunner.Run("bag", "demo", temp.Combine("demo"), "--storage", storage);
        Assert.Equal(0, write.ExitCode);
        var info = JsonDocument.Parse(CliRunner.Run("bag", "info", temp.Combine("demo"), "--json").Out).RootElement;
        Assert.Equal(storage, info.GetProperty("storage").GetString());
        Assert.Equal(1 + 20 * 5, info.GetProperty("message_count").GetInt64());
        var cameraInfo = JsonDocument.Parse(CliRunner.Run("bag", "echo", temp.Combine("demo"), "--topic", "/camera/color/camera_info", "--limit", "1", "--json").Lines.Single()).RootElement;
        Assert.Equal("camera_color_optical_frame", cameraInfo.GetProperty("header").GetProperty("frame_id").GetString());
        Assert.Equal(64, cameraInfo.GetProperty("width").GetInt32());
    }

    [Fact]
    public void BundledDemoBag_IsExactlyWhatTheDemoCommandWrites()
    {
        // rosbags/demo is ours, not a copy of anyone's files: regenerating it gives the same bytes.
        string bundled = Path.Combine(Fixtures.RepoRoot, "rosbags", "demo");
        using var temp = new TempDirectory();
        Assert.Equal(0, CliRunner.Run("bag", "demo", temp.Combine("demo")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(bundled, "demo_0.mcap")), File.ReadAllBytes(temp.Combine("demo/demo_0.mcap")));
        Assert.Equal(File.ReadAllText(Path.Combine(bundled, "metadata.yaml")), File.ReadAllText(temp.Combine("demo/metadata.yaml")));
    }
}
