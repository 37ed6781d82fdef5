using System.Collections.Concurrent;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.DiagnosticMsgs;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>The node killed, fed garbage, and left by its subscribers: it keeps what it acknowledged and keeps running.</summary>
public sealed class NodeFaultTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    private static string Bag => Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room");

    private static RosContext Listener(uint domain) =>
        new(new RosContextOptions { DomainId = domain, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Localhost, null), Log = _ => { } });

    [Fact]
    public void KilledNodeRestartsWithEveryAcknowledgedKeyframeAndTheMap()
    {
        using var temp = new TempDirectory();
        string map = temp.Combine("map");
        uint domain = AnyReconProcess.NewDomain();
        string[] nodeArgs = ["node", "--ros-args", "-p", $"map_directory:={map}", "-p", "voxel_size_m:=0.02", "-p", "snapshot_period_s:=0.5", "-p", "status_period_s:=0.2"];
        using var context = Listener(domain);
        using var listener = new RosNode(context, "listener");
        PipelineStatus? status = null;
        using var statuses = listener.CreateSubscription<PipelineStatus>("/anyrecon/status", QosProfiles.Default, (m, _) => Volatile.Write(ref status, m));

        ulong acknowledged;
        using (var node = AnyReconProcess.Start(domain, nodeArgs))
        {
            Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
            // Slowed down so the kill lands mid-run.
            using var play = AnyReconProcess.Start(domain, "bag", "play", Bag, "--delay", "3", "--rate", "0.3");
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref status) is { Keyframes: >= 6 }, Long), $"no keyframes: {node.ErrorText}");
            // Snapshots come every 0.5 s of bag time; let one land after these keyframes.
            Thread.Sleep(2000);
            acknowledged = Volatile.Read(ref status)!.Keyframes;
            node.Kill();
            play.Kill();
        }
        // Everything the node reported as acknowledged is in the cache on disk.
        using (var cache = CaptureViewCache.Open(Path.Combine(map, "keyframes")))
            Assert.True((ulong)cache.Count >= acknowledged, $"{cache.Count} keyframes on disk, {acknowledged} acknowledged");

        Volatile.Write(ref status, null);
        PointCloud2? points = null;
        using var cloud = listener.CreateSubscription<PointCloud2>("/anyrecon/points", QosProfiles.Latched, (m, _) => Volatile.Write(ref points, m));
        using var restarted = AnyReconProcess.Start(domain, nodeArgs);
        Assert.True(restarted.WaitForError("resumed", Long), "the restarted node did not resume: " + restarted.ErrorText);
        // With no new input, the restarted node already has the keyframes and serves the map it snapshotted.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref status) is { } s && s.Keyframes >= acknowledged, TimeSpan.FromSeconds(60)),
            $"keyframes after restart: {Volatile.Read(ref status)?.Keyframes}, acknowledged before: {acknowledged}");
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref points) is { Width: > 1000 }, TimeSpan.FromSeconds(60)), "the restarted node published no map");
        restarted.Terminate();
        Assert.True(restarted.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, restarted.ExitCode);
    }

    [Fact]
    public async Task GarbageWrongTypesNaNPosesAndBackwardTimeAreCountedAndTheNodeKeepsServing()
    {
        using var temp = new TempDirectory();
        uint domain = AnyReconProcess.NewDomain();
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={temp.Combine("map")}", "-p", "status_period_s:=0.2");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using var context = Listener(domain);
        using var sender = new RosNode(context, "vandal");
        var diagnostics = new ConcurrentQueue<DiagnosticArray>();
        using var diagnosticsSubscription = sender.CreateSubscription<DiagnosticArray>("/diagnostics", QosProfiles.Default, (m, _) => diagnostics.Enqueue(m));
        using var depth = sender.CreateRawPublisher("/camera/depth/image_rect_raw", TopicType.From(Image.TypeInfo), QosProfiles.SensorData);
        using var info = sender.CreatePublisher<CameraInfo>("/camera/color/camera_info", QosProfiles.Default);
        using var tf = sender.CreatePublisher<TFMessage>("/tf", QosProfiles.Default);
        Assert.True(depth.WaitForSubscriptions(1, Long, TestContext.Current.CancellationToken));
        Assert.True(tf.WaitForSubscriptions(1, Long, TestContext.Current.CancellationToken));
        Thread.Sleep(500);

        for (int i = 0; i < 20; i++)
        {
            // Garbage bytes, a CameraInfo's bytes on the depth topic, and an image in an encoding nobody maps.
            depth.PublishSerialized([0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]);
            depth.PublishSerialized(Messages.Cdr.CdrSerializer.Serialize(new CameraInfo { Width = 4, Height = 4 }));
            var image = new Image { Width = 4, Height = 4, Encoding = "bayer_rggb16", Step = 8, Data = new byte[32] };
            image.Header.Stamp = Geometry.MessageConversions.TimeFromNanoseconds(1_000_000_000L * (100 - i)); // time going backwards
            image.Header.FrameId = "camera";
            depth.Publish(image);
            // A NaN pose on /tf.
            var transform = new TransformStamped { ChildFrameId = "camera" };
            transform.Header.FrameId = "map";
            transform.Header.Stamp = image.Header.Stamp;
            transform.Transform.Translation.X = double.NaN;
            transform.Transform.Rotation.W = 1;
            tf.Publish(new TFMessage { Transforms = [transform] });
            Thread.Sleep(20);
        }

        // Counted and reported on /diagnostics: malformed input, and rejections in the pipeline.
        Assert.True(SpinWait.SpinUntil(() => diagnostics.Any(d => d.Status.Any(s => s.Name == "anyrecon: inputs" && s.Level == DiagnosticStatus.WARN
            && s.Values.Any(v => v.Key == "/camera/depth/image_rect_raw malformed" && long.Parse(v.Value, System.Globalization.CultureInfo.InvariantCulture) >= 20))), Long),
            "no WARN with malformed counts on /diagnostics: " + node.ErrorText);
        // Still serving: a service answers.
        using var client = sender.CreateClient<Messages.AnyReconMsgs.GetMapRequest, Messages.AnyReconMsgs.GetMapResponse>("/anyrecon/get_map");
        Assert.True(client.WaitForService(Long, TestContext.Current.CancellationToken));
        var reply = await client.CallAsync(new Messages.AnyReconMsgs.GetMapRequest(), Long, TestContext.Current.CancellationToken);
        Assert.Equal("map", reply.Points.Header.FrameId);
        Assert.False(node.WaitForExit(TimeSpan.Zero), "the node exited: " + node.ErrorText);
        node.Terminate();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, node.ExitCode);
    }

    [Fact]
    public void MissingCameraInfoIsCountedOnDiagnostics_AndMappingStartsWhenItComes()
    {
        using var temp = new TempDirectory();
        uint domain = AnyReconProcess.NewDomain();
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={temp.Combine("map")}", "-p", "status_period_s:=0.2");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using var context = Listener(domain);
        using var listener = new RosNode(context, "listener");
        PipelineStatus? status = null;
        DiagnosticArray? decode = null;
        using var statuses = listener.CreateSubscription<PipelineStatus>("/anyrecon/status", QosProfiles.Default, (m, _) => Volatile.Write(ref status, m));
        using var diagnostics = listener.CreateSubscription<DiagnosticArray>("/diagnostics", QosProfiles.Default, (m, _) =>
        {
            if (m.Status.Any(s => s.Name == "anyrecon: decode_sync")) Volatile.Write(ref decode, m);
        });

        // The bag without its CameraInfo: every depth image is turned away, counted, and nothing is mapped.
        using (var play = AnyReconProcess.Run(domain, Long, "bag", "play", Bag, "--delay", "3", "--topics", "/camera/color/image_raw", "/camera/depth/image_rect_raw", "/tf", "/tf_static"))
            Assert.True(play.ExitCode == 0, play.ErrorText);
        static long DepthBeforeInfo(DiagnosticArray? d) => d?.Status.First(s => s.Name == "anyrecon: decode_sync").Values
            .Where(v => v.Key == "rejected: depth before camera info").Select(v => long.Parse(v.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault() ?? 0;
        // The demo bag holds 150 depth images; sensor-data QoS may lose a few on a busy machine.
        Assert.True(SpinWait.SpinUntil(() => DepthBeforeInfo(Volatile.Read(ref decode)) >= 100, Long),
            $"depth without camera info not reported: {DepthBeforeInfo(Volatile.Read(ref decode))}; node: {node.ErrorText}");
        Thread.Sleep(1000);
        Assert.Equal(0ul, Volatile.Read(ref status)!.FramesIntegrated);

        // With the CameraInfo the same node maps.
        using (var play = AnyReconProcess.Run(domain, Long, "bag", "play", Bag, "--delay", "1", "--rate", "0.5"))
            Assert.True(play.ExitCode == 0, play.ErrorText);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref status) is { FramesIntegrated: >= 100 }, Long),
            $"frames integrated after camera info: {Volatile.Read(ref status)?.FramesIntegrated}; node: {node.ErrorText}");
        node.Terminate();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, node.ExitCode);
    }

    [Fact]
    public void ASubscriberThatVanishesMidStreamDoesNotStallThePipeline()
    {
        using var temp = new TempDirectory();
        uint domain = AnyReconProcess.NewDomain();
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={temp.Combine("map")}", "-p", "voxel_size_m:=0.02",
            "-p", "status_period_s:=0.2", "-p", "point_cloud_every_frames:=10");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using var context = Listener(domain);
        using var listener = new RosNode(context, "listener");
        PipelineStatus? status = null;
        using var statuses = listener.CreateSubscription<PipelineStatus>("/anyrecon/status", QosProfiles.Default, (m, _) => Volatile.Write(ref status, m));
        // Reliable subscribers of the big outputs, in processes that will die without a word.
        using var points = AnyReconProcess.Start(domain, "topic", "echo", "/anyrecon/points", "--type", "sensor_msgs/msg/PointCloud2", "--qos-profile", "default", "--qos-durability", "transient_local", "--no-arr");
        using var updates = AnyReconProcess.Start(domain, "topic", "echo", "/anyrecon/map_updates/points", "--type", "sensor_msgs/msg/PointCloud2", "--qos-profile", "default", "--no-arr");
        using var play = AnyReconProcess.Start(domain, "bag", "play", Bag, "--delay", "3", "--rate", "0.5");
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref status) is { FramesIntegrated: >= 100 }, Long), "no frames integrated: " + node.ErrorText);
        Assert.True(points.WaitForOutputLines(1, Long) && updates.WaitForOutputLines(1, Long), "the subscribers received nothing");
        points.Kill();
        updates.Kill();
        ulong atKill = Volatile.Read(ref status)!.FramesIntegrated;
        Assert.True(play.WaitForExit(Long), "bag play did not finish");
        // The rest of the bag goes on being integrated while the dead readers' leases run out, and every frame that
        // came in is accounted for: integrated, or dropped (counted) where the queues were full.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref status) is { } s && s.Stages.All(stage => stage.QueueDepth == 0)
            && s.FramesIntegrated + s.Stages.Aggregate(0UL, (sum, stage) => sum + stage.Dropped) >= s.FramesIn && s.FramesIn >= 120, TimeSpan.FromSeconds(60)),
            $"pipeline not drained: {Describe(Volatile.Read(ref status))}");
        Assert.True(Volatile.Read(ref status)!.FramesIntegrated >= atKill + 10, $"integration stopped at the kill: {Describe(Volatile.Read(ref status))}");
        node.Terminate();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, node.ExitCode);
    }

    private static string Describe(PipelineStatus? s) => s is null ? "no status" :
        $"in {s.FramesIn}, integrated {s.FramesIntegrated}, " + string.Join(", ", s.Stages.Select(stage => $"{stage.Name} depth {stage.QueueDepth} dropped {stage.Dropped}"));
}
