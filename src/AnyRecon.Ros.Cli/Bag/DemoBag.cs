using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.BuiltinInterfaces;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary>
/// A small, deterministic RGB-D camera recording for trying the bag tools: a camera circling a textured box at
/// 10 Hz, with <c>/tf</c>, <c>/tf_static</c>, color and depth images, camera info and a point cloud.
/// Everything is computed from the constants below, so the same bytes come out every time.
/// </summary>
internal static class DemoBag
{
    public const long StartTimeNs = 1_700_000_000_000_000_000;
    public const int Frames = 20;
    public const long FramePeriodNs = 100_000_000;
    public const int Width = 64;
    public const int Height = 48;
    public const double FocalPx = 55.0;

    public const string MapFrame = "map";
    public const string CameraFrame = "camera_link";
    public const string OpticalFrame = "camera_color_optical_frame";

    /// <summary>One message of the demo, serialized.</summary>
    public readonly record struct Message(string Topic, MessageTypeInfo Type, long TimestampNs, byte[] Data);

    public static IEnumerable<(string Topic, MessageTypeInfo Type)> Topics =>
    [
        ("/tf_static", TFMessage.TypeInfo),
        ("/tf", TFMessage.TypeInfo),
        ("/camera/color/camera_info", CameraInfo.TypeInfo),
        ("/camera/color/image_raw", Image.TypeInfo),
        ("/camera/depth/image_rect_raw", Image.TypeInfo),
        ("/camera/depth/points", PointCloud2.TypeInfo),
    ];

    public static IEnumerable<Message> Messages()
    {
        yield return Make("/tf_static", StartTimeNs, new TFMessage { Transforms = [StaticOptical(StartTimeNs)] });
        for (int i = 0; i < Frames; i++)
        {
            long t = StartTimeNs + i * FramePeriodNs;
            double angle = 2 * Math.PI * i / Frames;
            yield return Make("/tf", t, new TFMessage { Transforms = [CameraPose(t, angle)] });
            var header = new Header { Stamp = Stamp(t), FrameId = OpticalFrame };
            yield return Make("/camera/color/camera_info", t, Intrinsics(header));
            var depthMm = Depth(angle);
            yield return Make("/camera/color/image_raw", t, Color(header, i));
            yield return Make("/camera/depth/image_rect_raw", t, DepthImage(header, depthMm));
            yield return Make("/camera/depth/points", t, Cloud(header, depthMm));
        }
    }

    private static Message Make(string topic, long t, IRosMessage message) => new(topic, message.Type, t, CdrSerializer.Serialize(message));

    private static Time Stamp(long ns) => Geometry.MessageConversions.TimeFromNanoseconds(ns);

    private static TransformStamped StaticOptical(long t) => new()
    {
        Header = new Header { Stamp = Stamp(t), FrameId = CameraFrame },
        ChildFrameId = OpticalFrame,
        // REP 103: optical frame is z forward, x right, y down relative to the x-forward body frame.
        Transform = new Transform { Rotation = new Quaternion { X = -0.5, Y = 0.5, Z = -0.5, W = 0.5 } },
    };

    private static TransformStamped CameraPose(long t, double angle) => new()
    {
        Header = new Header { Stamp = Stamp(t), FrameId = MapFrame },
        ChildFrameId = CameraFrame,
        Transform = new Transform
        {
            Translation = new Vector3 { X = 2 * Math.Cos(angle), Y = 2 * Math.Sin(angle), Z = 0.5 },
            // Yaw to face the origin.
            Rotation = new Quaternion { Z = Math.Sin((angle + Math.PI) / 2), W = Math.Cos((angle + Math.PI) / 2) },
        },
    };

    private static CameraInfo Intrinsics(Header header) => new()
    {
        Header = header,
        Width = Width,
        Height = Height,
        DistortionModel = "plumb_bob",
        D = [0, 0, 0, 0, 0],
        K = [FocalPx, 0, Width / 2.0, 0, FocalPx, Height / 2.0, 0, 0, 1],
        R = [1, 0, 0, 0, 1, 0, 0, 0, 1],
        P = [FocalPx, 0, Width / 2.0, 0, 0, FocalPx, Height / 2.0, 0, 0, 0, 1, 0],
    };

    private static Image Color(Header header, int frame)
    {
        var data = new byte[Width * Height * 3];
        for (int v = 0; v < Height; v++)
            for (int u = 0; u < Width; u++)
            {
                int at = 3 * (v * Width + u);
                bool checker = ((u / 8) + (v / 8) + frame) % 2 == 0;
                data[at] = (byte)(checker ? 200 : 40);
                data[at + 1] = (byte)(4 * u);
                data[at + 2] = (byte)(5 * v);
            }
        return new Image { Header = header, Width = Width, Height = Height, Encoding = "rgb8", Step = Width * 3, Data = data };
    }

    /// <summary>Depth in millimeters of a wall 2 m away with a box in front of it whose apparent size changes with the angle.</summary>
    private static ushort[] Depth(double angle)
    {
        var mm = new ushort[Width * Height];
        int half = 8 + (int)(4 * Math.Abs(Math.Sin(angle)));
        for (int v = 0; v < Height; v++)
            for (int u = 0; u < Width; u++)
            {
                bool box = Math.Abs(u - Width / 2) < half && Math.Abs(v - Height / 2) < half;
                mm[v * Width + u] = (ushort)(box ? 1500 : 2000 + 5 * v);
            }
        return mm;
    }

    private static Image DepthImage(Header header, ushort[] mm)
    {
        var data = new byte[mm.Length * 2];
        Buffer.BlockCopy(mm, 0, data, 0, data.Length);
        return new Image { Header = header, Width = Width, Height = Height, Encoding = "16UC1", Step = Width * 2, Data = data };
    }

    /// <summary>Every 4th pixel back-projected through the pinhole model, xyz float32 in the optical frame.</summary>
    private static PointCloud2 Cloud(Header header, ushort[] mm)
    {
        var points = new List<float>();
        for (int v = 0; v < Height; v += 4)
            for (int u = 0; u < Width; u += 4)
            {
                float z = mm[v * Width + u] / 1000f;
                points.Add((float)((u - Width / 2.0) * z / FocalPx));
                points.Add((float)((v - Height / 2.0) * z / FocalPx));
                points.Add(z);
            }
        var data = new byte[points.Count * 4];
        Buffer.BlockCopy(points.ToArray(), 0, data, 0, data.Length);
        int count = points.Count / 3;
        return new PointCloud2
        {
            Header = header,
            Height = 1,
            Width = (uint)count,
            Fields =
            [
                new PointField { Name = "x", Offset = 0, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "y", Offset = 4, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "z", Offset = 8, Datatype = PointField.FLOAT32, Count = 1 },
            ],
            PointStep = 12,
            RowStep = (uint)(12 * count),
            Data = data,
            IsDense = true,
        };
    }
}
