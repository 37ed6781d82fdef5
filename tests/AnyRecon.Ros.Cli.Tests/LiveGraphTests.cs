using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

/// <summary>
/// Two anyrecon processes meeting over DDS on loopback: every standard message type round-trips byte-identical
/// (bag play → bag record), topic pub → topic echo, and both end cleanly on SIGINT and SIGTERM.
/// </summary>
public sealed class LiveGraphTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    [Fact]
    public void EveryStandardMessageTypeRoundTripsByteIdenticalThroughPlayAndRecord()
    {
        string source = Fixtures.Require("rosbags_rs_all_types_bag/test_bag_mcap");
        using var temp = new TempDirectory();
        string recorded = Path.Combine(temp.Path, "recorded");
        uint domain = AnyReconProcess.NewDomain();
        using var recorder = AnyReconProcess.Start(domain, "bag", "record", "-o", recorded, "--all");
        // The player announces its publishers, waits for the recorder to subscribe, then plays 10× faster.
        using (var player = AnyReconProcess.Run(domain, Long, "bag", "play", source, "--delay", "3", "--rate", "10"))
            Assert.True(player.ExitCode == 0, player.ErrorText);
        recorder.Interrupt();
        Assert.True(recorder.WaitForExit(TimeSpan.FromSeconds(30)), "the recorder did not end on SIGINT: " + recorder.ErrorText);
        Assert.True(recorder.ExitCode == 0, recorder.ErrorText);

        var expected = ReadByTopic(source);
        var actual = ReadByTopic(recorded);
        Assert.Equal(94, expected.Count);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (topic, messages) in expected)
        {
            Assert.True(messages.Count == actual[topic].Count, $"{topic}: {messages.Count} sent, {actual[topic].Count} recorded");
            for (int i = 0; i < messages.Count; i++)
                Assert.True(messages[i].AsSpan().SequenceEqual(actual[topic][i]), $"{topic} message {i} differs: {Convert.ToHexString(messages[i])} vs {Convert.ToHexString(actual[topic][i])}");
        }
        // The recorder kept each topic's type and the QoS the player offered.
        using var reader = BagReader.Open(recorded);
        using var original = BagReader.Open(source);
        foreach (var topic in original.Topics)
            Assert.Equal(topic.Type, reader.Topics.Single(t => t.Name == topic.Name).Type);
    }

    [Fact]
    public void TopicPubReachesTopicEchoAndBothEndOnSignals()
    {
        uint domain = AnyReconProcess.NewDomain();
        using var echo = AnyReconProcess.Start(domain, "topic", "echo", "/robot/pose", "--type", "geometry_msgs/msg/PoseStamped", "--json", "--times", "3");
        using (var pub = AnyReconProcess.Run(domain, Long, "topic", "pub", "/robot/pose", "geometry_msgs/msg/PoseStamped",
                   "{header: {frame_id: map}, pose: {position: {x: 1.5, y: -2}}}", "--times", "3", "--rate", "20"))
            Assert.True(pub.ExitCode == 0, pub.ErrorText);
        Assert.True(echo.WaitForExit(TimeSpan.FromSeconds(30)), "echo did not finish: " + echo.ErrorText);
        Assert.Equal(0, echo.ExitCode);
        Assert.Equal(3, echo.OutputLines.Length);
        foreach (var line in echo.OutputLines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal("map", json.RootElement.GetProperty("header").GetProperty("frame_id").GetString());
            Assert.Equal(1.5, json.RootElement.GetProperty("pose").GetProperty("position").GetProperty("x").GetDouble());
            Assert.Equal(-2, json.RootElement.GetProperty("pose").GetProperty("position").GetProperty("y").GetDouble());
            Assert.Equal(1, json.RootElement.GetProperty("pose").GetProperty("orientation").GetProperty("w").GetDouble());
        }

        // A publisher that runs until stopped ends cleanly on SIGTERM too.
        using var endless = AnyReconProcess.Start(domain, "topic", "pub", "/chatter", "std_msgs/msg/String", "{data: hi}", "--rate", "50");
        Assert.True(endless.WaitForOutputLines(2, TimeSpan.FromSeconds(30)), endless.ErrorText);
        endless.Terminate();
        Assert.True(endless.WaitForExit(TimeSpan.FromSeconds(30)), "pub did not end on SIGTERM");
        Assert.Equal(0, endless.ExitCode);
    }

    [Fact]
    public void WithoutLibddscLiveCommandsStopAtOnceNamingThePackageAndOfflineCommandsStillWork()
    {
        var missing = new Dictionary<string, string> { ["ANYRECON_DDSC_LIBRARY"] = "libddsc-not-installed.so.0" };
        using (var live = AnyReconProcess.Run(AnyReconProcess.NewDomain(), Long, missing, "topic", "list"))
        {
            Assert.Equal(1, live.ExitCode);
            Assert.Contains("apt-get install libddsc0debian", live.ErrorText);
        }
        string bag = Fixtures.Require("rosbags_rs_all_types_bag/test_bag_mcap");
        using var offline = AnyReconProcess.Run(AnyReconProcess.NewDomain(), Long, missing, "bag", "info", bag);
        Assert.True(offline.ExitCode == 0, offline.ErrorText);
        Assert.Contains(offline.OutputLines, l => l.Contains("Messages:") && l.Contains("188"));
    }

    [Fact]
    public void BagPlayPublishesClockAndAppliesQosOverrides()
    {
        using var temp = new TempDirectory();
        string overrides = temp.Combine("qos.yaml");
        File.WriteAllText(overrides, "/camera/color/camera_info:\n  history: keep_last\n  depth: 3\n  reliability: best_effort\n  durability: transient_local\n");
        uint domain = AnyReconProcess.NewDomain();
        string bag = Path.Combine(Fixtures.RepoRoot, "rosbags", "demo");
        // Slowed down 20× so it is still playing while the tools look at it.
        using var player = AnyReconProcess.Start(domain, "bag", "play", bag, "--rate", "0.05", "--clock", "100", "--qos-profile-overrides-path", overrides);
        using (var clock = AnyReconProcess.Run(domain, Long, "topic", "echo", "/clock", "--type", "rosgraph_msgs/msg/Clock", "--once", "--json"))
        {
            Assert.True(clock.ExitCode == 0, clock.ErrorText + player.ErrorText);
            using var json = JsonDocument.Parse(clock.OutputLines.Single());
            Assert.InRange(json.RootElement.GetProperty("clock").GetProperty("sec").GetInt32(), 1_700_000_000, 1_700_000_002);
        }
        using var info = AnyReconProcess.Run(domain, Long, "topic", "info", "/camera/color/camera_info", "--verbose");
        Assert.True(info.ExitCode == 0, info.ErrorText);
        var text = string.Join('\n', info.OutputLines);
        Assert.Contains("Type: sensor_msgs/msg/CameraInfo", text);
        Assert.Contains("Publisher count: 1", text);
        Assert.Contains("Node name: rosbag2_player", text);
        Assert.Contains("Reliability: BEST_EFFORT", text);
        Assert.Contains("History (Depth): KEEP_LAST (3)", text);
        Assert.Contains("Durability: TRANSIENT_LOCAL", text);
        Assert.Contains("typehash=RIHS01_", text);
        player.Interrupt();
        Assert.True(player.WaitForExit(TimeSpan.FromSeconds(30)), "bag play did not end on SIGINT");
        Assert.Equal(0, player.ExitCode);
    }

    private static Dictionary<string, List<byte[]>> ReadByTopic(string bag)
    {
        using var reader = BagReader.Open(bag);
        var result = new Dictionary<string, List<byte[]>>();
        foreach (var message in reader.ReadMessages())
        {
            if (message.Topic.Name == "/rosout") continue;
            if (!result.TryGetValue(message.Topic.Name, out var list)) result[message.Topic.Name] = list = [];
            list.Add(message.Data.ToArray());
        }
        return result;
    }
}
