using System.Text.Json;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class BenchScalingCommandTests
{
    [Fact]
    public void BenchScaling_SmallRunsWithBudget_ReportsBothRunsAndHoldsTheBudget()
    {
        // 4 cm voxels at 320x240: about 1,100 blocks in the room, some 500 per frame, so 800 must evict and reload.
        const int budget = 800;
        var run = CliRunner.Run("bench", "scaling", "--scene", "living_room", "--frames-small", "20", "--frames-large", "60", "--window", "10",
            "--voxel", "0.04", "--width", "320", "--budget", budget.ToString(), "--json");
        Assert.Equal(0, run.ExitCode);
        var result = JsonDocument.Parse(run.Out).RootElement;
        foreach (string key in new[] { "scene", "voxel", "width", "height", "threads", "budget", "low_water_fraction", "ratio_long_last_vs_first_p50",
            "ratio_long_last_vs_first_p95", "ratio_long_last_vs_short_last_p50", "ratio_long_last_vs_short_last_p95", "peak_resident_blocks", "within_budget",
            "budget_overruns", "evictions", "reloads", "peak_rss_mb" })
            Assert.True(result.TryGetProperty(key, out _), key);
        Assert.Equal(240, result.GetProperty("height").GetInt32());
        Assert.Equal(budget, result.GetProperty("budget").GetInt32());

        foreach (var (name, frames) in new[] { ("short", 20), ("long", 60) })
        {
            var r = result.GetProperty(name);
            foreach (string key in new[] { "first_p50_ms", "first_p95_ms", "last_p50_ms", "last_p95_ms", "all_p50_ms", "all_p95_ms", "blocks",
                "peak_resident_blocks", "evictions", "eviction_passes", "reloads", "budget_overruns", "peak_rss_mb" })
                Assert.True(r.TryGetProperty(key, out _), $"{name}.{key}");
            Assert.Equal(frames, r.GetProperty("frames").GetInt32());
            Assert.Equal(10, r.GetProperty("window").GetInt32());
            Assert.True(r.GetProperty("first_p95_ms").GetDouble() >= r.GetProperty("first_p50_ms").GetDouble());
            Assert.True(r.GetProperty("blocks").GetInt32() > budget, $"{name}: the map must outgrow the budget");
            Assert.True(r.GetProperty("peak_resident_blocks").GetInt32() <= budget, $"{name}: {r.GetProperty("peak_resident_blocks")} resident");
            Assert.True(r.GetProperty("evictions").GetInt64() > 0, name);
            Assert.Equal(0, r.GetProperty("budget_overruns").GetInt64());
        }
        Assert.True(result.GetProperty("within_budget").GetBoolean());
        Assert.True(result.GetProperty("peak_resident_blocks").GetInt32() <= budget);
    }

    [Fact]
    public void BenchScaling_BadWidth_FailsNamingTheOption()
    {
        var run = CliRunner.Run("bench", "scaling", "--scene", "office", "--width", "30");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--width", run.Error);
    }
}
