using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Dynamic;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Voxels;
using Xunit;
using DiagnosticStatus = AnyRecon.Ros.Messages.DiagnosticMsgs.DiagnosticStatus;

namespace AnyRecon.Ros.Pipeline.Tests;

/// <summary><c>replay</c>'s output.mcap read back as a subscriber of the live node would see it.</summary>
public sealed class ReplayOutputTests
{
    private const int FrameCount = 40;
    private static readonly string[] s_stages = ["decode_sync", "keyframe_gate", "integrate", "capture_cache"];

    private static string WriteBag(TempDirectory temp, SyntheticRecordingOptions recordingOptions)
    {
        string bag = temp.Combine("bag");
        var recording = new SyntheticRecording(SceneLibrary.Get("office"), FrameCount, recordingOptions);
        using var writer = RgbdBagWriter.Create(bag, recording.Intrinsics);
        foreach (var frame in recording.Frames()) writer.Write(frame.TimestampNs, frame.WorldFromCamera, frame.Image.Color, frame.Image.Depth.Metres);
        return bag;
    }

    [Fact]
    public async Task RunAsync_WithEviction_OutputBagRebuildsTheSavedMapAndReportsStatus()
    {
        using var temp = new TempDirectory();
        var recordingOptions = new SyntheticRecordingOptions { Width = 160, Height = 120 };
        string bag = WriteBag(temp, recordingOptions);
        var options = new MappingOptions { PointCloudEveryFrames = 7, StatusPeriodSeconds = 0.25, MapUpdateMaxBlocks = 200 };
        options.Voxels.VoxelSizeMeters = 0.04;
        options.Voxels.MaxBlocksInMemory = 60;
        string output = temp.Combine("out");
        var result = await ReplayRun.RunAsync(bag, output, options, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Report.Evictions > 0, "the budget never evicted: evicted blocks went unread");
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement;
        Assert.Equal(FrameCount, json.GetProperty("frames_in").GetInt64());
        Assert.Equal(FrameCount, json.GetProperty("frames_integrated").GetInt64());
        long lastFrameNs = recordingOptions.StartTimeNs + (FrameCount - 1) * recordingOptions.FramePeriodNs;

        using var reader = BagReader.Open(Path.Combine(output, "output.mcap"));
        foreach (var topic in NodeTopics.All)
        {
            var meta = Assert.Single(reader.Topics, t => t.Name == topic.Name);
            Assert.Equal(topic.Type.RosName, meta.Type);
            Assert.Equal(topic.Type.TypeHash, meta.TypeDescriptionHash);
            Assert.Equal(topic.OfferedQos, meta.OfferedQosProfiles);
            Assert.Contains(reader.MessageDefinitions, d => d.TopicType == topic.Type.RosName && d.Encoding == "ros2msg" && d.Text == topic.Type.Definition);
        }
        Assert.Contains("durability: 1", NodeTopics.Points.OfferedQos); // transient local: the map is latched

        var replica = new MapReplica();
        var statuses = new List<PipelineStatus>();
        var diagnostics = new List<DynamicMessage>();
        // Diagnostics decode from the definition stored in the bag, as a tool without our types would.
        var diagnosticsDecoder = new TopicMessageDecoder(NodeTopics.Diagnostics.Type.RosName, reader.MessageDefinitions.Select(d => (d.TopicType, d.Encoding, d.Text)));
        long lastUpdateNs = 0;
        int maxBlocks = 0, publishes = 0;
        foreach (var message in reader.ReadMessages())
        {
            if (message.Topic.Name == NodeTopics.MapUpdates.Name)
            {
                var update = CdrSerializer.Deserialize<MapUpdate>(message.Data.Span);
                Assert.Equal("map", update.Header.FrameId);
                Assert.Equal(message.TimestampNs, update.Header.Stamp.ToNanoseconds());
                Assert.True(update.Header.Stamp.ToNanoseconds() >= lastUpdateNs);
                lastUpdateNs = update.Header.Stamp.ToNanoseconds();
                Assert.Equal(0.04f, update.VoxelSizeM);
                replica.Apply(update);
                maxBlocks = Math.Max(maxBlocks, update.ChangedBlocks.Length);
            }
            else if (message.Topic.Name == NodeTopics.MapUpdatePoints.Name) publishes++;
            else if (message.Topic.Name == NodeTopics.Status.Name) statuses.Add(CdrSerializer.Deserialize<PipelineStatus>(message.Data.Span));
            else if (message.Topic.Name == NodeTopics.Diagnostics.Name) diagnostics.Add(diagnosticsDecoder.Decode(message.Data.Span));
        }

        // Every 7 frames, then the rest at the end; a publish with more than 200 blocks spans several updates.
        Assert.Equal(FrameCount / 7 + 1, publishes);
        Assert.True(replica.LastSequence > (ulong)publishes, $"{replica.LastSequence} updates");
        Assert.True(maxBlocks is > 100 and <= 200, $"largest update: {maxBlocks} blocks");
        Assert.Equal(lastFrameNs, lastUpdateNs);
        using (var saved = VoxelMapFile.Load(Path.Combine(output, "map", ReplayRun.MapFileName)))
        {
            Assert.True(replica.AssertMatches(saved) > 50);
            Assert.Equal(saved.BlockCount, result.Report.BlocksInMemory + result.Report.BlocksOnDisk);
        }

        // Status: once per 0.25 s of bag time and once at the end, the last one equal to the report.
        Assert.Equal(statuses.Count, diagnostics.Count);
        Assert.True(statuses.Count >= 6, $"{statuses.Count} statuses for {FrameCount} frames at 30 Hz");
        var stamps = statuses.Select(s => s.Header.Stamp.ToNanoseconds()).ToList();
        for (int i = 1; i < stamps.Count - 1; i++)
        {
            long gap = stamps[i] - stamps[i - 1];
            Assert.InRange(gap, 250_000_000, 250_000_000 + recordingOptions.FramePeriodNs);
        }
        Assert.Equal(lastFrameNs, stamps[^1]);
        var last = statuses[^1];
        Assert.Equal(s_stages, last.Stages.Select(s => s.Name));
        Assert.Equal((ulong)FrameCount, last.FramesIn);
        Assert.Equal((ulong)result.Report.Keyframes, last.Keyframes);
        Assert.True(last.Keyframes >= 2, $"{last.Keyframes} keyframes");
        Assert.Equal((ulong)result.Report.BlocksInMemory, last.BlocksInMemory);
        Assert.Equal((ulong)result.Report.BlocksOnDisk, last.BlocksOnDisk);
        Assert.All(last.Stages, s => Assert.Equal(0ul, s.Dropped));
        Assert.All(last.Stages, s => Assert.Equal((uint)options.QueueCapacity * (s.Name == "decode_sync" ? 8u : 1u), s.QueueCapacity));
        Assert.True(last.Stages[2].LatencyP95Ms >= last.Stages[2].LatencyP50Ms && last.Stages[2].LatencyP50Ms > 0);
        Assert.True(statuses.Zip(statuses.Skip(1)).All(p => p.First.FramesIn <= p.Second.FramesIn));

        var finalDiagnostics = (DynamicMessage[])diagnostics[^1]["status"]!;
        Assert.Equal(s_stages.Select(s => "anyrecon: " + s).Append("anyrecon: map").Append("anyrecon: camera camera"), finalDiagnostics.Select(d => (string)d["name"]!));
        foreach (var d in finalDiagnostics)
        {
            Assert.Equal("anyrecon", d["hardware_id"]);
            Assert.Equal(DiagnosticStatus.OK, d["level"]); // replay waits instead of dropping
        }
        string Value(DynamicMessage status, string key) =>
            (string)((DynamicMessage[])status["values"]!).Single(v => (string)v["key"]! == key)["value"]!;
        Assert.Equal(FrameCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(finalDiagnostics[2], "processed"));
        Assert.Equal(json.GetProperty("frames_in").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Value(finalDiagnostics[^2], "frames_in"));
        Assert.Equal(FrameCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(finalDiagnostics[^1], "frames_integrated"));
    }

    [Fact]
    public void StatusMessages_DropsBetweenSnapshots_WarnOnlyWhileDropsGrow()
    {
        var status = new StatusMessages();
        MappingReport Report(long dropped) => new(
            FramesIn: 10 + dropped, FramesIntegrated: 10, Keyframes: 3,
            Stages: [new StageStatus("decode_sync", 10, 1, 2, new Dictionary<string, long> { ["bad encoding"] = 2 })],
            Queues: [new QueueStatus("ingest", 1, 64, 10 + dropped, dropped, QueueFullPolicy.DropOldest)],
            Sync: null, LastPoseError: null, TransformRejections: default, BlocksInMemory: 5, BlocksOnDisk: 7, Evictions: 7, Reloads: 0,
            ElapsedSeconds: 1, PeakRssMegabytes: 100, PeakBlocksInMemory: 5, BudgetOverruns: 0, Warnings: []);
        var header = new Header();

        var (first, firstDiagnostics) = status.Next(Report(0), header);
        Assert.Equal(DiagnosticStatus.OK, firstDiagnostics.Status[0].Level);
        Assert.Equal(64u, first.Stages[0].QueueCapacity);
        Assert.Equal(1u, first.Stages[0].QueueDepth);
        Assert.Equal(2.0, first.Stages[0].LatencyP95Ms);
        Assert.Equal(7ul, first.BlocksOnDisk);
        Assert.Contains(firstDiagnostics.Status[0].Values, v => v.Key == "rejected: bad encoding" && v.Value == "2");

        var (second, secondDiagnostics) = status.Next(Report(3), header);
        Assert.Equal(DiagnosticStatus.WARN, secondDiagnostics.Status[0].Level);
        Assert.Contains("3 dropped", secondDiagnostics.Status[0].Message);
        Assert.Equal(3ul, second.Stages[0].Dropped);
        Assert.Equal(13ul, second.FramesIn);

        var (_, thirdDiagnostics) = status.Next(Report(3), header);
        Assert.Equal(DiagnosticStatus.OK, thirdDiagnostics.Status[0].Level);
    }

    [Fact]
    public void StatusPeriodSeconds_NotPositive_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MappingOptions { StatusPeriodSeconds = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MappingOptions { StatusPeriodSeconds = double.NaN });
    }
}
