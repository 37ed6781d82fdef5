using System.Text.Json;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

/// <summary>The loop from the command line: synth with held-out views, replay --complete, eval --views.</summary>
public sealed class CompletionCommandTests
{
    [Fact]
    public void SynthReplayEval_HeldOutViews_CompletionBeatsGuidanceInPsnrAndSsim()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), output = temp.Combine("out");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "living_room", "--frames", "60", "--width", "160", "--held-out", "4", "--out", bag).ExitCode);
        string heldOut = Path.Combine(bag, "held_out");
        for (int i = 0; i < 4; i++)
        {
            Assert.True(File.Exists(Path.Combine(heldOut, $"{i:D6}.png")));
            Assert.True(File.Exists(Path.Combine(heldOut, $"{i:D6}_depth.png")));
        }
        var replay = CliRunner.Run("replay", bag, "--out", output, "--voxel", "0.02", "--complete", "--targets", Path.Combine(heldOut, "targets.tum"), "--gt-views", heldOut, "--json");
        Assert.True(replay.ExitCode == 0, replay.Error);
        var report = JsonDocument.Parse(replay.Out).RootElement;
        Assert.Equal(4, report.GetProperty("views_completed").GetInt64());
        Assert.True(File.Exists(Path.Combine(output, "completed", "contact_sheet.png")));

        var eval = CliRunner.Run("eval", "--views", Path.Combine(output, "completed"), "--gt-views", heldOut, "--json");
        Assert.True(eval.ExitCode == 0, eval.Error);
        var scores = JsonDocument.Parse(eval.Out).RootElement;
        Assert.Equal(4, scores.GetProperty("views").GetInt32());
        double Score(string which, string metric) => scores.GetProperty(which).GetProperty(metric).GetDouble();
        Assert.True(Score("completed", "psnr") > Score("guidance", "psnr") + 1, eval.Out);
        Assert.True(Score("completed", "ssim") > Score("guidance", "ssim"), eval.Out);
    }

    [Fact]
    public void Replay_SparseCaptureWithTheLoop_CompletenessRisesPrecisionDropsAtMostTwoPoints()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag");
        // Twelve frames around the room: the map has gaps the held-out views look into.
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "living_room", "--frames", "12", "--width", "320", "--held-out", "8", "--out", bag).ExitCode);
        string targets = Path.Combine(bag, "held_out", "targets.tum");
        (double Precision, double Recall) Scores(string output, params string[] extra)
        {
            var replay = CliRunner.Run(["replay", bag, "--out", output, "--voxel", "0.02", .. extra]);
            Assert.True(replay.ExitCode == 0, replay.Error);
            var eval = JsonDocument.Parse(CliRunner.Run("eval", "--map", Path.Combine(output, "map.ply"), "--gt", Path.Combine(bag, "gt_mesh.ply"), "--json").Out).RootElement;
            return (eval.GetProperty("precision").GetProperty("0.02").GetDouble(), eval.GetProperty("recall").GetProperty("0.02").GetDouble());
        }
        var off = Scores(temp.Combine("off"));
        var on = Scores(temp.Combine("on"), "--complete", "--targets", targets);
        Assert.True(on.Recall > off.Recall, $"recall@2cm with the loop {on.Recall:F4}, without {off.Recall:F4}");
        Assert.True(off.Precision - on.Precision <= 0.02, $"precision@2cm with the loop {on.Precision:F4}, without {off.Precision:F4}");
    }

    [Fact]
    public void Eval_ViewsWithoutGroundTruth_ClearError()
    {
        using var temp = new TempDirectory();
        var run = CliRunner.Run("eval", "--views", temp.Path);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--gt-views", run.Error);
        var missing = CliRunner.Run("eval", "--views", temp.Path, "--gt-views", temp.Combine("nope"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
    }

    [Fact]
    public void Replay_TargetsWithoutComplete_ClearError()
    {
        using var temp = new TempDirectory();
        var run = CliRunner.Run("replay", temp.Combine("bag"), "--targets", temp.Combine("t.tum"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--complete", run.Error);
    }
}

public sealed class BenchRetrievalCommandTests
{
    [Fact]
    public void BenchRetrieval_SmallRun_GeometricBeatsNearestPoseAndReportsQueryTimes()
    {
        var run = CliRunner.Run("bench", "retrieval", "--frames", "60", "--keyframes", "300,600", "--queries", "20", "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        var result = System.Text.Json.JsonDocument.Parse(run.Out).RootElement;
        double geometric = result.GetProperty("geometric").GetProperty("mean_visibility").GetDouble();
        double nearest = result.GetProperty("nearest_pose").GetProperty("mean_visibility").GetDouble();
        double best = result.GetProperty("best_possible_visibility").GetDouble();
        Assert.True(geometric > nearest, run.Out);
        Assert.True(best >= geometric, run.Out);
        var scale = result.GetProperty("scale").EnumerateArray().ToList();
        Assert.Equal([300, 600], scale.Select(s => s.GetProperty("keyframes").GetInt32()));
        // The corridor's keyframes see only nearby places: a query scores a bounded set, not every keyframe.
        Assert.All(scale, s => Assert.InRange(s.GetProperty("candidates_scored_p50").GetInt32(), 1, 100));
        Assert.All(scale, s => Assert.True(s.GetProperty("query_ms_p95").GetDouble() >= s.GetProperty("query_ms_p50").GetDouble()));
    }
}
