using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdSrvs;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>The node's services against a node that mapped the demo bag: save, reset, load, get the map, complete a view.</summary>
public sealed class NodeServiceTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task SaveResetLoadGetMapAndCompleteViewWork()
    {
        using var temp = new TempDirectory();
        string mapDirectory = temp.Combine("map");
        uint domain = AnyReconProcess.NewDomain();
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={mapDirectory}", "-p", "voxel_size_m:=0.02", "-p", "points_voxel_size_m:=0.0");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using (var play = AnyReconProcess.Run(domain, Long, "bag", "play", Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room"), "--delay", "3", "--rate", "0.5"))
            Assert.True(play.ExitCode == 0, play.ErrorText);

        using var context = new RosContext(new RosContextOptions { DomainId = domain, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Localhost, null), Log = _ => { } });
        using var client = new RosNode(context, "service_client");
        using var save = client.CreateClient<SaveMapRequest, SaveMapResponse>("/anyrecon/save_map");
        using var load = client.CreateClient<LoadMapRequest, LoadMapResponse>("/anyrecon/load_map");
        using var reset = client.CreateClient<TriggerRequest, TriggerResponse>("/anyrecon/reset");
        using var getMap = client.CreateClient<GetMapRequest, GetMapResponse>("/anyrecon/get_map");
        using var complete = client.CreateClient<CompleteViewRequest, CompleteViewResponse>("/anyrecon/complete_view");
        var ct = TestContext.Current.CancellationToken;
        foreach (var ready in new Func<bool>[] { () => save.WaitForService(Long, ct), () => load.WaitForService(Long, ct), () => reset.WaitForService(Long, ct),
                     () => getMap.WaitForService(Long, ct), () => complete.WaitForService(Long, ct) })
            Assert.True(ready());

        var full = (await getMap.CallAsync(new GetMapRequest(), Long, ct)).Points;
        Assert.True(full.Width > 10_000, $"map has {full.Width} points");

        var saved = await save.CallAsync(new SaveMapRequest { Path = "saved/first.map" }, Long, ct);
        Assert.True(saved.Success, saved.Message);
        Assert.Equal(Path.Combine(mapDirectory, "saved", "first.map"), saved.SavedPath);
        Assert.True(File.Exists(saved.SavedPath));
        // Nothing is written outside the map directory.
        foreach (var outside in new[] { "../escape.map", "/tmp/escape.map", "saved/../../escape.map" })
        {
            var refused = await save.CallAsync(new SaveMapRequest { Path = outside }, Long, ct);
            Assert.False(refused.Success, outside);
            Assert.Contains("outside the map directory", refused.Message);
        }
        Assert.False(File.Exists(temp.Combine("escape.map")));

        var cleared = await reset.CallAsync(new TriggerRequest(), Long, ct);
        Assert.True(cleared.Success);
        Assert.Equal(0u, (await getMap.CallAsync(new GetMapRequest(), Long, ct)).Points.Width);

        var loaded = await load.CallAsync(new LoadMapRequest { Path = "saved/first.map" }, Long, ct);
        Assert.True(loaded.Success, loaded.Message);
        Assert.True(loaded.Blocks > 0);
        var again = (await getMap.CallAsync(new GetMapRequest(), Long, ct)).Points;
        Assert.Equal(full.Width, again.Width);
        // The same points (extraction order follows the block table, so compare them sorted).
        Assert.Equal(SortedPoints(full), SortedPoints(again));
        var missing = await load.CallAsync(new LoadMapRequest { Path = "saved/none.map" }, Long, ct);
        Assert.False(missing.Success);

        // A view between two of the bag's poses (camera_color_optical_frame in map, from its TUM trajectory).
        var request = new CompleteViewRequest();
        request.Target.Header.FrameId = "map";
        request.Target.Pose.Position.X = -1.747525;
        request.Target.Pose.Position.Y = -1.22746875;
        request.Target.Pose.Position.Z = 1.40084375;
        request.Target.Pose.Orientation.X = -0.7388660038740458;
        request.Target.Pose.Orientation.Y = 0.3057352072001737;
        request.Target.Pose.Orientation.Z = -0.229601559999447;
        request.Target.Pose.Orientation.W = 0.554874882332302;
        var view = await complete.CallAsync(request, Long, ct);
        Assert.True(view.Success, view.Message);
        Assert.Equal(view.CameraInfo.Width, view.Image.Width);
        Assert.Equal("rgb8", view.Image.Encoding);
        Assert.Equal("32FC1", view.Depth.Encoding);
        Assert.Equal((int)(view.Image.Width * view.Image.Height * 3), view.Image.Data.Length);
        Assert.NotEmpty(view.KeyframeStamps);
        // Most of the view is known surface at a plausible range.
        var depths = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(view.Depth.Data);
        Assert.True(depths.ToArray().Count(d => d is > 0.3f and < 10f) > depths.Length / 2, "the completed depth is mostly empty");
        // A pose in another frame is refused with a reason.
        request.Target.Header.FrameId = "odom";
        var refusedView = await complete.CallAsync(request, Long, ct);
        Assert.False(refusedView.Success);
        Assert.Contains("map frame", refusedView.Message);

        node.Terminate();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, node.ExitCode);
    }

    private static string[] SortedPoints(PointCloud2 cloud) =>
        [.. Enumerable.Range(0, (int)cloud.Width).Select(i => Convert.ToHexString(cloud.Data, i * (int)cloud.PointStep, (int)cloud.PointStep)).Order(StringComparer.Ordinal)];
}
