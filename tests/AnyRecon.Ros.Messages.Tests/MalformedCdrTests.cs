using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Dynamic;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests;

public sealed class MalformedCdrTests
{
    private static byte[] SampleImage() => CdrSerializer.Serialize(new Image
    {
        Header = new Header { FrameId = "camera_color_optical_frame" },
        Height = 2,
        Width = 3,
        Encoding = "rgb8",
        Step = 9,
        Data = Enumerable.Range(0, 18).Select(i => (byte)i).ToArray(),
    });

    [Fact]
    public void Deserialize_EveryTruncation_ThrowsCdrFormatException()
    {
        var full = SampleImage();
        var dynamicType = MessageSchemaResolver.Shared.Resolve(Image.RosName);
        for (int length = 0; length < full.Length; length++)
        {
            var cut = full.AsSpan(0, length).ToArray();
            var e = Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Image>(cut));
            Assert.Equal("sensor_msgs/msg/Image", e.TypeName);
            Assert.Throws<CdrFormatException>(() => DynamicMessageCodec.Decode(dynamicType, cut));
        }
    }

    [Fact]
    public void Deserialize_HugeSequenceCount_ThrowsBeforeAllocating()
    {
        var bytes = SampleImage();
        // data's length field sits right before the 18 data bytes at the end.
        int lengthAt = bytes.Length - 18 - 4;
        Assert.Equal(18, BitConverter.ToInt32(bytes, lengthAt));
        BitConverter.TryWriteBytes(bytes.AsSpan(lengthAt), int.MaxValue);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Image>(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("claims 2147483647 elements", e.Message);
        Assert.Equal(lengthAt, e.Offset);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes before rejecting the count");
    }

    [Fact]
    public void Deserialize_StringLengthPastBuffer_Throws()
    {
        var bytes = SampleImage();
        BitConverter.TryWriteBytes(bytes.AsSpan(12), 1_000_000); // frame_id length
        var e = Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Image>(bytes));
        Assert.Contains("string claims 1000000 bytes", e.Message);
    }

    [Fact]
    public void Deserialize_InvalidUtf8_Throws()
    {
        var bytes = SampleImage();
        bytes[16] = 0xC3; bytes[17] = 0x28; // a broken two-byte sequence inside frame_id
        var e = Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Image>(bytes));
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void Deserialize_StringWithoutNul_Throws()
    {
        var bytes = SampleImage();
        int len = BitConverter.ToInt32(bytes, 12);
        bytes[16 + len - 1] = (byte)'x';
        Assert.Contains("NUL", Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Image>(bytes)).Message);
    }

    [Theory]
    [InlineData(0x00, 0x02)]
    [InlineData(0x00, 0x07)]
    [InlineData(0x01, 0x01)]
    public void Deserialize_UnknownEncapsulation_Throws(byte b0, byte b1)
    {
        var bytes = SampleImage();
        bytes[0] = b0; bytes[1] = b1;
        Assert.Contains("encapsulation", Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Image>(bytes)).Message);
    }

    [Fact]
    public void Deserialize_BoolOtherThanZeroOrOne_Throws()
    {
        var bytes = CdrSerializer.Serialize(new Bool { Data = true });
        bytes[4] = 7;
        Assert.Contains("bool holds 7", Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<Bool>(bytes)).Message);
    }

    [Fact]
    public void Deserialize_BoundedSequenceOverBound_Throws()
    {
        // rmw_dds_common/Gid-bearing NodeEntitiesInfo: node_name is string<=256.
        var bytes = CdrSerializer.Serialize(new RmwDdsCommon.NodeEntitiesInfo { NodeNamespace = "/", NodeName = "n" });
        var type = MessageSchemaResolver.Shared.Resolve("rmw_dds_common/msg/NodeEntitiesInfo");
        var dyn = DynamicMessageCodec.Decode(type, bytes);
        dyn.Values[1] = new string('n', 300);
        // Encode refuses it, so build the over-long message by hand from an unbounded twin type.
        Assert.Throws<ArgumentException>(() => DynamicMessageCodec.Encode(dyn));
        var unbounded = MessageSchemaResolver.Shared.Resolve("test_pkg/msg/Twin", "ros2msg", "string node_namespace\nstring node_name\nrmw_dds_common/Gid[] reader_gid_seq\nrmw_dds_common/Gid[] writer_gid_seq\n");
        var twin = new DynamicMessage(unbounded, ["/", new string('n', 300), Array.Empty<DynamicMessage>(), Array.Empty<DynamicMessage>()]);
        var overLong = DynamicMessageCodec.Encode(twin);
        Assert.Contains("bound of 256", Assert.Throws<CdrFormatException>(() => CdrSerializer.Deserialize<RmwDdsCommon.NodeEntitiesInfo>(overLong)).Message);
        Assert.Contains("bound of 256", Assert.Throws<CdrFormatException>(() => DynamicMessageCodec.Decode(type, overLong)).Message);
    }
}
