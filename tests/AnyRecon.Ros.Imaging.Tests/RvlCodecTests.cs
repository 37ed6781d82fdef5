using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class RvlCodecTests
{
    // Worked by hand from the format: [0, 0, 5, 6] is zeros=2 (nibble 2), nonzeros=2 (nibble 2), 5 = zigzag 10 =
    // groups 2,1 (nibbles A,1), 6 = delta 1 = zigzag 2 (nibble 2): nibbles 2 2 A 1 2, padded to 0x22A12000, little-endian.
    private static readonly byte[] s_handMade = [0x00, 0x20, 0xA1, 0x22];

    [Fact]
    public void Decode_HandWorkedStream_GivesPixels()
    {
        var pixels = new ushort[4];

        RvlCodec.Decode(s_handMade, pixels);

        Assert.Equal([0, 0, 5, 6], pixels);
    }

    [Fact]
    public void Encode_HandWorkedPixels_GivesStream() => Assert.Equal(s_handMade, RvlCodec.Encode([0, 0, 5, 6]));

    [Fact]
    public void EncodeDecode_EdgeValues_RoundTripExact()
    {
        var pixels = new ushort[5000];
        var random = new Random(5);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = random.Next(4) == 0 ? (ushort)0 : (ushort)random.Next(65536);
        pixels[10] = 65535; pixels[11] = 1; pixels[12] = 65535;
        var back = new ushort[pixels.Length];

        RvlCodec.Decode(RvlCodec.Encode(pixels), back);

        Assert.Equal(pixels, back);
    }

    [Fact]
    public void Decode_Truncated_ThrowsCorruptData()
    {
        var pixels = Enumerable.Range(1, 100).Select(i => (ushort)(i * 300)).ToArray();
        byte[] stream = RvlCodec.Encode(pixels);

        var error = Assert.Throws<ImageFormatException>(() => RvlCodec.Decode(stream.AsSpan(0, stream.Length - 8), new ushort[100]));

        Assert.Equal(ImageRejectionReason.CorruptData, error.Reason);
    }

    [Fact]
    public void Decode_RunPastEnd_ThrowsCorruptData()
    {
        // zeros = 5 for a 4-pixel image.
        byte[] stream = [0x00, 0x00, 0x00, 0x50];

        Assert.Equal(ImageRejectionReason.CorruptData, Assert.Throws<ImageFormatException>(() => RvlCodec.Decode(stream, new ushort[4])).Reason);
    }

    [Fact]
    public void Decode_EndlessNumber_ThrowsCorruptData()
    {
        byte[] stream = Enumerable.Repeat((byte)0xFF, 64).ToArray();

        Assert.Equal(ImageRejectionReason.CorruptData, Assert.Throws<ImageFormatException>(() => RvlCodec.Decode(stream, new ushort[4])).Reason);
    }

    [Fact]
    public void CompressedDepthRvl_RealDepth_RoundTrip16Exact32WithinStep()
    {
        byte[] png = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/depth/00004.png"));
        using var decoder = new RosImageDecoder();
        using var encoder = new RosImageEncoder();
        var depth = decoder.DecodeDepth(new CompressedImage { Format = "png", Data = png });

        var message16 = encoder.ToCompressedDepth(depth, codec: CompressedCodec.Rvl);
        var message32 = encoder.ToCompressedDepth(depth, encoding: RosDepthEncoding.Metres32, codec: CompressedCodec.Rvl);
        var back16 = decoder.DecodeDepth(message16);
        var back32 = decoder.DecodeDepth(message32);

        Assert.Equal("16UC1; compressedDepth rvl", message16.Format);
        Assert.Equal(depth.Metres, back16.Metres);
        for (int i = 0; i < depth.Metres.Length; i++)
        {
            float d = depth.Metres[i];
            if (d == 0) Assert.Equal(0f, back32.Metres[i]);
            else Assert.InRange(back32.Metres[i] - d, -1e-5f, d * d / 10100f * 1.01f + 1e-5f);
        }
    }

    [Fact]
    public void CompressedDepthRvl_HugeDeclaredSize_TooLarge()
    {
        var data = new byte[12 + 8 + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), 1_000_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), 1_000_000);
        using var decoder = new RosImageDecoder();

        Assert.False(decoder.TryDecodeDepth(new CompressedImage { Format = "16UC1; compressedDepth rvl", Data = data }, out _, out var rejection));
        Assert.Equal(ImageRejectionReason.TooLarge, rejection.Reason);
    }
}
