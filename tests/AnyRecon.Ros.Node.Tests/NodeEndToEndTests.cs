using AnyRecon.Ros.Evaluation;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>
/// The node in its own process, fed over DDS by <c>anyrecon bag play</c> in another: the map it publishes on ~/points
/// scores against the bag's ground truth as the offline replay of the same bag does.
/// </summary>
public sealed class NodeEndToEndTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    [Fact]
    public void BagPlayedIntoTheNodeMapsAsWellAsReplay()
    {
        string bag = Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room");
        using var temp = new TempDirectory();
        uint domain = AnyReconProcess.NewDomain();
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={temp.Combine("map")}", "-p", "voxel_size_m:=0.02");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);

        using var context = new RosContext(new RosContextOptions { DomainId = domain, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Localhost, null) });
        using var listener = new RosNode(context, "points_listener");
        PointCloud2? latest = null;
        using var points = listener.CreateSubscription<PointCloud2>("/anyrecon/points", QosProfiles.Latched, (m, _) => Volatile.Write(ref latest, m));
        // Half speed: the node keeps up on a busy 2-core machine, so the map holds every frame as replay's does.
        using (var play = AnyReconProcess.Run(domain, Long, "bag", "play", bag, "--delay", "3", "--rate", "0.5"))
            Assert.True(play.ExitCode == 0, play.ErrorText);
        // ~/points comes once a second; wait for the one that holds the bag's last frames.
        long lastFrame = 1_700_000_004_800_000_000;
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref latest) is { } p && p.Header.Stamp.ToNanoseconds() >= lastFrame, TimeSpan.FromSeconds(60)),
            $"no ~/points of the whole bag: last stamp {Volatile.Read(ref latest)?.Header.Stamp.ToNanoseconds()}; node: {node.ErrorText}");
        var cloud = Volatile.Read(ref latest)!;
        Assert.Equal("map", cloud.Header.FrameId);
        Assert.Equal(["x", "y", "z", "rgb", "confidence", "source"], cloud.Fields.Select(f => f.Name));

        using (var replay = AnyReconProcess.Run(domain, Long, "replay", bag, "--voxel", "0.02", "--out", temp.Combine("replay")))
            Assert.True(replay.ExitCode == 0, replay.ErrorText);
        var truth = PlyFile.Read(Path.Combine(bag, "gt_mesh.ply"));
        var surface = new TriangleSurface(truth.Positions, truth.Triangles);
        double live = ReconstructionMetrics.Evaluate(LiveInput.Positions(cloud), surface).FScore[0.02];
        double offline = ReconstructionMetrics.Evaluate(PlyFile.Read(temp.Combine("replay", "map.ply")).Positions, surface).FScore[0.02];
        Assert.True(Math.Abs(live - offline) <= 0.02, $"F@2cm live {live:F4}, replay {offline:F4}");
        Assert.True(offline > 0.9, $"replay F@2cm {offline:F4}");

        node.Interrupt();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)), "the node did not end on SIGINT");
        Assert.True(node.ExitCode == 0, node.ErrorText);
        Assert.True(File.Exists(temp.Combine("map", "voxels.map")), "no final snapshot");
    }
}
