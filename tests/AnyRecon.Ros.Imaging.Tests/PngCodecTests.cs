using System.Buffers.Binary;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class PngCodecTests
{
    public static TheoryData<string> DepthPngs() => new(
        Fixtures.Files("open3d_rgbd_samples/redwood_livingroom1_5frames/depth", "*.png")
            .Append("open3d_rgbd_samples/tum_single_frame/TUM_depth.png"));

    [Theory]
    [MemberData(nameof(DepthPngs))]
    public void DecodeGray16_FixtureDepth_BitExactWithPngtopnm(string relative)
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require(relative));
        var codec = new PngCodec();

        ushort[] depth = codec.DecodeGray16(file, out int width, out int height);
        var reference = ReferenceTools.Decode("pngtopnm", file);

        Assert.Equal((640, 480), (width, height));
        Assert.Equal((reference.Width, reference.Height, 1, 65535), (width, height, reference.Channels, reference.MaxValue));
        for (int i = 0; i < depth.Length; i++)
            if (depth[i] != reference.Sample(i)) Assert.Fail($"pixel {i}: {depth[i]} vs pngtopnm {reference.Sample(i)}");
        // Plausible depth: NOTES.md gives Redwood 0.95-2.70 m (mm units), TUM 1.46-9.33 m (units of 1/5000 m).
        var valid = depth.Where(d => d != 0).ToArray();
        Assert.True(valid.Length > depth.Length / 2);
        double scale = relative.Contains("tum", StringComparison.Ordinal) ? 1 / 5000.0 : 1 / 1000.0;
        Assert.InRange(valid.Min() * scale, 0.9, 1.6);
        Assert.InRange(valid.Max() * scale, 2.6, 9.5);
    }

    [Fact]
    public void DecodeRgb_TumColor_BitExactWithPngtopnm()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_color.png"));

        var image = new PngCodec().DecodeRgb(file);
        var reference = ReferenceTools.Decode("pngtopnm", file);

        Assert.Equal((640, 480, 3), (image.Width, image.Height, reference.Channels));
        Assert.Equal(reference.Samples, image.Rgb);
    }

    [Fact]
    public void DecodeGray16_FileWithGamma_StillBitExact()
    {
        // A 16-bit PNG that declares gAMA 0.45: libpng's simplified read would convert it; depth must not change.
        var values = Ramp16(37, 11);
        byte[] pgm = Pgm16(values, 37, 11);
        byte[] png = ReferenceTools.Run("pnmtopng", "-gamma 0.45", pgm);
        Assert.True(ContainsChunk(png, "gAMA"), "pnmtopng did not write gAMA");

        ushort[] decoded = new PngCodec().DecodeGray16(png, out int width, out int height);

        Assert.Equal((37, 11), (width, height));
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void DecodeRgb_FileWithGamma_MatchesPngtopnm()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_color.png"));
        var reference = ReferenceTools.Decode("pngtopnm", file);
        byte[] ppm = [.. System.Text.Encoding.ASCII.GetBytes($"P6\n{reference.Width} {reference.Height}\n255\n"), .. reference.Samples];
        byte[] withGamma = ReferenceTools.Run("pnmtopng", "-gamma 1.0", ppm);

        var image = new PngCodec().DecodeRgb(withGamma);

        Assert.Equal(reference.Samples, image.Rgb);
    }

    [Fact]
    public void EncodeGray16_RoundTrip_ExactAndReadableByPngtopnm()
    {
        var values = Ramp16(641, 7);
        values[0] = 0; values[1] = 1; values[2] = 65535; values[3] = 256; values[4] = 255;
        var codec = new PngCodec();

        byte[] png = codec.EncodeGray16(values, 641, 7);
        ushort[] decoded = codec.DecodeGray16(png, out _, out _);
        var reference = ReferenceTools.Decode("pngtopnm", png);

        Assert.Equal(values, decoded);
        Assert.Equal(values.Select(v => (int)v), Enumerable.Range(0, values.Length).Select(reference.Sample));
    }

    [Fact]
    public void EncodeRgb_RoundTrip_ExactAndReadableByPngtopnm()
    {
        int width = 33, height = 17;
        var rgb = new byte[width * height * 3];
        new Random(7).NextBytes(rgb);
        var codec = new PngCodec();

        byte[] png = codec.Encode(new ColorImage(width, height, rgb));

        Assert.Equal(rgb, codec.DecodeRgb(png).Rgb);
        Assert.Equal(rgb, ReferenceTools.Decode("pngtopnm", png).Samples);
    }

    [Fact]
    public void EncodeMono8_RoundTrip_Exact()
    {
        var gray = new byte[20 * 9];
        new Random(3).NextBytes(gray);
        var codec = new PngCodec();

        byte[] png = codec.Encode(gray, 20, 9, PixelLayout.Mono8);

        Assert.Equal(gray, codec.DecodeMono8(png, out _, out _));
        Assert.Equal(gray, ReferenceTools.Decode("pngtopnm", png).Samples);
        // Gray replicated to RGB.
        Assert.Equal(gray.SelectMany(g => new[] { g, g, g }), codec.DecodeRgb(png).Rgb);
    }

    [Fact]
    public void DecodeRgb_RgbaPng_DropsAlpha()
    {
        int width = 20, height = 20; // random colours > 256, so pnmtopng cannot use a palette
        var rgb = new byte[width * height * 3];
        new Random(11).NextBytes(rgb);
        byte[] ppm = [.. System.Text.Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n"), .. rgb];
        byte[] alpha = [.. System.Text.Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"), .. Enumerable.Range(0, width * height).Select(i => (byte)(i * 17 % 256))];
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("alpha.pgm"), alpha);
        byte[] png = ReferenceTools.Run("pnmtopng", $"-alpha {temp.Combine("alpha.pgm")}", ppm);
        Assert.Equal(6, png[25]); // IHDR colour type 6 = RGBA

        var image = new PngCodec().DecodeRgb(png);

        Assert.Equal(rgb, image.Rgb);
    }

    [Fact]
    public void DecodeGray16_ColourPng_ThrowsWrongPixelFormat()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_color.png"));

        var error = Assert.Throws<ImageFormatException>(() => new PngCodec().DecodeGray16(file, out _, out _));

        Assert.Equal(ImageRejectionReason.WrongPixelFormat, error.Reason);
    }

    [Fact]
    public void DecodeGray16_Truncated_ThrowsCorruptData()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_depth.png"));

        var error = Assert.Throws<ImageFormatException>(() => new PngCodec().DecodeGray16(file.AsSpan(0, file.Length - 5000).ToArray(), out _, out _));

        Assert.Equal(ImageRejectionReason.CorruptData, error.Reason);
    }

    [Fact]
    public void DecodeRgb_FlippedIdatByte_ThrowsCorruptData()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_color.png"));
        file[file.Length / 2] ^= 0x55;

        var error = Assert.Throws<ImageFormatException>(() => new PngCodec().DecodeRgb(file));

        Assert.Equal(ImageRejectionReason.CorruptData, error.Reason);
        Assert.Contains("PNG", error.Message);
    }

    [Fact]
    public void ReadHeader_HugeDeclaredSize_ThrowsTooLarge()
    {
        byte[] file = File.ReadAllBytes(Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_depth.png"));
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(16), 1_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 1_000_000);

        var error = Assert.Throws<ImageFormatException>(() => new PngCodec().DecodeGray16(file, out _, out _));

        Assert.Equal(ImageRejectionReason.TooLarge, error.Reason);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' })]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' })]
    public void ReadHeader_Garbage_ThrowsCorruptData(byte[] data) =>
        Assert.Equal(ImageRejectionReason.CorruptData, Assert.Throws<ImageFormatException>(() => new PngCodec().ReadHeader(data)).Reason);

    [Fact]
    public void ReadHeader_ZeroWidth_ThrowsZeroSize()
    {
        byte[] png = new PngCodec().EncodeGray16(new ushort[6], 3, 2);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 0);

        Assert.Equal(ImageRejectionReason.ZeroSize, Assert.Throws<ImageFormatException>(() => new PngCodec().ReadHeader(png)).Reason);
    }

    internal static ushort[] Ramp16(int width, int height)
    {
        var values = new ushort[width * height];
        for (int i = 0; i < values.Length; i++) values[i] = (ushort)(i * 7919 % 65536);
        return values;
    }

    private static byte[] Pgm16(ushort[] values, int width, int height)
    {
        byte[] header = System.Text.Encoding.ASCII.GetBytes($"P5\n{width} {height}\n65535\n");
        var data = new byte[header.Length + values.Length * 2];
        header.CopyTo(data, 0);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(header.Length + 2 * i), values[i]);
        return data;
    }

    private static bool ContainsChunk(byte[] png, string type) =>
        png.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(type)) >= 0;
}

public sealed class PngColorManagementTests
{
    [Fact]
    public void StripColorManagement_OurEncodedGray16_DropsGammaKeepsPixels()
    {
        var values = PngCodecTests.Ramp16(19, 5);
        byte[] png = new PngCodec().EncodeGray16(values, 19, 5);
        Assert.True(png.AsSpan().IndexOf("gAMA"u8) >= 0, "libpng's writer is expected to add gAMA for 16-bit output");

        byte[]? stripped = PngCodec.StripColorManagement(png, alsoTransparency: true, out int length);

        Assert.NotNull(stripped);
        byte[] copy = stripped.AsSpan(0, length).ToArray();
        System.Buffers.ArrayPool<byte>.Shared.Return(stripped);
        Assert.True(copy.AsSpan().IndexOf("gAMA"u8) < 0);
        Assert.True(length < png.Length);
        var reference = ReferenceTools.Decode("pngtopnm", copy);
        Assert.Equal(values.Select(v => (int)v), Enumerable.Range(0, values.Length).Select(reference.Sample));
    }

    [Fact]
    public void StripColorManagement_NoSuchChunks_ReturnsNullWithoutCopy()
    {
        byte[] pgm = [.. System.Text.Encoding.ASCII.GetBytes("P5\n3 2\n255\n"), 1, 2, 3, 4, 5, 6];
        byte[] png = ReferenceTools.Run("pnmtopng", "", pgm);

        Assert.Null(PngCodec.StripColorManagement(png, alsoTransparency: true, out int length));
        Assert.Equal(0, length);
    }
}

public sealed class PngDepthFolderTests
{
    [Fact]
    public void DecodeDepth_TumScale5000_MatchesPngtopnmOver5000()
    {
        byte[] file = File.ReadAllBytes(AnyRecon.Ros.Tests.Fixtures.Require("open3d_rgbd_samples/tum_single_frame/TUM_depth.png"));
        var reference = ReferenceTools.Decode("pngtopnm", file);

        var depth = new PngCodec().DecodeDepth(file, depthScale: 5000);

        for (int i = 0; i < depth.Metres.Length; i++) Assert.Equal(reference.Sample(i) * (float)(1.0 / 5000), depth.Metres[i]);
        Assert.InRange(depth.Metres.Where(DepthImage.IsValid).Max(), 9.0f, 9.4f); // NOTES.md: 1.46-9.33 m
    }

    [Fact]
    public void EncodeDepth_Millimetres_RoundTripAndPngtopnmSeesMillimetres()
    {
        var depth = new DepthImage(4, 2, [0f, 1.5f, 2.0004f, float.NaN, 70f, 0.25f, -1f, 3.3336f]);
        var codec = new PngCodec();

        byte[] png = codec.EncodeDepth(depth, depthScale: 1000);
        var reference = ReferenceTools.Decode("pngtopnm", png);

        Assert.Equal([0, 1500, 2000, 0, 0, 250, 0, 3334], Enumerable.Range(0, 8).Select(reference.Sample));
        Assert.Equal([0f, 1500 * 0.001f, 2000 * 0.001f, 0f, 0f, 250 * 0.001f, 0f, 3334 * 0.001f], codec.DecodeDepth(png).Metres);
    }
}
