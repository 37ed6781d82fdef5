using System.Text.Json;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class ReplayCommandTests
{
    [Fact]
    public void Replay_SyntheticBag_FusesAMapThatMatchesTheGroundTruth()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), output = temp.Combine("out");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "40", "--out", bag, "--width", "160").ExitCode);
        var run = CliRunner.Run("replay", bag, "--out", output, "--voxel", "0.02", "--json");
        Assert.Equal(0, run.ExitCode);
        var report = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(40, report.GetProperty("frames_integrated").GetInt64());
        // stdout is the JSON alone; stderr (redirected here, so no progress bar) still ends with the one-line summary.
        var errorLines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var summary = Assert.Single(errorLines);
        Assert.Matches(@"^replay: 40 frames integrated \(\d+ keyframes\), \d+ dropped from queues, \d+ rejected, \d+ unsynchronized, \d+\.\d\d s$", summary);
        long dropped = report.GetProperty("queues").EnumerateArray().Sum(q => q.GetProperty("dropped").GetInt64());
        Assert.Contains($", {dropped} dropped from queues,", summary);
        Assert.True(report.GetProperty("points").GetInt32() > 1000);
        foreach (var file in new[] { "map.ply", "mesh.ply", "report.json", "output.mcap", "map/voxels.map" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);

        // Independent truth: the scene's own surfaces. Exact depth, 2 cm voxels: nearly everything within 5 cm.
        var eval = JsonDocument.Parse(CliRunner.Run("eval", "--map", Path.Combine(output, "map.ply"), "--gt", Path.Combine(bag, "gt_mesh.ply"), "--json", "--sample-spacing", "0.005").Out).RootElement;
        Assert.True(eval.GetProperty("fscore").GetProperty("0.05").GetDouble() > 0.95, eval.ToString());
        Assert.True(eval.GetProperty("accuracy").GetDouble() < 0.01, eval.ToString());

        var info = JsonDocument.Parse(CliRunner.Run("map", "info", output, "--json").Out).RootElement;
        Assert.Equal(0.02, info.GetProperty("voxel_size_m").GetDouble(), 6);
        Assert.True(info.GetProperty("blocks").GetInt64() > 0);
        // Every keyframe the report counts is in the capture-view cache beside the map.
        long keyframes = report.GetProperty("keyframes").GetInt64();
        Assert.InRange(keyframes, 2, 39);
        Assert.Equal(keyframes, info.GetProperty("keyframes").GetInt64());

        // The output bag holds what the live node will publish: incremental updates and the final fused cloud.
        var points = CliRunner.Run("bag", "info", Path.Combine(output, "output.mcap"), "--json");
        Assert.Equal(0, points.ExitCode);
        var topics = JsonDocument.Parse(points.Out).RootElement.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Equal(["/anyrecon/map_updates", "/anyrecon/map_updates/points", "/anyrecon/points", "/anyrecon/status", "/diagnostics"], topics.Order(StringComparer.Ordinal));

        // Our own message types decode by name from the definitions stored in the bag.
        var echo = CliRunner.Run("bag", "echo", Path.Combine(output, "output.mcap"), "--topic", "/anyrecon/status", "--json");
        Assert.Equal(0, echo.ExitCode);
        var statuses = echo.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(40, statuses[^1].GetProperty("frames_in").GetInt64());
        Assert.Equal(["decode_sync", "keyframe_gate", "integrate", "capture_cache"], statuses[^1].GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var update = CliRunner.Run("bag", "echo", Path.Combine(output, "output.mcap"), "--topic", "/anyrecon/map_updates", "--limit", "1");
        Assert.Equal(0, update.ExitCode);
        Assert.Contains("sequence_number: 1", update.Out);
    }

    [Fact]
    public void Replay_BudgetBelowOneFrame_WarnsInReportAndOnStderr()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), output = temp.Combine("out");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "12", "--out", bag, "--width", "96").ExitCode);
        File.WriteAllText(temp.Combine("p.yaml"), "max_blocks_in_memory: 10\neviction_low_water_fraction: 0.8\n");
        var run = CliRunner.Run("replay", bag, "--params", temp.Combine("p.yaml"), "--out", output, "--voxel", "0.05", "--json");
        Assert.Equal(0, run.ExitCode);
        var report = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(10, report.GetProperty("max_blocks_in_memory").GetInt32());
        long overruns = report.GetProperty("budget_overruns").GetInt64();
        Assert.True(overruns > 0);
        Assert.True(report.GetProperty("peak_blocks_in_memory").GetInt32() > 10);
        var warnings = report.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray();
        Assert.Single(warnings);
        Assert.Contains("block budget 10", warnings[0]);
        // Rate-limited: the first overrun is reported as it happens, not every frame; the summary follows at the end.
        var stderrWarnings = run.Error.Split('\n').Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).ToArray();
        Assert.InRange(stderrWarnings.Length, 2, 3);
        Assert.Equal("warning: " + warnings[0], stderrWarnings[^1]);
    }

    [Fact]
    public void Replay_BudgetThatHolds_NoWarningsAndPeakWithinBudget()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), output = temp.Combine("out");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "12", "--out", bag, "--width", "96").ExitCode);
        File.WriteAllText(temp.Combine("p.yaml"), "max_blocks_in_memory: 100000\n");
        var run = CliRunner.Run("replay", bag, "--params", temp.Combine("p.yaml"), "--out", output, "--voxel", "0.05", "--json");
        Assert.Equal(0, run.ExitCode);
        var report = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(0, report.GetProperty("budget_overruns").GetInt64());
        Assert.Empty(report.GetProperty("warnings").EnumerateArray());
        // The peak counts blocks a frame allocates and releases again when no voxel of them is in a band.
        int peak = report.GetProperty("peak_blocks_in_memory").GetInt32();
        Assert.InRange(report.GetProperty("blocks_in_memory").GetInt32(), 1, peak);
        Assert.Equal(0, report.GetProperty("blocks_on_disk").GetInt32());
        Assert.DoesNotContain("warning:", run.Error);
    }

    [Fact]
    public void Replay_BagWithoutCameraTopics_FailsNamingThem()
    {
        string bag = Fixtures.Require("rosbag2_fixtures/head/rosbag2_py/sqlite3/talker");
        using var temp = new TempDirectory();
        var run = CliRunner.Run("replay", bag, "--out", temp.Combine("out"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/camera/depth/image_rect_raw", run.Error);
    }

    [Fact]
    public void Replay_UnknownParameter_FailsNamingIt()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("p.yaml"), "voxel_size_m: 0.02\nvoxel_sise: 3\n");
        var run = CliRunner.Run("replay", Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room"), "--params", temp.Combine("p.yaml"), "--out", temp.Combine("o"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("voxel_sise", run.Error);
    }

    [Fact]
    public void BundledLivingRoomBag_IsExactlyWhatSynthWrites()
    {
        // rosbags/living_room is ours: `anyrecon synth --scene living_room --frames 150 --width 320` regenerates it.
        string bundled = Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room");
        using var temp = new TempDirectory();
        string again = temp.Combine("living_room");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "living_room", "--frames", "150", "--out", again, "--width", "320").ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(bundled, "living_room_0.mcap")), File.ReadAllBytes(Path.Combine(again, "living_room_0.mcap")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(bundled, "gt_mesh.ply")), File.ReadAllBytes(Path.Combine(again, "gt_mesh.ply")));
    }
}
