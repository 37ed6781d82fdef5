using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Pipeline;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary>
/// A small, deterministic RGB-D camera recording for trying the bag tools: a camera circling a textured box at
/// 10 Hz, with <c>/tf</c>, <c>/tf_static</c>, color and depth images, camera info and a point cloud.
/// Everything is computed from the constants below, so the same bytes come out every time. Frames, topics and the
/// camera messages are <see cref="RgbdBagWriter"/>'s; the demo keeps its own writer because it also records a
/// PointCloud2, no depth CameraInfo, millimetre depth as drawn, and may be written as sqlite3 too.
/// </summary>
internal static class DemoBag
{
    public const long StartTimeNs = 1_700_000_000_000_000_000;
    public const int Frames = 20;
    public const long FramePeriodNs = 100_000_000;
    public const int Width = 64;
    public const int Height = 48;
    public const double FocalPx = 55.0;

    private static readonly PinholeIntrinsics s_camera = new(Width, Height, FocalPx, FocalPx, Width / 2.0, Height / 2.0);

    /// <summary>One message of the demo, serialized.</summary>
    public readonly record struct Message(string Topic, MessageTypeInfo Type, long TimestampNs, byte[] Data);

    public static IEnumerable<(string Topic, MessageTypeInfo Type)> Topics =>
    [
        ("/tf_static", TFMessage.TypeInfo),
        ("/tf", TFMessage.TypeInfo),
        (RgbdBagWriter.ColorInfoTopic, CameraInfo.TypeInfo),
        (RgbdBagWriter.ColorTopic, Image.TypeInfo),
        (RgbdBagWriter.DepthTopic, Image.TypeInfo),
        ("/camera/depth/points", PointCloud2.TypeInfo),
    ];

    public static IEnumerable<Message> Messages()
    {
        yield return Make("/tf_static", StartTimeNs, new TFMessage
        {
            Transforms = [RgbdBagWriter.TransformMessage(StartTimeNs, RgbdBagWriter.BodyFrame, RgbdBagWriter.OpticalFrame, FrameConventions.BodyFromOptical)],
        });
        for (int i = 0; i < Frames; i++)
        {
            long t = StartTimeNs + i * FramePeriodNs;
            double angle = 2 * Math.PI * i / Frames;
            yield return Make("/tf", t, new TFMessage { Transforms = [RgbdBagWriter.TransformMessage(t, RgbdBagWriter.MapFrame, RgbdBagWriter.BodyFrame, CameraPose(angle))] });
            var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(t), FrameId = RgbdBagWriter.OpticalFrame };
            yield return Make(RgbdBagWriter.ColorInfoTopic, t, RgbdBagWriter.CameraInfoMessage(header, s_camera));
            var depthMm = Depth(angle);
            yield return Make(RgbdBagWriter.ColorTopic, t, RgbdBagWriter.ColorMessage(header, Width, Height, Color(i)));
            yield return Make(RgbdBagWriter.DepthTopic, t, RgbdBagWriter.Depth16Message(header, Width, Height, DepthBytes(depthMm)));
            yield return Make("/camera/depth/points", t, Cloud(header, depthMm));
        }
    }

    private static Message Make(string topic, long t, IRosMessage message) => new(topic, message.Type, t, CdrSerializer.Serialize(message));

    /// <summary>camera_link on a 2 m circle at 0.5 m height, yawed to face the origin.</summary>
    private static RigidTransform CameraPose(double angle) => new(
        new QuaternionD(0, 0, Math.Sin((angle + Math.PI) / 2), Math.Cos((angle + Math.PI) / 2)),
        new Vector3d(2 * Math.Cos(angle), 2 * Math.Sin(angle), 0.5));

    private static byte[] Color(int frame)
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
        return data;
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

    private static byte[] DepthBytes(ushort[] mm)
    {
        var data = new byte[mm.Length * 2];
        Buffer.BlockCopy(mm, 0, data, 0, data.Length);
        return data;
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
