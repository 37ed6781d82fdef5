using System.Globalization;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.BuiltinInterfaces;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Writes RGB-D frames with poses as the rosbag2 MCAP an RGB-D camera driver would have recorded: colour, depth and
/// CameraInfo on the RealSense-style topics, and TF map → camera_link → camera_color_optical_frame. <c>synth</c> and
/// <c>import</c> both write through it, so <c>replay</c> reads their bags with the default topics.
/// </summary>
public sealed class RgbdBagWriter : IDisposable
{
    public const string MapFrame = "map";
    public const string BodyFrame = "camera_link";
    public const string OpticalFrame = "camera_color_optical_frame";
    public const string ColorTopic = "/camera/color/image_raw";
    public const string ColorInfoTopic = "/camera/color/camera_info";
    public const string DepthTopic = "/camera/depth/image_rect_raw";
    public const string DepthInfoTopic = "/camera/depth/camera_info";

    private readonly BagWriter _bag;
    private readonly PinholeIntrinsics _camera;
    private readonly bool _float32Depth;
    private bool _first = true;

    private RgbdBagWriter(BagWriter bag, PinholeIntrinsics camera, bool float32Depth)
    {
        _bag = bag;
        _camera = camera;
        _float32Depth = float32Depth;
        Topic("/tf_static", TFMessage.TypeInfo, latched: true);
        Topic("/tf", TFMessage.TypeInfo);
        Topic(ColorInfoTopic, CameraInfo.TypeInfo);
        Topic(ColorTopic, Image.TypeInfo);
        Topic(DepthInfoTopic, CameraInfo.TypeInfo);
        Topic(DepthTopic, Image.TypeInfo);
    }

    /// <summary>Messages written so far.</summary>
    public long Messages { get; private set; }

    /// <summary>
    /// Creates the bag directory. Depth is written as 16UC1 millimetres (what RGB-D drivers publish) unless
    /// <paramref name="float32Depth"/> asks for 32FC1 metres (for sources finer than a millimetre, e.g. TUM's 1/5000 m).
    /// </summary>
    public static RgbdBagWriter Create(string outputDirectory, PinholeIntrinsics camera, bool float32Depth = false, IDictionary<string, string>? customData = null)
    {
        if (!camera.IsValid) throw new ArgumentException($"invalid intrinsics {camera}", nameof(camera));
        var options = new BagWriterOptions { StorageId = StorageFactory.McapStorageId };
        options.Storage.Mcap = new McapWriterOptions { Compression = McapCompression.Zstd };
        if (customData is not null) options.CustomData = new Dictionary<string, string>(customData);
        return new RgbdBagWriter(BagWriter.Create(outputDirectory, options), camera, float32Depth);
    }

    /// <summary>Writes one frame stamped <paramref name="stampNs"/>; the pose is the optical frame in the map.</summary>
    public void Write(long stampNs, RigidTransform worldFromCamera, ColorImage color, ReadOnlySpan<float> depthMetres)
    {
        if (color.Width != _camera.Width || color.Height != _camera.Height)
            throw new InvalidDataException($"colour is {color.Width}x{color.Height}, the camera is {_camera.Width}x{_camera.Height}");
        if (depthMetres.Length != _camera.Width * _camera.Height)
            throw new InvalidDataException($"depth has {depthMetres.Length} pixels, the camera {_camera.Width}x{_camera.Height}");
        long t = stampNs;
        var header = new Header { Stamp = Stamp(t), FrameId = OpticalFrame };
        if (_first)
        {
            Write("/tf_static", t, new TFMessage { Transforms = [TransformMessage(t, BodyFrame, OpticalFrame, FrameConventions.BodyFromOptical)] });
            _first = false;
        }
        var worldFromBody = worldFromCamera * FrameConventions.BodyFromOptical.Inverse();
        Write("/tf", t, new TFMessage { Transforms = [TransformMessage(t, MapFrame, BodyFrame, worldFromBody)] });
        var info = CameraInfoMessage(header, _camera);
        Write(ColorInfoTopic, t, info);
        Write(ColorTopic, t, ColorMessage(header, _camera.Width, _camera.Height, color.Rgb));
        Write(DepthInfoTopic, t, info);
        Write(DepthTopic, t, DepthMessage(header, depthMetres, _camera.Width, _camera.Height, _float32Depth));
    }

    /// <summary>"sec.nanosec" as TUM trajectories write it, exact for any stamp.</summary>
    public static string FormatSeconds(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000_000}.{ns % 1_000_000_000:D9}");

    private void Topic(string name, MessageTypeInfo type, bool latched = false) => _bag.CreateTopic(
        new TopicMetadata(name, type.RosName, "cdr", Qos(latched), type.TypeHash),
        new MessageDefinition(type.RosName, "ros2msg", type.Definition, type.TypeHash));

    private void Write(string topic, long t, IRosMessage message)
    {
        _bag.Write(topic, t, CdrSerializer.Serialize(message));
        Messages++;
    }

    private static Image DepthMessage(Header header, ReadOnlySpan<float> metres, int width, int height, bool float32)
    {
        if (float32)
        {
            var data = new byte[metres.Length * 4];
            MemoryMarshal.AsBytes(metres).CopyTo(data);
            return new Image { Header = header, Width = (uint)width, Height = (uint)height, Encoding = "32FC1", Step = (uint)width * 4, Data = data };
        }
        var mm = new byte[metres.Length * 2];
        var span = MemoryMarshal.Cast<byte, ushort>(mm.AsSpan());
        for (int i = 0; i < metres.Length; i++)
        {
            float d = metres[i];
            span[i] = d > 0 && d < 65.535f ? (ushort)MathF.Round(d * 1000) : (ushort)0;
        }
        return Depth16Message(header, width, height, mm);
    }

    /// <summary>An rgb8 <c>sensor_msgs/Image</c> of tightly packed rows (<paramref name="rgb"/> is used, not copied).</summary>
    public static Image ColorMessage(Header header, int width, int height, byte[] rgb) => new()
    {
        Header = header, Width = (uint)width, Height = (uint)height, Encoding = "rgb8", Step = (uint)width * 3, Data = rgb,
    };

    /// <summary>A 16UC1 depth <c>sensor_msgs/Image</c>: millimetres, little-endian, tightly packed, 0 = no depth.</summary>
    public static Image Depth16Message(Header header, int width, int height, byte[] millimetres) => new()
    {
        Header = header, Width = (uint)width, Height = (uint)height, Encoding = "16UC1", Step = (uint)width * 2, Data = millimetres,
    };

    /// <summary>The CameraInfo drivers publish for an undistorted pinhole camera: plumb_bob with zero coefficients, identity R.</summary>
    public static CameraInfo CameraInfoMessage(Header header, PinholeIntrinsics c) => new()
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

    /// <summary>One TF edge stamped <paramref name="stampNs"/>: <paramref name="child"/> inside <paramref name="parent"/>.</summary>
    public static TransformStamped TransformMessage(long stampNs, string parent, string child, RigidTransform parentFromChild) => new()
    {
        Header = new Header { Stamp = Stamp(stampNs), FrameId = parent },
        ChildFrameId = child,
        Transform = new Transform
        {
            Translation = new Messages.GeometryMsgs.Vector3 { X = parentFromChild.Translation.X, Y = parentFromChild.Translation.Y, Z = parentFromChild.Translation.Z },
            Rotation = new Quaternion { X = parentFromChild.Rotation.X, Y = parentFromChild.Rotation.Y, Z = parentFromChild.Rotation.Z, W = parentFromChild.Rotation.W },
        },
    };

    private static Time Stamp(long ns) => MessageConversions.TimeFromNanoseconds(ns);

    private static string Qos(bool latched) => OfferedQos(latched, latched ? 1UL : 10UL);

    /// <summary>The offered_qos_profiles text of a reliable keep-last publisher (latched: transient local), as rosbag2 records it.</summary>
    public static string OfferedQos(bool latched, ulong depth) => QosProfile.FormatList([new QosProfile(
        QosHistory.KeepLast, depth, QosReliability.Reliable,
        latched ? QosDurability.TransientLocal : QosDurability.Volatile,
        default, default, QosLiveliness.Automatic, default, false)]);

    public void Dispose() => _bag.Dispose();
}
