using System.Buffers.Binary;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Evaluation;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using Quaternion = AnyRecon.Ros.Messages.GeometryMsgs.Quaternion;
using Vector3 = System.Numerics.Vector3;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>One frame of the demo bag: its images, calibration and the /tf message of the same stamp.</summary>
internal sealed record BagFrame(int Index, long StampNs, Image Color, Image Depth, CameraInfo Info, TFMessage Tf);

/// <summary>
/// The demo bag (rosbags/living_room) read into memory, frame by frame, for tests that publish it themselves
/// (re-encoded, on other topics, with poses instead of TF). Read once per test run.
/// </summary>
internal sealed class LivingRoomBag
{
    private static readonly Lazy<LivingRoomBag> s_bag = new(() => new LivingRoomBag());
    private static readonly Lazy<double> s_replayFScore = new(ReplayFScore);
    private readonly TransformBuffer _transforms = new();

    public static string Directory => Path.Combine(Fixtures.RepoRoot, "rosbags", "living_room");

    public static LivingRoomBag Instance => s_bag.Value;

    /// <summary>F-score@2cm of <c>anyrecon replay</c> (voxel 0.02) of this bag against its ground truth: what the node should reach.</summary>
    public static double ReplayFScoreAt2cm => s_replayFScore.Value;

    public static TriangleSurface GroundTruth { get; } = LoadGroundTruth();

    private LivingRoomBag()
    {
        var colors = new Dictionary<long, Image>();
        var depths = new Dictionary<long, Image>();
        var infos = new Dictionary<long, CameraInfo>();
        var tfs = new Dictionary<long, TFMessage>();
        using var reader = BagReader.Open(Directory);
        foreach (var m in reader.ReadMessages())
        {
            var data = m.Data.Span;
            switch (m.Topic.Name)
            {
                case "/tf_static":
                    Static = CdrSerializer.Deserialize<TFMessage>(data);
                    _transforms.SetTransforms(Static, isStatic: true);
                    break;
                case "/tf":
                    var tf = CdrSerializer.Deserialize<TFMessage>(data);
                    _transforms.SetTransforms(tf, isStatic: false);
                    tfs[tf.Transforms[0].Header.Stamp.ToNanoseconds()] = tf;
                    break;
                case "/camera/color/image_raw":
                    var color = CdrSerializer.Deserialize<Image>(data);
                    colors[color.Header.Stamp.ToNanoseconds()] = color;
                    break;
                case "/camera/depth/image_rect_raw":
                    var depth = CdrSerializer.Deserialize<Image>(data);
                    depths[depth.Header.Stamp.ToNanoseconds()] = depth;
                    break;
                case "/camera/color/camera_info":
                    var info = CdrSerializer.Deserialize<CameraInfo>(data);
                    infos[info.Header.Stamp.ToNanoseconds()] = info;
                    break;
            }
        }
        Assert.NotNull(Static);
        Frames = [.. depths.Keys.Order().Select((stamp, i) => new BagFrame(i, stamp, colors[stamp], depths[stamp], infos[stamp], tfs[stamp]))];
        CameraFrame = Frames[0].Info.Header.FrameId;
    }

    public TFMessage Static { get; } = null!;

    public IReadOnlyList<BagFrame> Frames { get; }

    /// <summary>The frame the images are in (the camera info's): the pose the node looks up in TF is this frame's in map.</summary>
    public string CameraFrame { get; }

    /// <summary>The camera's pose in the world frame at <paramref name="stampNs"/>, through the bag's TF chain.</summary>
    public RigidTransform WorldFromCamera(long stampNs)
    {
        Assert.True(_transforms.TryLookup("map", CameraFrame, stampNs, out var pose, out string? error), error);
        return pose;
    }

    /// <summary>F-score@2cm of map points against the bag's ground-truth mesh.</summary>
    public static double FScoreAt2cm(ReadOnlySpan<Vector3> points) => ReconstructionMetrics.Evaluate(points, GroundTruth).FScore[0.02];

    private static TriangleSurface LoadGroundTruth()
    {
        var truth = PlyFile.Read(Path.Combine(Directory, "gt_mesh.ply"));
        return new TriangleSurface(truth.Positions, truth.Triangles);
    }

    private static double ReplayFScore()
    {
        using var temp = new TempDirectory();
        using (var replay = AnyReconProcess.Run(AnyReconProcess.NewDomain(), TimeSpan.FromMinutes(3), "replay", Directory, "--voxel", "0.02", "--out", temp.Combine("replay")))
            Assert.True(replay.ExitCode == 0, replay.ErrorText);
        return FScoreAt2cm(PlyFile.Read(temp.Combine("replay", "map.ply")).Positions);
    }
}

/// <summary>Helpers for tests that feed a node from this process.</summary>
internal static class LiveInput
{
    public static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    public static RosContext Context(uint domain) =>
        new(new RosContextOptions { DomainId = domain, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Localhost, null), Log = _ => { } });

    /// <summary>Reliable /tf_static keeps its message for late readers, as tf2's static broadcaster does.</summary>
    public static QosProfile StaticTf => QosProfiles.Latched;

    public static Messages.GeometryMsgs.Transform ToTransform(RigidTransform t) => new()
    {
        Translation = new Messages.GeometryMsgs.Vector3 { X = t.Translation.X, Y = t.Translation.Y, Z = t.Translation.Z },
        Rotation = new Quaternion { X = t.Rotation.X, Y = t.Rotation.Y, Z = t.Rotation.Z, W = t.Rotation.W },
    };

    public static Pose ToPose(RigidTransform t) => new()
    {
        Position = new Point { X = t.Translation.X, Y = t.Translation.Y, Z = t.Translation.Z },
        Orientation = new Quaternion { X = t.Rotation.X, Y = t.Rotation.Y, Z = t.Rotation.Z, W = t.Rotation.W },
    };

    /// <summary>Waits until every publisher reaches the node's reader, then a little more so the node's discovery of
    /// us settles too (a best-effort first sample may otherwise go to a reader not yet matched on the node's side).</summary>
    public static void WaitForNode(params RawPublisher[] publishers)
    {
        foreach (var publisher in publishers)
            Assert.True(publisher.WaitForSubscriptions(1, Long, TestContext.Current.CancellationToken), $"nobody subscribed to {publisher.Topic}");
        Thread.Sleep(500);
    }

    /// <summary>
    /// Calls <paramref name="publish"/> for 0..count-1 at <paramref name="hz"/> at most, and — so a machine busy with
    /// other work slows the feed instead of making the node drop frames — only once the node has dealt with all but
    /// <paramref name="inFlight"/> of the frames before: <paramref name="framesDone"/> counts the node's frames
    /// integrated or dropped (from ~/status). Fewer frames in flight than any queue between here and the map holds.
    /// </summary>
    public static void Paced(int count, double hz, Action<int> publish, Func<long> framesDone, int framesPerStep = 1, int inFlight = 4)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            long needed = (long)(i - inFlight / framesPerStep) * framesPerStep;
            Assert.True(SpinWait.SpinUntil(() => framesDone() >= needed, Long), $"the node did not take frame {needed} (has {framesDone()})");
            var wait = TimeSpan.FromSeconds(i / hz) - clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            publish(i);
        }
    }

    /// <summary>Frames the node integrated or dropped (counted), from its ~/status.</summary>
    public static long FramesDone(Messages.AnyReconMsgs.PipelineStatus? status) =>
        status is null ? 0 : (long)status.FramesIntegrated + status.Stages.Sum(s => (long)s.Dropped);

    /// <summary>x, y, z of every point of a ~/points-style cloud (float32 at offsets 0, 4, 8).</summary>
    public static Vector3[] Positions(PointCloud2 cloud)
    {
        var positions = new Vector3[cloud.Width * cloud.Height];
        var data = cloud.Data.AsSpan();
        for (int i = 0; i < positions.Length; i++)
        {
            var point = data.Slice(i * (int)cloud.PointStep, 12);
            positions[i] = new Vector3(BinaryPrimitives.ReadSingleLittleEndian(point), BinaryPrimitives.ReadSingleLittleEndian(point[4..]), BinaryPrimitives.ReadSingleLittleEndian(point[8..]));
        }
        return positions;
    }
}
