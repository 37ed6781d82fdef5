using System.Collections.Concurrent;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.DiagnosticMsgs;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>
/// Input at twice the bag's real rate for over a minute (640×480 RGB-D at 60 Hz): memory stays under the budget,
/// every frame past the keyframe gate is integrated and every keyframe cached, input the node cannot take is dropped
/// and reported, and services keep answering.
/// </summary>
public sealed class NodeLoadTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task TwiceRealRateForAMinute()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag");
        // Generous: rendering 300 frames takes ~20 s alone, minutes on a machine busy with other work.
        using (var synth = AnyReconProcess.Run(0, TimeSpan.FromMinutes(10), "synth", "--scene", "living_room", "--frames", "300", "--out", bag))
            Assert.True(synth.ExitCode == 0, synth.ErrorText);
        const double budgetMb = 700;
        uint domain = AnyReconProcess.NewDomain();
        string map = temp.Combine("map");
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={map}", "-p", "voxel_size_m:=0.02",
            "-p", "memory_budget_mb:=700.0", "-p", "status_period_s:=0.5");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using var context = new RosContext(new RosContextOptions { DomainId = domain, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Localhost, null), Log = _ => { } });
        using var client = new RosNode(context, "load_client");
        var statuses = new ConcurrentQueue<PipelineStatus>();
        var diagnostics = new ConcurrentQueue<DiagnosticArray>();
        using var statusSubscription = client.CreateSubscription<PipelineStatus>("/anyrecon/status", QosProfiles.Default, (m, _) => statuses.Enqueue(m));
        using var diagnosticsSubscription = client.CreateSubscription<DiagnosticArray>("/diagnostics", QosProfiles.Default, (m, _) => diagnostics.Enqueue(m));
        using var getMap = client.CreateClient<GetMapRequest, GetMapResponse>("/anyrecon/get_map");
        var ct = TestContext.Current.CancellationToken;
        Assert.True(getMap.WaitForService(Long, ct));

        using var play = AnyReconProcess.Start(domain, "bag", "play", bag, "--loop", "--rate", "2", "--delay", "2");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int answered = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(65))
        {
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            // Responsive under load: each call is answered (within a generous timeout, the map is large).
            var reply = await getMap.CallAsync(new GetMapRequest { VoxelSize = 0.05f }, TimeSpan.FromSeconds(30), ct);
            Assert.Equal("map", reply.Points.Header.FrameId);
            answered++;
        }
        play.Terminate();
        Assert.True(play.WaitForExit(TimeSpan.FromSeconds(30)));
        // Let the queues drain, then look at the last status.
        Assert.True(SpinWait.SpinUntil(() => statuses.LastOrDefault() is { } s && s.Stages.All(stage => stage.QueueDepth == 0), TimeSpan.FromSeconds(60)));
        var last = statuses.Last();
        Assert.True(answered >= 12, $"{answered} service calls answered");
        Assert.True(last.FramesIn >= 60 * 50, $"only {last.FramesIn} frames came in: the input was not at 2× rate");
        double peakRss = statuses.Max(s => s.RssMb);
        Assert.True(peakRss < budgetMb, $"RSS {peakRss:F0} MB over the {budgetMb} MB budget");
        // After the keyframe gate nothing is dropped: every admitted frame is integrated, every keyframe cached.
        foreach (var stage in last.Stages.Where(s => s.Name is "integrate" or "capture_cache"))
            Assert.True(stage.Dropped == 0, $"{stage.Name} dropped {stage.Dropped}");
        ulong dropped = last.Stages.Aggregate(0UL, (sum, s) => sum + s.Dropped);
        // Drops (if the node could not keep up) are on /diagnostics as a WARN of the stage that dropped.
        if (dropped > 0)
            Assert.Contains(diagnostics, d => d.Status.Any(s => s.Level == DiagnosticStatus.WARN && s.Values.Any(v => v.Key == "dropped" && v.Value != "0")));

        node.Terminate();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, node.ExitCode);
        // The status the node sends as it stops counts every keyframe it acknowledged: all are in the cache.
        var final = statuses.Last();
        using var cache = CaptureViewCache.Open(Path.Combine(map, "keyframes"));
        Assert.True(final.Keyframes >= last.Keyframes);
        // Every assembled frame is accounted for: integrated, dropped before the gate, or rejected (all counted).
        var gate = final.Stages.Single(s => s.Name == "keyframe_gate");
        var integrate = final.Stages.Single(s => s.Name == "integrate");
        Assert.Equal(final.FramesIn, final.FramesIntegrated + gate.Dropped + gate.Rejected + integrate.Dropped + integrate.Rejected);
        Assert.Equal(final.Keyframes, (ulong)cache.Count);
    }
}
