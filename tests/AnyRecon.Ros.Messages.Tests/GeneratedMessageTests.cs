using System.Buffers.Binary;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Dynamic;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests;

public sealed class GeneratedMessageTests
{
    private static PoseStamped SamplePose() => new()
    {
        Header = new Header { Stamp = new BuiltinInterfaces.Time { Sec = 1, Nanosec = 2 }, FrameId = "ab" },
        Pose = new Pose
        {
            Position = new Point { X = 1.5, Y = -2, Z = 3 },
            Orientation = new Quaternion { X = 0, Y = 0, Z = 0.5, W = 0.75 },
        },
    };

    /// <summary>The bytes worked out by hand from the XCDR1 rules: 8-byte values aligned to 8 from the end of the header.</summary>
    private static byte[] ExpectedPoseBytes(bool littleEndian)
    {
        var b = new byte[76];
        b[1] = littleEndian ? (byte)1 : (byte)0;
        void I32(int at, int v) { if (littleEndian) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(at), v); else BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(at), v); }
        void F64(int at, double v) { if (littleEndian) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(at), v); else BinaryPrimitives.WriteDoubleBigEndian(b.AsSpan(at), v); }
        I32(4, 1);          // stamp.sec
        I32(8, 2);          // stamp.nanosec
        I32(12, 3);         // frame_id length incl. NUL
        b[16] = (byte)'a'; b[17] = (byte)'b'; b[18] = 0;
        // body offset 15 -> one padding byte to reach body offset 16 (file offset 20)
        F64(20, 1.5); F64(28, -2); F64(36, 3);
        F64(44, 0); F64(52, 0); F64(60, 0.5); F64(68, 0.75);
        return b;
    }

    [Fact]
    public void Serialize_PoseStamped_MatchesHandComputedXcdr1()
    {
        Assert.Equal(ExpectedPoseBytes(littleEndian: true), CdrSerializer.Serialize(SamplePose()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Deserialize_PoseStampedEitherEndianness_ReadsValues(bool littleEndian)
    {
        var pose = CdrSerializer.Deserialize<PoseStamped>(ExpectedPoseBytes(littleEndian));
        Assert.Equal(1, pose.Header.Stamp.Sec);
        Assert.Equal(2u, pose.Header.Stamp.Nanosec);
        Assert.Equal("ab", pose.Header.FrameId);
        Assert.Equal((1.5, -2.0, 3.0), (pose.Pose.Position.X, pose.Pose.Position.Y, pose.Pose.Position.Z));
        Assert.Equal(0.75, pose.Pose.Orientation.W);
    }

    [Fact]
    public void Deserialize_TrailingPadding_IsIgnored()
    {
        var bytes = ExpectedPoseBytes(true).Concat(new byte[3]).ToArray();
        Assert.Equal(0.75, CdrSerializer.Deserialize<PoseStamped>(bytes).Pose.Orientation.W);
    }

    [Fact]
    public void Names_ImageType_KnowsRosDdsNamesAndDefinition()
    {
        Assert.Equal("sensor_msgs/msg/Image", Image.RosName);
        Assert.Equal("sensor_msgs::msg::dds_::Image_", Image.DdsName);
        string expectedStart = "std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data\n"
            + new string('=', 80) + "\nMSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n"
            + new string('=', 80) + "\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n";
        Assert.Equal(expectedStart, Image.Definition);
        Assert.Equal("std_srvs::srv::dds_::SetBool_Request_", StdSrvs.SetBoolRequest.DdsName);
        Assert.True(MessageTypeRegistry.TryGet("sensor_msgs/Image", out var info));
        Assert.Same(Image.TypeInfo, info);
    }

    [Fact]
    public void Defaults_FromDefinitions_AreApplied()
    {
        Assert.Equal(1.0, new Quaternion().W);
        Assert.Equal(NavSatStatus.STATUS_UNKNOWN, new NavSatStatus().Status);
        Assert.Equal(9, new CameraInfo().K.Length);
        Assert.Equal((byte)3, RclInterfaces.ParameterType.PARAMETER_DOUBLE);
    }

    [Fact]
    public void Serialize_EmptyMessage_CarriesOneByte()
    {
        // rosidl gives empty structs a uint8 member so DDS can carry them.
        Assert.Equal(new byte[] { 0, 1, 0, 0, 0 }, CdrSerializer.Serialize(new Empty()));
        Assert.NotNull(CdrSerializer.Deserialize<Empty>(new byte[] { 0, 1, 0, 0, 0 }));
    }

    [Fact]
    public void Serialize_FixedArrayWrongLength_Throws()
    {
        var info = new CameraInfo { K = new double[3] };
        var e = Assert.Throws<ArgumentException>(() => CdrSerializer.Serialize(info));
        Assert.Contains("sensor_msgs/msg/CameraInfo.k", e.Message);
    }

    [Fact]
    public void Serialize_BoundedFieldsOverBound_Throw()
    {
        var node = new RmwDdsCommon.NodeEntitiesInfo { NodeName = new string('n', 257) };
        Assert.Throws<ArgumentException>(() => CdrSerializer.Serialize(node));
    }

    [Fact]
    public void RoundTrip_PointCloud2WithLargeData_IsOneBlock()
    {
        var data = new byte[1 << 20];
        new Random(1).NextBytes(data);
        var cloud = new PointCloud2 { Height = 1, Width = (uint)(data.Length / 16), PointStep = 16, RowStep = (uint)data.Length, Data = data, IsDense = true };
        cloud.Fields = [new PointField { Name = "x", Offset = 0, Datatype = PointField.FLOAT32, Count = 1 }];
        var bytes = CdrSerializer.Serialize(cloud);
        var back = CdrSerializer.Deserialize<PointCloud2>(bytes);
        Assert.Equal(data, back.Data);
        Assert.Equal("x", back.Fields[0].Name);
        Assert.Equal(bytes, CdrSerializer.Serialize(back));
    }

    public static TheoryData<string> AllShippedTypes() => new(MessageTypeRegistry.All.Select(t => t.RosName));

    [Theory]
    [MemberData(nameof(AllShippedTypes))]
    public void RoundTrip_RandomValuesEveryShippedType_GeneratedAndDynamicAgreeByteForByte(string rosName)
    {
        Assert.True(MessageTypeRegistry.TryGet(rosName, out var info));
        var dynamicType = MessageSchemaResolver.Shared.Resolve(info.RosName, "ros2msg", info.Definition);
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new RandomMessages(seed).Create(dynamicType);
            byte[] encoded = DynamicMessageCodec.Encode(random);

            var generated = CdrSerializer.Deserialize(info, encoded);
            Assert.Equal(encoded, CdrSerializer.Serialize(generated));

            var decoded = DynamicMessageCodec.Decode(dynamicType, encoded);
            Assert.Equal(encoded, DynamicMessageCodec.Encode(decoded));
            Assert.Equal(DynamicMessageJson.ToJson(random), DynamicMessageJson.ToJson(decoded));
        }
    }

    [Fact]
    public void DefaultInstance_EveryShippedType_SerializesAndReadsBack()
    {
        foreach (var info in MessageTypeRegistry.All)
        {
            var message = (IRosMessage)Activator.CreateInstance(info.ClrType)!;
            var bytes = CdrSerializer.Serialize(message);
            Assert.Equal(bytes.Length, CdrSerializer.GetSerializedSize(message));
            Assert.Equal(bytes, CdrSerializer.Serialize(CdrSerializer.Deserialize(info, bytes)));
        }
    }
}
