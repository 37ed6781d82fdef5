using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.BuiltinInterfaces;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Synthetic;
using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

/// <summary>The decode-and-sync stage against hand-made message streams: good frames pass, bad input is counted by reason.</summary>
public sealed class FrameAssemblerTests
{
    private const string Optical = "camera_color_optical_frame";
    private static readonly PinholeIntrinsics s_camera = new(32, 24, 26, 26, 15.5, 11.5);

    internal static IngestMessage Msg(string topic, IRosMessage m, long t) => new(topic, m.Type.RosName, t, CdrSerializer.Serialize(m));

    private static Time Stamp(long ns) => new() { Sec = (int)(ns / 1_000_000_000), Nanosec = (uint)(ns % 1_000_000_000) };

    internal static CameraInfo Info(long t, string frame = Optical) => new()
    {
        Header = new Header { Stamp = Stamp(t), FrameId = frame },
        Width = (uint)s_camera.Width, Height = (uint)s_camera.Height, DistortionModel = "plumb_bob", D = [0, 0, 0, 0, 0],
        K = [s_camera.Fx, 0, s_camera.Cx, 0, s_camera.Fy, s_camera.Cy, 0, 0, 1], R = [1, 0, 0, 0, 1, 0, 0, 0, 1],
        P = [s_camera.Fx, 0, s_camera.Cx, 0, 0, s_camera.Fy, s_camera.Cy, 0, 0, 0, 1, 0],
    };

    internal static TFMessage Tf(long t, double x, double qw = 1, string frame = Optical) => new()
    {
        Transforms = [new TransformStamped
        {
            Header = new Header { Stamp = Stamp(t), FrameId = "map" },
            ChildFrameId = frame,
            Transform = new Transform { Translation = new Messages.GeometryMsgs.Vector3 { X = x }, Rotation = new Quaternion { W = qw } },
        }],
    };

    internal static Image Depth(long t, int dataBytes = -1, string frame = Optical)
    {
        var data = new byte[dataBytes >= 0 ? dataBytes : s_camera.Width * s_camera.Height * 2];
        for (int i = 0; i + 1 < data.Length; i += 2) BitConverter.TryWriteBytes(data.AsSpan(i), (ushort)1500);
        return new Image { Header = new Header { Stamp = Stamp(t), FrameId = frame }, Width = (uint)s_camera.Width, Height = (uint)s_camera.Height, Encoding = "16UC1", Step = (uint)s_camera.Width * 2, Data = data };
    }

    private static Image Color(long t, int width = 32, string encoding = "rgb8") => new()
    {
        Header = new Header { Stamp = Stamp(t), FrameId = Optical }, Width = (uint)width, Height = (uint)s_camera.Height, Encoding = encoding,
        Step = (uint)width * 3, Data = new byte[width * s_camera.Height * 3],
    };

    [Fact]
    public void Add_GoodStream_EveryFramePairedWithItsInterpolatedPose()
    {
        var rejected = new List<string>();
        var options = new MappingOptions();
        using var assembler = new FrameAssembler(options, rejected.Add);
        var frames = new List<RgbdFrame>();
        assembler.Add(Msg(options.CameraInfoTopic, Info(0), 0), frames);
        for (int i = 0; i <= 10; i++) assembler.Add(Msg("/tf", Tf(i * 100_000_000L, i * 0.1), i * 100_000_000L), frames);
        for (int i = 0; i < 5; i++)
        {
            long t = 150_000_000L + i * 100_000_000L; // between TF samples: the pose is interpolated
            assembler.Add(Msg(options.ColorTopic, Color(t), t), frames);
            assembler.Add(Msg(options.DepthTopic, Depth(t), t), frames);
        }
        assembler.Flush(frames);
        Assert.Empty(rejected);
        Assert.Equal(5, frames.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(0.15 + 0.1 * i, frames[i].WorldFromCamera.Translation.X, 9);
            Assert.Equal(1.5f, frames[i].Depth.Metres[0], 1e-6f);
            Assert.NotNull(frames[i].Color);
        }
    }

    [Fact]
    public void Add_BadInput_IsCountedByReasonAndGoodFramesStillPass()
    {
        var rejected = new List<string>();
        var options = new MappingOptions();
        using var assembler = new FrameAssembler(options, rejected.Add);
        var frames = new List<RgbdFrame>();
        assembler.Add(Msg(options.DepthTopic, Depth(1), 1), frames);                     // before any camera info
        assembler.Add(Msg(options.CameraInfoTopic, Info(0), 0), frames);
        for (int i = 0; i <= 10; i++) assembler.Add(Msg("/tf", Tf(i * 100_000_000L, 0), i * 100_000_000L), frames);
        assembler.Add(Msg("/tf", Tf(50_000_000, double.NaN), 50_000_000), frames);      // NaN translation
        assembler.Add(Msg("/tf", Tf(60_000_000, 0, qw: 2), 60_000_000), frames);          // non-unit quaternion
        assembler.Add(Msg(options.DepthTopic, Depth(100_000_000, dataBytes: 30), 100_000_000), frames); // shorter than step*height
        assembler.Add(Msg(options.ColorTopic, Color(200_000_000, encoding: "yuv422"), 200_000_000), frames); // unknown encoding
        assembler.Add(new IngestMessage(options.DepthTopic, Image.RosTypeName, 300_000_000, [0, 1, 0, 0, 5]), frames); // malformed CDR
        // A good pair, then a colour image of another size paired with good depth (integrated without colour).
        assembler.Add(Msg(options.ColorTopic, Color(400_000_000), 400_000_000), frames);
        assembler.Add(Msg(options.DepthTopic, Depth(400_000_000), 400_000_000), frames);
        assembler.Add(Msg(options.ColorTopic, Color(500_000_000, width: 16), 500_000_000), frames);
        assembler.Add(Msg(options.DepthTopic, Depth(500_000_000), 500_000_000), frames);
        assembler.Flush(frames);

        Assert.Contains("depth before camera info", rejected);
        Assert.Contains(rejected, r => r.StartsWith("transform map->camera_color_optical_frame rejected", StringComparison.Ordinal) && r.Contains("NonFinite", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.StartsWith("transform map->camera_color_optical_frame rejected", StringComparison.Ordinal) && r.Contains("NonUnit", StringComparison.Ordinal));
        Assert.Contains("depth image: DataShorterThanStep", rejected);
        Assert.Contains("color image: UnknownEncoding", rejected);
        Assert.Contains($"malformed CDR on {options.DepthTopic}", rejected);
        Assert.Contains("depth/color size mismatch (integrated without colour)", rejected);
        Assert.Equal(2, frames.Count);
        Assert.NotNull(frames[0].Color);
        Assert.Null(frames[1].Color);
    }

    [Fact]
    public void Add_TimeGoesBackwards_SyncResetsAndTheSecondLoopStillFuses()
    {
        var rejected = new List<string>();
        var options = new MappingOptions();
        using var assembler = new FrameAssembler(options, rejected.Add);
        var frames = new List<RgbdFrame>();
        assembler.Add(Msg(options.CameraInfoTopic, Info(0), 0), frames);
        for (int loop = 0; loop < 2; loop++)
        {
            // A bag played twice: the same stamps again.
            for (int i = 0; i <= 5; i++) assembler.Add(Msg("/tf", Tf(i * 100_000_000L, i * 0.1), i * 100_000_000L), frames);
            for (int i = 1; i < 5; i++)
            {
                long t = i * 100_000_000L;
                assembler.Add(Msg(options.ColorTopic, Color(t), t), frames);
                assembler.Add(Msg(options.DepthTopic, Depth(t), t), frames);
            }
        }
        assembler.Flush(frames);
        Assert.True(assembler.SyncStatistics!.Value.Resets >= 1);
        Assert.True(frames.Count >= 6, $"{frames.Count} frames fused over two loops");
        Assert.All(frames, f => Assert.True(f.WorldFromCamera.IsFinite));
    }

    [Fact]
    public async Task Pipeline_SyntheticFrames_IntegrateIntoTheMapWithoutDrops()
    {
        // End to end through the stages with replay's policies: every synchronized frame reaches the integrator.
        var scene = SceneLibrary.Get("office");
        var recording = new SyntheticRecording(scene, 12, new SyntheticRecordingOptions { Width = 80, Height = 60 });
        var options = new MappingOptions();
        options.Voxels.VoxelSizeMeters = 0.04;
        using var pipeline = new MappingPipeline(options);
        var run = pipeline.RunAsync(TestContext.Current.CancellationToken);
        var c = recording.Intrinsics;
        var info = new CameraInfo
        {
            Header = new Header { FrameId = Optical }, Width = (uint)c.Width, Height = (uint)c.Height, DistortionModel = "plumb_bob", D = [0, 0, 0, 0, 0],
            K = [c.Fx, 0, c.Cx, 0, c.Fy, c.Cy, 0, 0, 1], R = [1, 0, 0, 0, 1, 0, 0, 0, 1], P = [c.Fx, 0, c.Cx, 0, 0, c.Fy, c.Cy, 0, 0, 0, 1, 0],
        };
        foreach (var frame in recording.Frames())
        {
            long t = frame.TimestampNs;
            var tf = new TFMessage { Transforms = [new TransformStamped
            {
                Header = new Header { Stamp = Stamp(t), FrameId = "map" }, ChildFrameId = Optical,
                Transform = new Transform
                {
                    Translation = new Messages.GeometryMsgs.Vector3 { X = frame.WorldFromCamera.Translation.X, Y = frame.WorldFromCamera.Translation.Y, Z = frame.WorldFromCamera.Translation.Z },
                    Rotation = new Quaternion { X = frame.WorldFromCamera.Rotation.X, Y = frame.WorldFromCamera.Rotation.Y, Z = frame.WorldFromCamera.Rotation.Z, W = frame.WorldFromCamera.Rotation.W },
                },
            }] };
            info.Header.Stamp = Stamp(t);
            var depth = new Image { Header = new Header { Stamp = Stamp(t), FrameId = Optical }, Width = (uint)c.Width, Height = (uint)c.Height, Encoding = "32FC1", Step = (uint)c.Width * 4, Data = new byte[c.Width * c.Height * 4] };
            Buffer.BlockCopy(frame.Image.Depth.Metres, 0, depth.Data, 0, depth.Data.Length);
            var color = new Image { Header = new Header { Stamp = Stamp(t), FrameId = Optical }, Width = (uint)c.Width, Height = (uint)c.Height, Encoding = "rgb8", Step = (uint)c.Width * 3, Data = frame.Image.Color.Rgb };
            foreach (var (topic, m) in new (string, IRosMessage)[] { ("/tf", tf), (options.CameraInfoTopic, info), (options.ColorTopic, color), (options.DepthTopic, depth) })
                await pipeline.Ingest.WriteAsync(Msg(topic, m, t), TestContext.Current.CancellationToken);
        }
        pipeline.Ingest.Complete();
        await run;
        var report = pipeline.Report();
        Assert.Equal(12, report.FramesIntegrated);
        Assert.All(report.Queues, q => Assert.Equal(0, q.Dropped));
        Assert.True(pipeline.Memory.BlockCount > 0);
    }
}
