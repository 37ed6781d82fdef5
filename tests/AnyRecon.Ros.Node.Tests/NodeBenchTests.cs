using System.Text.Json;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>
/// <c>anyrecon bench node</c>, the command behind the README's node figures, runs end to end on the demo bag and its
/// figures agree with each other (what it measures is reported, not asserted: no wall-clock bound here).
/// </summary>
public sealed class NodeBenchTests
{
    [Fact]
    public void BenchNodeOnTheDemoBagReportsConsistentFigures()
    {
        string bag = Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room");
        using var run = AnyReconProcess.Run(AnyReconProcess.NewDomain(), TimeSpan.FromMinutes(5), "bench", "node", "--bag", bag, "--seconds", "6", "--json");
        Assert.True(run.ExitCode == 0, run.ErrorText);
        var result = JsonDocument.Parse(run.OutputLines.Last(l => l.StartsWith('{'))).RootElement;
        long framesIn = result.GetProperty("frames_in").GetInt64(), integrated = result.GetProperty("frames_integrated").GetInt64();
        long dropped = result.GetProperty("dropped").GetInt64();
        // The bag is played at its 30 Hz, looped; the node takes frames in, and what it does not integrate it drops and counts
        // (up to a few queues' worth were in flight at either end of the window).
        Assert.InRange(result.GetProperty("input_rate_hz").GetDouble(), 5, 40);
        Assert.True(integrated > 0, string.Join('\n', run.OutputLines));
        Assert.True(Math.Abs(integrated + dropped - framesIn) <= 24, $"{framesIn} in, {integrated} integrated, {dropped} dropped");
        var latency = result.GetProperty("latency_ms");
        double p50 = latency.GetProperty("p50").GetDouble(), p95 = latency.GetProperty("p95").GetDouble(), p99 = latency.GetProperty("p99").GetDouble();
        Assert.True(0 < p50 && p50 <= p95 && p95 <= p99, $"latency p50 {p50}, p95 {p95}, p99 {p99}");
        var wait = result.GetProperty("map_wait_ms");
        Assert.True(wait.GetProperty("p95").GetDouble() <= wait.GetProperty("max").GetDouble());
        Assert.True(result.GetProperty("cpu_cores").GetDouble() > 0);
        Assert.True(result.GetProperty("peak_rss_mb").GetDouble() > 50);
        Assert.True(result.GetProperty("keyframes").GetInt64() > 0);
        Assert.True(result.GetProperty("completion_enabled").GetBoolean());
        Assert.Equal(1.0, result.GetProperty("points_rate_hz").GetDouble());
    }
}
