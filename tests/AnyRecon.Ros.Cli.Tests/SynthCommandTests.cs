using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class SynthCommandTests
{
    [Fact]
    public void Synth_WritesACameraRecordingWithGroundTruth_Deterministically()
    {
        using var temp = new TempDirectory();
        string a = temp.Combine("a"), b = temp.Combine("b");
        var run = CliRunner.Run("synth", "--scene", "office", "--frames", "6", "--out", a, "--width", "96", "--noise", "--seed", "3", "--json");
        Assert.Equal(0, run.ExitCode);
        var summary = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(6, summary.GetProperty("frames").GetInt32());
        Assert.Equal(1 + 6 * 5, summary.GetProperty("messages").GetInt64());
        Assert.True(summary.GetProperty("ground_truth_triangles").GetInt32() > 0);

        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "6", "--out", b, "--width", "96", "--noise", "--seed", "3").ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "a_0.mcap")), File.ReadAllBytes(Path.Combine(b, "b_0.mcap")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "gt_mesh.ply")), File.ReadAllBytes(Path.Combine(b, "gt_mesh.ply")));

        using var reader = BagReader.Open(a);
        var counts = reader.Metadata.TopicsWithMessageCount.ToDictionary(t => t.Topic.Name, t => t.MessageCount);
        Assert.Equal(1, counts["/tf_static"]);
        Assert.Equal(6, counts["/tf"]);
        Assert.Equal(6, counts["/camera/color/image_raw"]);
        Assert.Equal(6, counts["/camera/depth/image_rect_raw"]);
        Assert.Equal(6, counts["/camera/color/camera_info"]);
        var depth = reader.ReadMessages(new MessageFilter { Topics = ["/camera/depth/image_rect_raw"] })
            .Select(m => CdrSerializer.Deserialize<Image>(m.Data.Span)).First();
        Assert.Equal(("16UC1", 96u, 72u, 192u), (depth.Encoding, depth.Width, depth.Height, depth.Step));
        var tf = reader.ReadMessages(new MessageFilter { Topics = ["/tf"] }).Select(m => CdrSerializer.Deserialize<TFMessage>(m.Data.Span)).First();
        Assert.Equal(("map", "camera_link"), (tf.Transforms[0].Header.FrameId, tf.Transforms[0].ChildFrameId));
        Assert.Equal(7, File.ReadAllLines(Path.Combine(a, "gt_trajectory_tum.txt")).Length);
    }

    [Fact]
    public void Synth_BadArguments_FailClearly()
    {
        using var temp = new TempDirectory();
        Assert.NotEqual(0, CliRunner.Run("synth", "--scene", "nowhere", "--frames", "3", "--out", temp.Combine("x")).ExitCode);
        var zero = CliRunner.Run("synth", "--scene", "office", "--frames", "0", "--out", temp.Combine("y"));
        Assert.Equal(1, zero.ExitCode);
        Assert.Contains("--frames", zero.Error);
    }
}
