using System.Globalization;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.BuiltinInterfaces;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Synthetic;

namespace AnyRecon.Ros.Cli.Synth;

/// <summary>Writes a <see cref="SyntheticRecording"/> as a rosbag2 MCAP an RGB-D camera driver would have recorded, plus its ground truth.</summary>
internal static class SynthWriter
{
    public const string MapFrame = "map";
    public const string BodyFrame = "camera_link";
    public const string OpticalFrame = "camera_color_optical_frame";
    public const string ColorTopic = "/camera/color/image_raw";
    public const string ColorInfoTopic = "/camera/color/camera_info";
    public const string DepthTopic = "/camera/depth/image_rect_raw";
    public const string DepthInfoTopic = "/camera/depth/camera_info";

    /// <summary>REP 103: the optical frame (z forward, x right, y down) inside the body frame (x forward, y left, z up).</summary>
    public static readonly QuaternionD BodyFromOptical = new(-0.5, 0.5, -0.5, 0.5);

    public sealed record Summary(string Scene, int Frames, int Width, int Height, bool Noise, string DepthEncoding, long Messages, int GroundTruthTriangles, int SceneTriangles, long BagBytes);

    public static Summary Write(SyntheticRecording recording, string outputDirectory, bool noise, bool float32Depth)
    {
        var options = new BagWriterOptions { StorageId = StorageFactory.McapStorageId };
        options.Storage.Mcap = new McapWriterOptions { Compression = McapCompression.Zstd };
        options.CustomData = new Dictionary<string, string>
        {
            ["anyrecon.synth.scene"] = recording.Scene.Name,
            ["anyrecon.synth.frames"] = recording.FrameCount.ToString(CultureInfo.InvariantCulture),
            ["anyrecon.synth.noise"] = noise ? "kinect" : "none",
        };
        long messages = 0;
        var camera = recording.Intrinsics;
        using (var bag = BagWriter.Create(outputDirectory, options))
        {
            void Topic(string name, MessageTypeInfo type, bool latched = false) => bag.CreateTopic(
                new TopicMetadata(name, type.RosName, "cdr", Qos(latched), type.TypeHash),
                new MessageDefinition(type.RosName, "ros2msg", type.Definition, type.TypeHash));
            void Write(string topic, long t, IRosMessage message) { bag.Write(topic, t, CdrSerializer.Serialize(message)); messages++; }

            Topic("/tf_static", TFMessage.TypeInfo, latched: true);
            Topic("/tf", TFMessage.TypeInfo);
            Topic(ColorInfoTopic, CameraInfo.TypeInfo);
            Topic(ColorTopic, Image.TypeInfo);
            Topic(DepthInfoTopic, CameraInfo.TypeInfo);
            Topic(DepthTopic, Image.TypeInfo);

            bool first = true;
            using var trajectory = new StreamWriter(Path.Combine(outputDirectory, "gt_trajectory_tum.txt"));
            trajectory.WriteLine("# timestamp tx ty tz qx qy qz qw  (camera_color_optical_frame in map)");
            foreach (var frame in recording.Frames())
            {
                long t = frame.TimestampNs;
                var header = new Header { Stamp = Stamp(t), FrameId = OpticalFrame };
                if (first)
                {
                    var opticalInBody = new RigidTransform(BodyFromOptical, Vector3d.Zero);
                    Write("/tf_static", t, new TFMessage { Transforms = [Stamped(t, BodyFrame, OpticalFrame, opticalInBody)] });
                    first = false;
                }
                var worldFromBody = frame.WorldFromCamera * new RigidTransform(BodyFromOptical, Vector3d.Zero).Inverse();
                Write("/tf", t, new TFMessage { Transforms = [Stamped(t, MapFrame, BodyFrame, worldFromBody)] });
                var info = CameraInfoFor(header, camera);
                Write(ColorInfoTopic, t, info);
                Write(ColorTopic, t, new Image
                {
                    Header = header, Width = (uint)camera.Width, Height = (uint)camera.Height, Encoding = "rgb8",
                    Step = (uint)camera.Width * 3, Data = frame.Image.Color.Rgb,
                });
                Write(DepthInfoTopic, t, info);
                Write(DepthTopic, t, DepthMessage(header, frame.Image.Depth.Metres, camera.Width, camera.Height, float32Depth));
                var p = frame.WorldFromCamera;
                trajectory.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{t / 1_000_000_000}.{t % 1_000_000_000:D9} {p.Translation.X:R} {p.Translation.Y:R} {p.Translation.Z:R} {p.Rotation.X:R} {p.Rotation.Y:R} {p.Rotation.Z:R} {p.Rotation.W:R}"));
            }
        }
        var seen = recording.GroundTruth.SeenTriangles().ToList();
        MeshPlyWriter.Write(Path.Combine(outputDirectory, "gt_mesh.ply"), seen);
        long bytes = Directory.EnumerateFiles(outputDirectory).Sum(f => new FileInfo(f).Length);
        return new Summary(recording.Scene.Name, recording.FrameCount, camera.Width, camera.Height, noise, float32Depth ? "32FC1" : "16UC1",
            messages, seen.Count, recording.GroundTruth.TriangleCount, bytes);
    }

    private static Image DepthMessage(Header header, float[] metres, int width, int height, bool float32)
    {
        if (float32)
        {
            var data = new byte[metres.Length * 4];
            Buffer.BlockCopy(metres, 0, data, 0, data.Length);
            return new Image { Header = header, Width = (uint)width, Height = (uint)height, Encoding = "32FC1", Step = (uint)width * 4, Data = data };
        }
        var mm = new byte[metres.Length * 2];
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(mm.AsSpan());
        for (int i = 0; i < metres.Length; i++)
        {
            float d = metres[i];
            span[i] = d > 0 && d < 65.535f ? (ushort)MathF.Round(d * 1000) : (ushort)0;
        }
        return new Image { Header = header, Width = (uint)width, Height = (uint)height, Encoding = "16UC1", Step = (uint)width * 2, Data = mm };
    }

    private static CameraInfo CameraInfoFor(Header header, PinholeIntrinsics c) => new()
    {
        Header = header,
        Width = (uint)c.Width,
        Height = (uint)c.Height,
        DistortionModel = "plumb_bob",
        D = [0, 0, 0, 0, 0],
        K = [c.Fx, 0, c.Cx, 0, c.Fy, c.Cy, 0, 0, 1],
        R = [1, 0, 0, 0, 1, 0, 0, 0, 1],
        P = [c.Fx, 0, c.Cx, 0, 0, c.Fy, c.Cy, 0, 0, 0, 1, 0],
    };

    private static TransformStamped Stamped(long t, string parent, string child, RigidTransform parentFromChild) => new()
    {
        Header = new Header { Stamp = Stamp(t), FrameId = parent },
        ChildFrameId = child,
        Transform = new Transform
        {
            Translation = new Messages.GeometryMsgs.Vector3 { X = parentFromChild.Translation.X, Y = parentFromChild.Translation.Y, Z = parentFromChild.Translation.Z },
            Rotation = new Quaternion { X = parentFromChild.Rotation.X, Y = parentFromChild.Rotation.Y, Z = parentFromChild.Rotation.Z, W = parentFromChild.Rotation.W },
        },
    };

    private static Time Stamp(long ns) => new() { Sec = (int)(ns / 1_000_000_000), Nanosec = (uint)(ns % 1_000_000_000) };

    private static string Qos(bool latched) => QosProfile.FormatList([new QosProfile(
        QosHistory.KeepLast, latched ? 1UL : 10UL, QosReliability.Reliable,
        latched ? QosDurability.TransientLocal : QosDurability.Volatile,
        default, default, QosLiveliness.Automatic, default, false)]);
}
