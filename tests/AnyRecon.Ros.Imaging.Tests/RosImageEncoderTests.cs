using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class RosImageEncoderTests
{
    private static ColorImage RedwoodColor()
    {
        using var codec = new JpegCodec();
        return codec.DecodeRgb(File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00003.jpg")));
    }

    private static DepthImage RedwoodDepth()
    {
        using var decoder = new RosImageDecoder();
        byte[] png = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/depth/00003.png"));
        return decoder.DecodeDepth(new CompressedImage { Format = "png", Data = png });
    }

    [Fact]
    public void ToImage_Color_Rgb8RoundTripExactThroughCdr()
    {
        var color = RedwoodColor();
        var header = new Header { FrameId = "camera_color_optical_frame" };

        var message = RosImageEncoder.ToImage(color, header);
        var back = CdrSerializer.Deserialize<Image>(CdrSerializer.Serialize(message));
        using var decoder = new RosImageDecoder();

        Assert.Equal(("rgb8", 1920u, "camera_color_optical_frame"), (back.Encoding, back.Step, back.Header.FrameId));
        Assert.Equal(color.Rgb, decoder.DecodeColor(back).Rgb);
    }

    [Fact]
    public void ToImage_Depth16_RoundTripWithinHalfMillimetre()
    {
        var depth = RedwoodDepth();
        using var decoder = new RosImageDecoder();

        var message = RosImageEncoder.ToImage(depth);
        var back = decoder.DecodeDepth(message);

        Assert.Equal(("16UC1", 1280u), (message.Encoding, message.Step));
        // The source is whole millimetres, so the round trip is exact at float precision of mm * 0.001.
        Assert.Equal(depth.Metres, back.Metres);
    }

    [Fact]
    public void ToImage_Depth16_InvalidAndOutOfRangeBecomeZero()
    {
        var depth = new DepthImage(6, 1, [float.NaN, -1f, 0f, float.PositiveInfinity, 70f, 1.2344f]);
        using var decoder = new RosImageDecoder();

        var back = decoder.DecodeDepth(RosImageEncoder.ToImage(depth));

        Assert.Equal([0f, 0f, 0f, 0f, 0f, 1234 * 0.001f], back.Metres);
    }

    [Fact]
    public void ToImage_Depth32_RoundTripExact()
    {
        var depth = new DepthImage(3, 2, [0.5f, float.NaN, 0f, 1.25f, 9.75f, 3.1415927f]);
        using var decoder = new RosImageDecoder();

        var back = decoder.DecodeDepth(RosImageEncoder.ToImage(depth, encoding: RosDepthEncoding.Metres32));

        Assert.Equal(depth.Metres, back.Metres);
    }

    [Fact]
    public void ToJpeg_RealFrame_PsnrAbove35dBAndDjpegReadsIt()
    {
        var color = RedwoodColor();
        using var encoder = new RosImageEncoder();
        using var decoder = new RosImageDecoder();

        var message = encoder.ToJpeg(color);
        var back = decoder.DecodeColor(message);

        Assert.Equal("rgb8; jpeg compressed bgr8", message.Format);
        Assert.True(ReferenceTools.Psnr(color.Rgb, back.Rgb) > 35, $"PSNR {ReferenceTools.Psnr(color.Rgb, back.Rgb):F1} dB");
        Assert.Equal(back.Rgb, ReferenceTools.Decode("djpeg", message.Data).Samples);
    }

    [Fact]
    public void ToPng_RealFrame_ExactAndPngtopnmReadsIt()
    {
        var color = RedwoodColor();
        using var encoder = new RosImageEncoder();
        using var decoder = new RosImageDecoder();

        var message = encoder.ToPng(color);

        Assert.Equal(color.Rgb, decoder.DecodeColor(message).Rgb);
        Assert.Equal(color.Rgb, ReferenceTools.Decode("pngtopnm", message.Data).Samples);
    }

    [Fact]
    public void ToCompressedDepth16_RealDepth_ExactAndPayloadIsPlain16BitPng()
    {
        var depth = RedwoodDepth();
        using var encoder = new RosImageEncoder();
        using var decoder = new RosImageDecoder();

        var message = encoder.ToCompressedDepth(depth);
        var back = decoder.DecodeDepth(message);
        // Independent check of the layout: after the 12-byte header, netpbm reads the millimetres.
        var reference = ReferenceTools.Decode("pngtopnm", message.Data[12..]);

        Assert.Equal("16UC1; compressedDepth png", message.Format);
        Assert.Equal(depth.Metres, back.Metres);
        for (int i = 0; i < depth.Metres.Length; i++) Assert.Equal(depth.Metres[i], reference.Sample(i) * 0.001f);
    }

    [Fact]
    public void ToCompressedDepth32_RealDepth_WithinQuantizationStep()
    {
        var depth = RedwoodDepth();
        using var encoder = new RosImageEncoder();
        using var decoder = new RosImageDecoder();

        var message = encoder.ToCompressedDepth(depth, encoding: RosDepthEncoding.Metres32);
        var back = decoder.DecodeDepth(message);

        Assert.Equal("32FC1; compressedDepth png", message.Format);
        // q = A/d + B is truncated, so decoded depth is at most one step d^2/A (A = 10100) beyond the truth, never nearer.
        for (int i = 0; i < depth.Metres.Length; i++)
        {
            float d = depth.Metres[i];
            if (d == 0) { Assert.Equal(0f, back.Metres[i]); continue; }
            float step = d * d / 10100f;
            Assert.InRange(back.Metres[i] - d, -1e-5f, step * 1.01f + 1e-5f);
        }
    }

    [Fact]
    public void ToCompressedDepth_BeyondMaximum_Dropped()
    {
        var depth = new DepthImage(4, 1, [1f, 9.5f, 10.5f, float.NaN]);
        using var encoder = new RosImageEncoder();
        using var decoder = new RosImageDecoder();

        var back16 = decoder.DecodeDepth(encoder.ToCompressedDepth(depth));
        var back32 = decoder.DecodeDepth(encoder.ToCompressedDepth(depth, encoding: RosDepthEncoding.Metres32));

        Assert.Equal([1f, 9.5f, 0f, 0f], back16.Metres);
        Assert.Equal(0f, back32.Metres[2]);
        Assert.Equal(0f, back32.Metres[3]);
        Assert.InRange(back32.Metres[1], 9.5f, 9.5f + 9.5f * 9.5f / 10100f * 1.01f);
    }
}
