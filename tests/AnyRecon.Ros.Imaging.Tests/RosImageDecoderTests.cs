using System.Buffers.Binary;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class RosImageDecoderTests
{
    // Analytic truth for hand-made buffers: pixel (u, v) has these RGB values and alpha.
    private static byte R(int u, int v) => (byte)(u * 7 + v * 3);
    private static byte G(int u, int v) => (byte)(u * 13 + v * 29 + 5);
    private static byte B(int u, int v) => (byte)(255 - u * 5 - v);
    private static byte A(int u, int v) => (byte)(u ^ v);

    /// <summary>An Image in <paramref name="encoding"/> with <paramref name="padding"/> junk bytes after each row.</summary>
    private static Image MakeColorImage(string encoding, int width, int height, int padding)
    {
        int bpp = RosImageEncodings.ColorBytesPerPixel(encoding);
        int step = width * bpp + padding;
        var data = new byte[step * height];
        Array.Fill(data, (byte)0xEE);
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
            {
                var p = data.AsSpan(v * step + u * bpp, bpp);
                byte r = R(u, v), g = G(u, v), b = B(u, v), a = A(u, v);
                switch (encoding)
                {
                    case "rgb8": p[0] = r; p[1] = g; p[2] = b; break;
                    case "bgr8": p[0] = b; p[1] = g; p[2] = r; break;
                    case "rgba8": p[0] = r; p[1] = g; p[2] = b; p[3] = a; break;
                    case "bgra8": p[0] = b; p[1] = g; p[2] = r; p[3] = a; break;
                    case "mono8": p[0] = g; break;
                }
            }
        return new Image { Width = (uint)width, Height = (uint)height, Encoding = encoding, Step = (uint)step, Data = data };
    }

    [Theory]
    [InlineData("rgb8", 0)]
    [InlineData("rgb8", 5)]
    [InlineData("bgr8", 0)]
    [InlineData("bgr8", 3)]
    [InlineData("rgba8", 0)]
    [InlineData("rgba8", 8)]
    [InlineData("bgra8", 0)]
    [InlineData("bgra8", 1)]
    [InlineData("mono8", 0)]
    [InlineData("mono8", 7)]
    public void DecodeColor_HandMadeBuffer_MatchesAnalyticPixels(string encoding, int padding)
    {
        // 101 wide: vector blocks plus a scalar tail in every row.
        foreach (int width in new[] { 1, 5, 101 })
        {
            var message = MakeColorImage(encoding, width, 4, padding);
            using var decoder = new RosImageDecoder();

            var image = decoder.DecodeColor(message);

            Assert.Equal((width, 4), (image.Width, image.Height));
            for (int v = 0; v < 4; v++)
                for (int u = 0; u < width; u++)
                {
                    int i = (v * width + u) * 3;
                    var expected = encoding == "mono8" ? (G(u, v), G(u, v), G(u, v)) : (R(u, v), G(u, v), B(u, v));
                    Assert.Equal(expected, (image.Rgb[i], image.Rgb[i + 1], image.Rgb[i + 2]));
                }
        }
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 6)]
    [InlineData(true, 0)]
    [InlineData(true, 2)]
    public void DecodeDepth_16UC1_MillimetresToMetres(bool bigEndian, int padding)
    {
        int width = 83, height = 3, step = width * 2 + padding;
        var data = new byte[step * height];
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
            {
                ushort mm = (ushort)(u * 797 + v * 11);
                var p = data.AsSpan(v * step + u * 2);
                if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(p, mm); else BinaryPrimitives.WriteUInt16LittleEndian(p, mm);
            }
        var message = new Image { Width = (uint)width, Height = (uint)height, Encoding = "16UC1", IsBigendian = bigEndian ? (byte)1 : (byte)0, Step = (uint)step, Data = data };
        using var decoder = new RosImageDecoder();

        var depth = decoder.DecodeDepth(message);

        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
                Assert.Equal((ushort)(u * 797 + v * 11) * 0.001f, depth.Metres[v * width + u]);
        Assert.Equal(0f, depth.Metres[0]);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 4)]
    public void DecodeDepth_32FC1_MetresAsStored(bool bigEndian, int padding)
    {
        int width = 9, height = 4, step = width * 4 + padding;
        var data = new byte[step * height];
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
            {
                float m = u == 0 ? float.NaN : u * 0.37f + v;
                var p = data.AsSpan(v * step + u * 4);
                if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(p, m); else BinaryPrimitives.WriteSingleLittleEndian(p, m);
            }
        var message = new Image { Width = (uint)width, Height = (uint)height, Encoding = "32FC1", IsBigendian = bigEndian ? (byte)1 : (byte)0, Step = (uint)step, Data = data };
        using var decoder = new RosImageDecoder();

        var depth = decoder.DecodeDepth(message);

        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
                Assert.Equal(u == 0 ? float.NaN : u * 0.37f + v, depth.Metres[v * width + u]);
    }

    [Fact]
    public void DecodeColor_FixtureBagImageShorterThanStep_RejectedWithReason()
    {
        string bag = Fixtures.Require("rosbags_rs_all_types_bag/test_bag_mcap");
        using var reader = BagReader.Open(bag);
        using var decoder = new RosImageDecoder();
        int seen = 0;

        foreach (var message in reader.ReadMessages(new MessageFilter { Topics = ["/test/sensor_msgs/image"] }))
        {
            var image = CdrSerializer.Deserialize<Image>(message.Data.Span);
            Assert.Equal(("rgb8", 640u, 480u, 1920u, 30), (image.Encoding, image.Width, image.Height, image.Step, image.Data.Length));

            Assert.False(decoder.TryDecodeColor(image, out var decoded, out var rejection));

            Assert.Null(decoded);
            Assert.Equal(ImageRejectionReason.DataShorterThanStep, rejection.Reason);
            Assert.Contains("921600", rejection.Message);
            seen++;
        }
        Assert.Equal(2, seen);
    }

    [Fact]
    public void DecodeColor_FixtureBagCompressedImageHeaderOnly_RejectedAsCorrupt()
    {
        string bag = Fixtures.Require("rosbags_rs_all_types_bag/test_bag_sqlite3");
        using var reader = BagReader.Open(bag);
        using var decoder = new RosImageDecoder();
        int seen = 0;

        foreach (var message in reader.ReadMessages(new MessageFilter { Topics = ["/test/sensor_msgs/compressed_image"] }))
        {
            var image = CdrSerializer.Deserialize<CompressedImage>(message.Data.Span);

            Assert.False(decoder.TryDecodeColor(image, out _, out var rejection));

            Assert.Equal(ImageRejectionReason.CorruptData, rejection.Reason);
            seen++;
        }
        Assert.Equal(2, seen);
    }

    public static TheoryData<Image, ImageRejectionReason> BadImages() => new()
    {
        { new Image { Width = 4, Height = 2, Encoding = "yuv422", Step = 8, Data = new byte[16] }, ImageRejectionReason.UnknownEncoding },
        { new Image { Width = 4, Height = 2, Encoding = "16UC1", Step = 8, Data = new byte[16] }, ImageRejectionReason.UnknownEncoding },
        { new Image { Width = 0, Height = 2, Encoding = "rgb8", Step = 0, Data = [] }, ImageRejectionReason.ZeroSize },
        { new Image { Width = 100_000, Height = 100_000, Encoding = "rgb8", Step = 300_000, Data = new byte[10] }, ImageRejectionReason.TooLarge },
        { new Image { Width = 4, Height = 2, Encoding = "rgb8", Step = 11, Data = new byte[24] }, ImageRejectionReason.StepTooSmall },
        { new Image { Width = 4, Height = 2, Encoding = "rgb8", Step = 12, Data = new byte[23] }, ImageRejectionReason.DataShorterThanStep },
        { new Image { Width = 4, Height = 2, Encoding = "rgb8", Step = uint.MaxValue, Data = new byte[24] }, ImageRejectionReason.DataShorterThanStep },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void TryDecodeColor_BadImage_RejectedWithReason(Image message, ImageRejectionReason reason)
    {
        using var decoder = new RosImageDecoder();

        Assert.False(decoder.TryDecodeColor(message, out _, out var rejection));

        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(reason, Assert.Throws<ImageFormatException>(() => decoder.DecodeColor(message)).Reason);
    }

    [Theory]
    [InlineData("rgb8", ImageRejectionReason.UnknownEncoding)]
    [InlineData("32FC2", ImageRejectionReason.UnknownEncoding)]
    public void TryDecodeDepth_NotDepth_RejectedWithReason(string encoding, ImageRejectionReason reason)
    {
        using var decoder = new RosImageDecoder();
        var message = new Image { Width = 2, Height = 2, Encoding = encoding, Step = 8, Data = new byte[16] };

        Assert.False(decoder.TryDecodeDepth(message, out _, out var rejection));
        Assert.Equal(reason, rejection.Reason);
    }

    [Theory]
    [InlineData("rgb8; jpeg compressed bgr8")]
    [InlineData("bgr8; jpeg compressed bgr8")]
    [InlineData("jpeg")]
    [InlineData("")]
    public void DecodeColor_CompressedJpeg_SameAsCodec(string format)
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00001.jpg"));
        using var decoder = new RosImageDecoder();
        using var codec = new JpegCodec();

        var image = decoder.DecodeColor(new CompressedImage { Format = format, Data = file });

        Assert.Equal(codec.DecodeRgb(file).Rgb, image.Rgb);
    }

    [Theory]
    [InlineData("rgb8; png compressed bgr8")]
    [InlineData("png")]
    [InlineData("")]
    public void DecodeColor_CompressedPng_SameAsPngtopnm(string format)
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_color.png"));
        using var decoder = new RosImageDecoder();

        var image = decoder.DecodeColor(new CompressedImage { Format = format, Data = file });

        Assert.Equal(ReferenceTools.Decode("pngtopnm", file).Samples, image.Rgb);
    }

    [Theory]
    [InlineData("rgb8; webp compressed bgr8", ImageRejectionReason.UnknownEncoding)]
    [InlineData("16UC1; compressedDepth png", ImageRejectionReason.WrongPixelFormat)]
    [InlineData("mono16; png compressed mono16", ImageRejectionReason.WrongPixelFormat)]
    public void TryDecodeColor_CompressedNotColour_RejectedWithReason(string format, ImageRejectionReason reason)
    {
        using var decoder = new RosImageDecoder();

        Assert.False(decoder.TryDecodeColor(new CompressedImage { Format = format, Data = new byte[100] }, out _, out var rejection));
        Assert.Equal(reason, rejection.Reason);
    }

    [Fact]
    public void DecodeDepth_CompressedDepth16_HandMadeMessage_Millimetres()
    {
        // Independent of our encoder: netpbm writes the PNG, the test writes the 12-byte ConfigHeader.
        var mm = PngCodecTests.Ramp16(31, 9);
        byte[] png = ReferenceTools.Run("pnmtopng", "", Pgm16(mm, 31, 9));
        var data = new byte[12 + png.Length];
        png.CopyTo(data, 12);
        using var decoder = new RosImageDecoder();

        var depth = decoder.DecodeDepth(new CompressedImage { Format = "16UC1; compressedDepth png", Data = data });

        Assert.Equal((31, 9), (depth.Width, depth.Height));
        for (int i = 0; i < mm.Length; i++) Assert.Equal(mm[i] * 0.001f, depth.Metres[i]);
    }

    [Fact]
    public void DecodeDepth_CompressedDepth32_HandMadeMessage_InverseDepth()
    {
        // The reference's defaults: depth_quantization 100, depth_max 10 give A = 10100, B = 1 - A / 10 = -1009.
        const float quantA = 100f * 101f, quantB = 1f - quantA / 10f;
        var q = new ushort[] { 0, 1, 2000, 5000, 9091, 30000, 65535, 1010 };
        byte[] png = ReferenceTools.Run("pnmtopng", "", Pgm16(q, 4, 2));
        var data = new byte[12 + png.Length];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), quantA);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), quantB);
        png.CopyTo(data, 12);
        using var decoder = new RosImageDecoder();

        var depth = decoder.DecodeDepth(new CompressedImage { Format = "32FC1; compressedDepth png", Data = data });

        Assert.Equal(0f, depth.Metres[0]);
        for (int i = 1; i < q.Length; i++) Assert.Equal(quantA / (q[i] - quantB), depth.Metres[i]);
        // q = A / 1 m + B = 9091 is exactly one metre.
        Assert.Equal(1.0f, depth.Metres[4]);
    }

    [Fact]
    public void DecodeDepth_Plain16BitPng_RedwoodMillimetres()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/depth/00000.png"));
        using var decoder = new RosImageDecoder();
        var reference = ReferenceTools.Decode("pngtopnm", file);

        var depth = decoder.DecodeDepth(new CompressedImage { Format = "16UC1; png compressed mono16", Data = file });

        for (int i = 0; i < depth.Metres.Length; i++) Assert.Equal(reference.Sample(i) * 0.001f, depth.Metres[i]);
    }

    [Theory]
    [InlineData("16UC1; compressedDepth rvl", 100, ImageRejectionReason.ZeroSize)]
    [InlineData("rgb8; compressedDepth png", 100, ImageRejectionReason.UnknownEncoding)]
    [InlineData("16UC1; compressedDepth png", 12, ImageRejectionReason.CorruptData)]
    [InlineData("16UC1; compressedDepth png", 100, ImageRejectionReason.CorruptData)]
    [InlineData("rgb8; jpeg compressed bgr8", 100, ImageRejectionReason.WrongPixelFormat)]
    public void TryDecodeDepth_BadCompressed_RejectedWithReason(string format, int length, ImageRejectionReason reason)
    {
        using var decoder = new RosImageDecoder();

        Assert.False(decoder.TryDecodeDepth(new CompressedImage { Format = format, Data = new byte[length] }, out _, out var rejection));
        Assert.Equal(reason, rejection.Reason);
    }

    [Fact]
    public void TryDecodeDepth_ColourPngAsDepth_WrongPixelFormat()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_color.png"));
        using var decoder = new RosImageDecoder();

        Assert.False(decoder.TryDecodeDepth(new CompressedImage { Format = "png", Data = file }, out _, out var rejection));
        Assert.Equal(ImageRejectionReason.WrongPixelFormat, rejection.Reason);
    }

    [Fact]
    public void DecodeColor_Reuse_WritesIntoSameFrame()
    {
        using var decoder = new RosImageDecoder();
        var first = decoder.DecodeColor(MakeColorImage("bgr8", 6, 2, 0));

        var second = decoder.DecodeColor(MakeColorImage("rgb8", 6, 2, 0), reuse: first);
        var other = decoder.DecodeColor(MakeColorImage("rgb8", 7, 2, 0), reuse: first);

        Assert.Same(first, second);
        Assert.NotSame(first, other);
    }

    [Fact]
    public void CheckSameSize_Mismatch_Rejected()
    {
        var color = new ColorImage(4, 3, new byte[36]);

        Assert.False(RosImageDecoder.CheckSameSize(color, new DepthImage(4, 3, new float[12])).IsRejected);
        var rejection = RosImageDecoder.CheckSameSize(color, new DepthImage(3, 4, new float[12]));
        Assert.Equal(ImageRejectionReason.SizeMismatch, rejection.Reason);
        Assert.Contains("4x3", rejection.Message);
    }

    [Theory]
    [InlineData("rgb8; jpeg compressed bgr8", "rgb8", CompressedCodec.Jpeg, false)]
    [InlineData("bgr8; png compressed bgr8", "bgr8", CompressedCodec.Png, false)]
    [InlineData("jpeg", "", CompressedCodec.Jpeg, false)]
    [InlineData("PNG", "", CompressedCodec.Png, false)]
    [InlineData("16UC1; compressedDepth png", "16UC1", CompressedCodec.Png, true)]
    [InlineData("32FC1; compressedDepth", "32FC1", CompressedCodec.Png, true)]
    [InlineData("16UC1; compressedDepth rvl", "16UC1", CompressedCodec.Rvl, true)]
    [InlineData("16UC1", "16UC1", CompressedCodec.Png, true)]
    [InlineData("rgb8; tiff compressed bgr8", "rgb8", CompressedCodec.Unknown, false)]
    public void CompressedFormatParse_ImageTransportStrings_Parsed(string format, string encoding, CompressedCodec codec, bool compressedDepth) =>
        Assert.Equal(new CompressedFormat(encoding, codec, compressedDepth), CompressedFormat.Parse(format));

    internal static byte[] Pgm16(ushort[] values, int width, int height)
    {
        byte[] header = System.Text.Encoding.ASCII.GetBytes($"P5\n{width} {height}\n65535\n");
        var data = new byte[header.Length + values.Length * 2];
        header.CopyTo(data, 0);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(header.Length + 2 * i), values[i]);
        return data;
    }
}
