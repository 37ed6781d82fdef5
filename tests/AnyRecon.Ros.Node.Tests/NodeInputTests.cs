using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.DiagnosticMsgs;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using Xunit;
using NavMsgs = AnyRecon.Ros.Messages.NavMsgs;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>
/// The node's other inputs, fed over DDS from this process with the demo bag's frames: image_transport's compressed
/// and compressedDepth topics, a pose topic instead of TF, and two cameras at once. Each run must integrate every
/// frame and map as well as <c>anyrecon replay</c> of the bag does (F-score@2cm against the ground-truth mesh).
/// </summary>
public sealed class NodeInputTests
{
    private static readonly TimeSpan Long = LiveInput.Long;

    // Live ~/points vs replay's map.ply, both 2 cm voxels, from the same observations (JPEG changes only colour;
    // compressedDepth PNG is lossless, checked below): runs agree to 4 decimals (0.9871 both, in every case here). The
    // margin covers the fusion order (two cameras) and ~/points' 2 cm subsampling; a camera posed by the wrong frame
    // scored 0.12, and a centimetre of pose error or a share of frames missing costs more than this.
    private const double FScoreTolerance = 0.005;

    /// <summary>What a node run left: its last status, its last ~/points and its map directory.</summary>
    private sealed record NodeRun(PipelineStatus Status, PointCloud2 Points, string MapDirectory, string Log, DiagnosticArray? Diagnostics);

    /// <summary>
    /// Starts a node with <paramref name="parameters"/>, lets <paramref name="feed"/> publish to it, stops it with SIGINT
    /// (queued and pending frames are integrated then), and returns its final status and ~/points.
    /// </summary>
    private static NodeRun RunNode(TempDirectory temp, string[] parameters, long lastStampNs, Action<RosNode, Func<long>> feed)
    {
        uint domain = AnyReconProcess.NewDomain();
        string map = temp.Combine("map");
        string[] args = ["node", "--ros-args", "-p", $"map_directory:={map}", "-p", "voxel_size_m:=0.02", "-p", "status_period_s:=0.1",
            // Replay (the reference) does not complete views; neither does the node here, so both maps hold only observations.
            "-p", "completion_enabled:=false",
            .. parameters.SelectMany(p => new[] { "-p", p })];
        using var node = AnyReconProcess.Start(domain, args);
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using var context = LiveInput.Context(domain);
        using var feeder = new RosNode(context, "feeder");
        PipelineStatus? status = null;
        PointCloud2? points = null;
        DiagnosticArray? diagnostics = null;
        using var diagnosticsSubscription = feeder.CreateSubscription<DiagnosticArray>("/diagnostics", QosProfiles.Default, (m, _) => Volatile.Write(ref diagnostics, m));
        using var statuses = feeder.CreateSubscription<PipelineStatus>("/anyrecon/status", QosProfiles.Default, (m, _) => Volatile.Write(ref status, m));
        using var cloud = feeder.CreateSubscription<PointCloud2>("/anyrecon/points", QosProfiles.Latched, (m, _) => Volatile.Write(ref points, m));
        feed(feeder, () => LiveInput.FramesDone(Volatile.Read(ref status)));
        // Let the node take what is in flight, then stop it: it flushes its synchronizers and publishes the final map and status.
        Thread.Sleep(1000);
        node.Interrupt();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)), "the node did not end on SIGINT");
        Assert.True(node.ExitCode == 0, node.ErrorText);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref points) is { } p && p.Header.Stamp.ToNanoseconds() >= lastStampNs, TimeSpan.FromSeconds(10)),
            $"no ~/points up to the last frame: last stamp {Volatile.Read(ref points)?.Header.Stamp.ToNanoseconds()}; node: {node.ErrorText}");
        Assert.NotNull(Volatile.Read(ref status));
        return new NodeRun(Volatile.Read(ref status)!, Volatile.Read(ref points)!, map, node.ErrorText, Volatile.Read(ref diagnostics));
    }

    private static string Describe(NodeRun run) =>
        $"in {run.Status.FramesIn}, integrated {run.Status.FramesIntegrated}, " +
        string.Join(", ", run.Status.Stages.Select(s => $"{s.Name}: dropped {s.Dropped} rejected {s.Rejected}")) + "; diagnostics: " +
        string.Join(", ", (run.Diagnostics?.Status ?? []).SelectMany(s => s.Values.Where(v => v.Key.Contains("received") || v.Key.Contains("dropped") || v.Key.StartsWith("rejected:"))
            .Select(v => $"{s.Name} {v.Key}={v.Value}"))) + "; node: " + run.Log;

    /// <summary>A count of the node's final /diagnostics for one input topic (received, dropped, malformed).</summary>
    private static long Input(NodeRun run, string topic, string what)
    {
        Assert.True(run.Diagnostics is not null, "no /diagnostics");
        var values = run.Diagnostics.Status.Single(s => s.Name == "anyrecon: inputs").Values;
        var value = values.FirstOrDefault(v => v.Key == $"{topic} {what}") ?? throw new Xunit.Sdk.XunitException($"the node has no input {topic}: {Describe(run)}");
        return long.Parse(value.Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every message reached the node and was used: each of <paramref name="imageTopics"/> received its images, none
    /// was dropped or rejected, every frame was integrated — and the map scores as replay's does.
    /// </summary>
    private static void AssertMapsAsReplay(NodeRun run, int frames, params string[] imageTopics)
    {
        // Each camera has a colour and a depth topic.
        int perTopic = frames / (imageTopics.Length / 2);
        foreach (string topic in imageTopics)
            Assert.True(Input(run, topic, "received") == perTopic && Input(run, topic, "dropped") == 0, $"{topic}: {Describe(run)}");
        Assert.True(run.Status.Stages.All(s => s.Rejected == 0 && s.Dropped == 0), $"input rejected or dropped: {Describe(run)}");
        Assert.True(run.Status.FramesIn == (ulong)frames && run.Status.FramesIntegrated == (ulong)frames, $"expected {frames} frames integrated: {Describe(run)}");
        Assert.Equal("map", run.Points.Header.FrameId);
        double live = LivingRoomBag.FScoreAt2cm(LiveInput.Positions(run.Points));
        double replay = LivingRoomBag.ReplayFScoreAt2cm;
        TestContext.Current.TestOutputHelper?.WriteLine($"F@2cm live {live:F4}, replay {replay:F4}; {Describe(run)}");
        Assert.True(Math.Abs(live - replay) <= FScoreTolerance, $"F@2cm live {live:F4}, replay {replay:F4}");
        Assert.True(replay > 0.9, $"replay F@2cm {replay:F4}");
    }

    [Fact]
    public void CompressedColorAndCompressedDepthMapAsWellAsRawReplay()
    {
        var bag = LivingRoomBag.Instance;
        // Re-encoded as image_transport's plugins would: JPEG colour, compressedDepth 16UC1 (12-byte header + 16-bit PNG).
        var color = new List<CompressedImage>();
        var depth = new List<CompressedImage>();
        using (var decoder = new RosImageDecoder())
        using (var encoder = new RosImageEncoder())
        {
            foreach (var frame in bag.Frames)
            {
                var raw = decoder.DecodeDepth(frame.Depth);
                var png = encoder.ToCompressedDepth(raw, frame.Depth.Header);
                // PNG of millimetres is lossless for this bag's depth: the map's geometry must come out as replay's.
                Assert.Equal(raw.Metres, decoder.DecodeDepth(png).Metres);
                color.Add(encoder.ToJpeg(decoder.DecodeColor(frame.Color), frame.Color.Header));
                depth.Add(png);
            }
        }
        Assert.Equal("rgb8; jpeg compressed bgr8", color[0].Format);
        Assert.Equal("16UC1; compressedDepth png", depth[0].Format);

        using var temp = new TempDirectory();
        var run = RunNode(temp, ["camera.color_transport:=compressed", "camera.depth_transport:=compressedDepth"], bag.Frames[^1].StampNs, (feeder, framesDone) =>
        {
            using var colorOut = feeder.CreatePublisher<CompressedImage>("/camera/color/image_raw/compressed", QosProfiles.SensorData);
            using var depthOut = feeder.CreatePublisher<CompressedImage>("/camera/depth/image_rect_raw/compressedDepth", QosProfiles.SensorData);
            using var info = feeder.CreatePublisher<CameraInfo>("/camera/color/camera_info", QosProfiles.SensorData);
            using var tf = feeder.CreatePublisher<TFMessage>("/tf", QosProfiles.Default);
            using var tfStatic = feeder.CreatePublisher<TFMessage>("/tf_static", LiveInput.StaticTf);
            LiveInput.WaitForNode(colorOut, depthOut, info, tf, tfStatic);
            tfStatic.Publish(bag.Static);
            PublishCalibration(info, bag.Frames[0].Info);
            // Half the bag's 30 Hz at most, as the end-to-end test plays it, and slower when the node falls behind.
            LiveInput.Paced(bag.Frames.Count, 15, i =>
            {
                var frame = bag.Frames[i];
                tf.Publish(frame.Tf);
                info.Publish(frame.Info);
                colorOut.Publish(color[i]);
                depthOut.Publish(depth[i]);
            }, framesDone);
        });
        AssertMapsAsReplay(run, bag.Frames.Count, "/camera/color/image_raw/compressed", "/camera/depth/image_rect_raw/compressedDepth");
    }

    [Theory]
    [InlineData(PoseStamped.RosTypeName)]
    [InlineData(NavMsgs.Odometry.RosTypeName)]
    public void PoseTopicInsteadOfTfMapsAsWellAsReplay(string poseType)
    {
        var bag = LivingRoomBag.Instance;
        using var temp = new TempDirectory();
        var run = RunNode(temp, ["pose_topic:=/camera_pose", $"pose_topic_type:={poseType}"], bag.Frames[^1].StampNs, (feeder, framesDone) =>
        {
            using var colorOut = feeder.CreatePublisher<Image>("/camera/color/image_raw", QosProfiles.SensorData);
            using var depthOut = feeder.CreatePublisher<Image>("/camera/depth/image_rect_raw", QosProfiles.SensorData);
            using var info = feeder.CreatePublisher<CameraInfo>("/camera/color/camera_info", QosProfiles.SensorData);
            RawPublisher poses = poseType == PoseStamped.RosTypeName
                ? feeder.CreatePublisher<PoseStamped>("/camera_pose", QosProfiles.Default)
                : feeder.CreatePublisher<NavMsgs.Odometry>("/camera_pose", QosProfiles.Default);
            using var _ = poses;
            LiveInput.WaitForNode(colorOut, depthOut, info, poses);
            PublishCalibration(info, bag.Frames[0].Info);
            LiveInput.Paced(bag.Frames.Count, 15, i =>
            {
                var frame = bag.Frames[i];
                // The pose of the images' frame in the world frame: what the node otherwise looks up in TF.
                var header = new Header { Stamp = frame.Depth.Header.Stamp, FrameId = "map" };
                var pose = LiveInput.ToPose(bag.WorldFromCamera(frame.StampNs));
                poses.Publish(poseType == PoseStamped.RosTypeName
                    ? new PoseStamped { Header = header, Pose = pose }
                    : new NavMsgs.Odometry { Header = header, ChildFrameId = bag.CameraFrame, Pose = new PoseWithCovariance { Pose = pose } });
                info.Publish(frame.Info);
                colorOut.Publish(frame.Color);
                depthOut.Publish(frame.Depth);
            }, framesDone);
        });
        AssertMapsAsReplay(run, bag.Frames.Count, "/camera/color/image_raw", "/camera/depth/image_rect_raw");
        Assert.True(Input(run, "/camera_pose", "received") == bag.Frames.Count, Describe(run));
    }

    [Fact]
    public void TwoCamerasAreEachPosedByTheirOwnFrame()
    {
        // front plays the bag's first half, back its second half at the same stamps, in a frame of its own whose TF
        // chain (map -> back_link -> back optical) carries the second half's poses. Together they see what the whole
        // bag sees; a back frame posed by front's TF (or not integrated) maps half the room wrong (or not at all).
        var bag = LivingRoomBag.Instance;
        int half = bag.Frames.Count / 2;
        const string backLink = "back_link", backOptical = "back_color_optical_frame";
        var staticLink = Assert.Single(bag.Static.Transforms);
        var backStatic = Clone(bag.Static);
        backStatic.Transforms[0].Header.FrameId = backLink;
        backStatic.Transforms[0].ChildFrameId = backOptical;
        var statics = new TFMessage { Transforms = [staticLink, backStatic.Transforms[0]] };
        Assert.Equal(bag.CameraFrame, staticLink.ChildFrameId);

        var steps = new List<(TFMessage Tf, BagFrame Front, Image BackColor, Image BackDepth, CameraInfo BackInfo)>();
        for (int i = 0; i < half; i++)
        {
            var front = bag.Frames[i];
            var later = bag.Frames[half + i];
            var backTf = Clone(later.Tf).Transforms.Single();
            backTf.ChildFrameId = backLink;
            backTf.Header.Stamp = front.Tf.Transforms[0].Header.Stamp;
            var tf = new TFMessage { Transforms = [front.Tf.Transforms.Single(), backTf] };
            steps.Add((tf, front, Restamped(later.Color, front), Restamped(later.Depth, front), Restamped(later.Info, front)));
        }

        using var temp = new TempDirectory();
        var run = RunNode(temp, ["cameras:=[front, back]", "front.color_topic:=/front/color/image_raw", "front.depth_topic:=/front/depth/image_rect_raw",
            "front.camera_info_topic:=/front/color/camera_info"], bag.Frames[half - 1].StampNs, (feeder, framesDone) =>
        {
            // back keeps the default topics of a camera that is not the first: /back/color/image_raw, …
            using var frontColor = feeder.CreatePublisher<Image>("/front/color/image_raw", QosProfiles.SensorData);
            using var frontDepth = feeder.CreatePublisher<Image>("/front/depth/image_rect_raw", QosProfiles.SensorData);
            using var frontInfo = feeder.CreatePublisher<CameraInfo>("/front/color/camera_info", QosProfiles.SensorData);
            using var backColor = feeder.CreatePublisher<Image>("/back/color/image_raw", QosProfiles.SensorData);
            using var backDepth = feeder.CreatePublisher<Image>("/back/depth/image_rect_raw", QosProfiles.SensorData);
            using var backInfo = feeder.CreatePublisher<CameraInfo>("/back/color/camera_info", QosProfiles.SensorData);
            using var tf = feeder.CreatePublisher<TFMessage>("/tf", QosProfiles.Default);
            using var tfStatic = feeder.CreatePublisher<TFMessage>("/tf_static", LiveInput.StaticTf);
            LiveInput.WaitForNode(frontColor, frontDepth, frontInfo, backColor, backDepth, backInfo, tf, tfStatic);
            tfStatic.Publish(statics);
            PublishCalibration(frontInfo, steps[0].Front.Info);
            PublishCalibration(backInfo, steps[0].BackInfo);
            // Two cameras: a quarter of the bag's rate each, the same frames per second as the single-camera runs.
            LiveInput.Paced(steps.Count, 7.5, i =>
            {
                var step = steps[i];
                tf.Publish(step.Tf);
                frontInfo.Publish(step.Front.Info);
                backInfo.Publish(step.BackInfo);
                frontColor.Publish(step.Front.Color);
                frontDepth.Publish(step.Front.Depth);
                backColor.Publish(step.BackColor);
                backDepth.Publish(step.BackDepth);
            }, framesDone, framesPerStep: 2);
        });
        AssertMapsAsReplay(run, 2 * half, "/front/color/image_raw", "/front/depth/image_rect_raw", "/back/color/image_raw", "/back/depth/image_rect_raw");

        // Both cameras' frames made keyframes, each with its own camera's pose at that stamp.
        int fromFront = 0, fromBack = 0;
        using (var cache = CaptureViewCache.Open(Path.Combine(run.MapDirectory, "keyframes")))
        {
            foreach (var keyframe in cache.Infos)
            {
                int i = bag.Frames.ToList().FindIndex(f => f.StampNs == keyframe.StampNs);
                Assert.InRange(i, 0, half - 1);
                if (Near(keyframe.WorldFromCamera, bag.WorldFromCamera(bag.Frames[i].StampNs))) fromFront++;
                else if (Near(keyframe.WorldFromCamera, bag.WorldFromCamera(bag.Frames[half + i].StampNs))) fromBack++;
                else Assert.Fail($"keyframe at {keyframe.StampNs} has neither camera's pose: {keyframe.WorldFromCamera}");
            }
        }
        Assert.True(fromFront > 0 && fromBack > 0, $"keyframes: front {fromFront}, back {fromBack}");
        // /diagnostics gives each camera's share: every frame of each, and the keyframes the cache holds from each.
        foreach (var (name, keyframes) in new[] { ("front", fromFront), ("back", fromBack) })
        {
            var camera = run.Diagnostics!.Status.Single(s => s.Name == $"anyrecon: camera {name}");
            string Value(string key) => camera.Values.Single(v => v.Key == key).Value;
            Assert.True(Value("frames_integrated") == half.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{name}: {Describe(run)}");
            Assert.Equal(keyframes.ToString(System.Globalization.CultureInfo.InvariantCulture), Value("keyframes"));
        }
    }

    /// <summary>Calibration first, a few times: the node drops depth that arrives before any camera info.</summary>
    private static void PublishCalibration(RawPublisher info, CameraInfo first)
    {
        for (int i = 0; i < 3; i++)
        {
            info.Publish(first);
            Thread.Sleep(100);
        }
    }

    private static T Clone<T>(T message) where T : Messages.IRosMessage<T> => CdrSerializer.Deserialize<T>(CdrSerializer.Serialize(message));

    private static Image Restamped(Image image, BagFrame at)
    {
        var copy = Clone(image);
        copy.Header.Stamp = at.Depth.Header.Stamp;
        copy.Header.FrameId = "back_color_optical_frame";
        return copy;
    }

    private static CameraInfo Restamped(CameraInfo info, BagFrame at)
    {
        var copy = Clone(info);
        copy.Header.Stamp = at.Depth.Header.Stamp;
        copy.Header.FrameId = "back_color_optical_frame";
        return copy;
    }

    private static bool Near(RigidTransform a, RigidTransform b) =>
        Math.Abs(a.Translation.X - b.Translation.X) + Math.Abs(a.Translation.Y - b.Translation.Y) + Math.Abs(a.Translation.Z - b.Translation.Z) < 1e-4
        && Math.Abs(Math.Abs(a.Rotation.X * b.Rotation.X + a.Rotation.Y * b.Rotation.Y + a.Rotation.Z * b.Rotation.Z + a.Rotation.W * b.Rotation.W) - 1) < 1e-6;
}
