using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class JpegCodecTests
{
    public static TheoryData<string> RedwoodColor() => new(Fixtures.Files("open3d_rgbd_samples/redwood_livingroom1_5frames/color", "*.jpg"));

    [Theory]
    [MemberData(nameof(RedwoodColor))]
    public void DecodeRgb_RedwoodJpeg_MatchesDjpeg(string relative)
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require(relative));
        using var codec = new JpegCodec();

        var image = codec.DecodeRgb(file);
        var reference = ReferenceTools.Decode("djpeg", file);

        Assert.Equal((640, 480), (image.Width, image.Height));
        Assert.Equal((reference.Width, reference.Height, 3), (image.Width, image.Height, reference.Channels));
        // Both are libjpeg-turbo with the accurate integer DCT and fancy upsampling: the same pixels.
        int maxDifference = 0;
        for (int i = 0; i < reference.SampleCount; i++) maxDifference = Math.Max(maxDifference, Math.Abs(image.Rgb[i] - reference.Sample(i)));
        Assert.Equal(0, maxDifference);
        // Plausibility: a lit room, not a flat or black frame.
        double mean = image.Rgb.Average(b => (double)b);
        Assert.InRange(mean, 30, 220);
    }

    [Fact]
    public void DecodeMono8_RedwoodJpeg_MatchesDjpegGrayscale()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00000.jpg"));
        using var codec = new JpegCodec();

        byte[] gray = codec.DecodeMono8(file, out int width, out int height);
        var reference = ReferenceTools.ParsePnm(ReferenceTools.Run("djpeg", "-grayscale", file));

        Assert.Equal((reference.Width, reference.Height), (width, height));
        for (int i = 0; i < gray.Length; i++) Assert.True(Math.Abs(gray[i] - reference.Sample(i)) <= 1, $"pixel {i}: {gray[i]} vs {reference.Sample(i)}");
    }

    [Fact]
    public void Encode_RealFrame_RoundTripAbove35dB()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00002.jpg"));
        using var codec = new JpegCodec();
        var original = codec.DecodeRgb(file);

        byte[] encoded = codec.Encode(original, quality: 95);
        var decoded = codec.DecodeRgb(encoded);
        // The reference decoder reads our output too.
        var reference = ReferenceTools.Decode("djpeg", encoded);

        Assert.Equal((original.Width, original.Height), (decoded.Width, decoded.Height));
        Assert.True(ReferenceTools.Psnr(original.Rgb, decoded.Rgb) > 35, $"PSNR {ReferenceTools.Psnr(original.Rgb, decoded.Rgb):F1} dB");
        Assert.Equal(decoded.Rgb, reference.Samples);
    }

    [Fact]
    public void Encode_Mono8_RoundTripAbove35dB()
    {
        int width = 64, height = 48;
        var gray = new byte[width * height];
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++) gray[v * width + u] = (byte)(128 + 100 * Math.Sin(u * 0.2) * Math.Cos(v * 0.15));
        using var codec = new JpegCodec();

        byte[] encoded = codec.Encode(gray, width, height, PixelLayout.Mono8, quality: 95);
        byte[] decoded = codec.DecodeMono8(encoded, out int w, out int h);

        Assert.Equal((width, height), (w, h));
        Assert.True(ReferenceTools.Psnr(gray, decoded) > 35);
    }

    [Fact]
    public void DecodeRgb_Truncated_ThrowsCorruptData()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00000.jpg"));
        using var codec = new JpegCodec();

        var error = Assert.Throws<ImageFormatException>(() => codec.DecodeRgb(file.AsSpan(0, file.Length / 2)));

        Assert.Equal(ImageRejectionReason.CorruptData, error.Reason);
    }

    [Fact]
    public void DecodeRgb_TruncatedWithWarningsAccepted_DecodesGrayFilledFrame()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00000.jpg"));
        using var codec = new JpegCodec(new ImageDecoderOptions { RejectJpegWarnings = false });

        var image = codec.DecodeRgb(file.AsSpan(0, file.Length / 2));

        Assert.Equal((640, 480), (image.Width, image.Height));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })]
    public void ReadSize_Garbage_ThrowsCorruptData(byte[] data)
    {
        using var codec = new JpegCodec();

        Assert.Equal(ImageRejectionReason.CorruptData, Assert.Throws<ImageFormatException>(() => codec.ReadSize(data)).Reason);
    }

    [Fact]
    public void DecodeRgb_HugeDeclaredSize_ThrowsTooLargeBeforeAllocating()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/redwood_livingroom1_5frames/color/00000.jpg"));
        int sof = IndexOfStartOfFrame(file);
        // SOF: marker(2) length(2) precision(1) height(2) width(2).
        // 60000x60000: below libjpeg's 65500 limit, far above ours.
        file[sof + 5] = 0xEA; file[sof + 6] = 0x60; file[sof + 7] = 0xEA; file[sof + 8] = 0x60;
        using var codec = new JpegCodec(new ImageDecoderOptions { MaxPixelCount = 1_000_000 });

        var error = Assert.Throws<ImageFormatException>(() => codec.DecodeRgb(file));

        Assert.Equal(ImageRejectionReason.TooLarge, error.Reason);
        Assert.Contains("60000x60000", error.Message);
    }

    [Fact]
    public void Encode_WrongLength_Throws()
    {
        using var codec = new JpegCodec();

        Assert.Throws<ArgumentException>(() => codec.Encode(new byte[10], 2, 2, PixelLayout.Rgb8));
        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Encode(new byte[12], 2, 2, PixelLayout.Rgb8, quality: 0));
    }

    private static int IndexOfStartOfFrame(byte[] jpeg)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i;
        throw new InvalidDataException("no SOF marker");
    }
}
