using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

public sealed class RgbdDatasetTests
{
    private static readonly PinholeIntrinsics s_camera = new(4, 3, 5, 5, 1.5, 1);

    [Fact]
    public void RgbdFolderWriter_WrittenFrames_ReadBackExactly()
    {
        using var temp = new TempDirectory();
        string dir = temp.Combine("f");
        var color = new ColorImage(4, 3, Enumerable.Range(0, 36).Select(i => (byte)(i * 7)).ToArray());
        var depth = new DepthImage(4, 3, [0, 0.5f, 1.0004f, 2.5f, 3, 0, 0.001f, 4, 5, 6, 7, 8]);
        var pose = new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), 0.3), new Vector3d(1, -2, 0.5));
        using (var writer = RgbdFolderWriter.Create(dir, s_camera))
        {
            writer.Write(1_500_000_000, color, depth, pose);
            writer.Write(1_533_333_333, color, depth, RigidTransform.Identity);
        }
        using var folder = RgbdFolder.Open(dir);
        Assert.Equal(2, folder.Count);
        Assert.Equal(s_camera, folder.Intrinsics);
        var frame = folder.ReadFrame(0);
        Assert.Equal(color.Rgb, frame.Color.Rgb);
        for (int i = 0; i < 12; i++) Assert.Equal(Math.Round(depth.Metres[i] * 1000) / 1000, frame.Depth.Metres[i], 6);
        Assert.Equal(1.5, frame.TimeSeconds, 12);
        Assert.Equal(pose.Translation, frame.WorldFromCamera.Translation);
        Assert.True(QuaternionD.AngleBetween(pose.Rotation, frame.WorldFromCamera.Rotation) < 1e-9);
        Assert.Equal(1.533333333, folder.ReadFrame(1).TimeSeconds, 12);
    }

    [Fact]
    public void ToDepthUnits_InvalidAndOverflowingDepth_ZeroAndClampedAndCounted()
    {
        // At 5000 units per metre 16 bits end at 13.107 m.
        float[] metres = [0, -1, float.NaN, float.PositiveInfinity, 0.00005f, 1.0002f, 13.107f, 13.2f, 100f];
        var units = new ushort[metres.Length];
        int clamped = RgbdFolderWriter.ToDepthUnits(metres, units, 5000);
        Assert.Equal(new ushort[] { 0, 0, 0, 0, 0, 5001, 65535, 65535, 65535 }, units);
        Assert.Equal(2, clamped);
    }

    [Fact]
    public void RgbdFolderWriter_NonPositiveDepthScaleOrMax_Throws()
    {
        using var temp = new TempDirectory();
        Assert.Throws<ArgumentOutOfRangeException>(() => RgbdFolderWriter.Create(temp.Combine("a"), s_camera, depthScale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RgbdFolderWriter.Create(temp.Combine("b"), s_camera, depthMaxMeters: double.NaN));
    }

    [Fact]
    public void RgbdFolder_FrameCountsDiffer_Throws()
    {
        using var temp = new TempDirectory();
        string dir = temp.Combine("f");
        using (var writer = RgbdFolderWriter.Create(dir, s_camera))
        {
            writer.Write(1, new ColorImage(4, 3, new byte[36]), new DepthImage(4, 3, new float[12]), RigidTransform.Identity);
            writer.Write(2, new ColorImage(4, 3, new byte[36]), new DepthImage(4, 3, new float[12]), RigidTransform.Identity);
        }
        File.Delete(Path.Combine(dir, "color", "000001.png"));
        var e = Assert.Throws<InvalidDataException>(() => RgbdFolder.Open(dir));
        Assert.Contains("1 colour images, 2 depth images", e.Message);
    }

    [Theory]
    [InlineData("mono8", "8-bit grayscale")]
    [InlineData("rgb8", "8-bit RGB")]
    [InlineData("not_png", "no PNG signature")]
    public void TumFolder_DepthPngNotSixteenBitGray_ThrowsNamingFileAndBitDepth(string kind, string expected)
    {
        using var temp = new TempDirectory();
        var png = new PngCodec();
        File.WriteAllBytes(temp.Combine("a_color.png"), png.Encode(new ColorImage(4, 3, new byte[36])));
        string depth = temp.Combine("a_depth.png");
        File.WriteAllBytes(depth, kind switch
        {
            "mono8" => png.Encode(new byte[12], 4, 3, PixelLayout.Mono8),
            "rgb8" => png.Encode(new ColorImage(4, 3, new byte[36])),
            _ => "P3 4 3 255"u8.ToArray(),
        });
        // Open reads the first depth header (for the image size), so the error may come from there.
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using var tum = TumFolder.Open(temp.Path, 5, 5, 1.5, 1);
            tum.ReadFrame(0);
        });
        Assert.Contains(depth, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RgbdFolder_EightBitDepthPng_ThrowsNamingFileAndBitDepth()
    {
        using var temp = new TempDirectory();
        string dir = temp.Combine("f");
        using (var writer = RgbdFolderWriter.Create(dir, s_camera))
            writer.Write(1, new ColorImage(4, 3, new byte[36]), new DepthImage(4, 3, new float[12]), RigidTransform.Identity);
        string depth = Path.Combine(dir, "depth", "000000.png");
        File.WriteAllBytes(depth, new PngCodec().Encode(new byte[12], 4, 3, PixelLayout.Mono8));
        using var folder = RgbdFolder.Open(dir);
        var e = Assert.Throws<InvalidDataException>(() => folder.ReadFrame(0));
        Assert.Contains(depth, e.Message);
        Assert.Contains("8-bit grayscale", e.Message);
    }

    [Fact]
    public void TumFolder_Lists_AssociatesByTimeAndInterpolatesGroundTruth()
    {
        using var temp = new TempDirectory();
        string dir = temp.Path;
        Directory.CreateDirectory(Path.Combine(dir, "rgb"));
        Directory.CreateDirectory(Path.Combine(dir, "depth"));
        var png = new PngCodec();
        string[] rgbTimes = ["1.000", "1.034", "1.067"], depthTimes = ["1.005", "1.040", "1.200"];
        for (int i = 0; i < 3; i++)
        {
            File.WriteAllBytes(Path.Combine(dir, "rgb", rgbTimes[i] + ".png"), png.Encode(new ColorImage(4, 3, Enumerable.Repeat((byte)(10 * i), 36).ToArray())));
            File.WriteAllBytes(Path.Combine(dir, "depth", depthTimes[i] + ".png"), png.EncodeGray16(Enumerable.Repeat((ushort)(5000 * (i + 1)), 12).ToArray(), 4, 3));
        }
        File.WriteAllLines(Path.Combine(dir, "rgb.txt"), ["# color images", .. rgbTimes.Select(t => $"{t} rgb/{t}.png")]);
        File.WriteAllLines(Path.Combine(dir, "depth.txt"), ["# depth maps", .. depthTimes.Select(t => $"{t} depth/{t}.png")]);
        File.WriteAllLines(Path.Combine(dir, "groundtruth.txt"), ["# timestamp tx ty tz qx qy qz qw", "0.99 0 0 0 0 0 0 1", "1.03 0.4 0 0 0 0 0 1", "1.05 0.6 0 0 0 0 0 1"]);

        using var tum = TumFolder.Open(dir, 5, 5, 1.5, 1);
        // 1.200 has no colour within 20 ms: counted, not paired.
        Assert.Equal(2, tum.Count);
        Assert.Equal(1, tum.Unassociated);
        var first = tum.ReadFrame(0);
        Assert.Equal(1.005, first.TimeSeconds, 12);
        Assert.Equal(0, first.Color.Rgb[0]);
        Assert.Equal(1.0f, first.Depth.Metres[0], 6);
        Assert.Equal(0.15, first.WorldFromCamera.Translation.X, 9);
        var second = tum.ReadFrame(1);
        Assert.Equal(10, second.Color.Rgb[0]); // 1.040 is nearer 1.034 than 1.067
        Assert.Equal(2.0f, second.Depth.Metres[0], 6);
        Assert.Equal(0.5, second.WorldFromCamera.Translation.X, 9);
    }

    [Fact]
    public void RedwoodLog_RotationAboutZ_GivesThatPose()
    {
        using var temp = new TempDirectory();
        string log = temp.Combine("t.log");
        File.WriteAllLines(log, ["0 0 1", "0 -1 0 1", "1 0 0 2", "0 0 1 3", "0 0 0 1"]);
        var pose = Assert.Single(RedwoodFolder.ReadLog(log));
        var x = pose.Apply(new Vector3d(1, 0, 0));
        Assert.Equal(1, x.X, 12);
        Assert.Equal(3, x.Y, 12);
        Assert.Equal(3, x.Z, 12);
    }

    [Theory]
    [InlineData(new[] { "0 0 1", "2 0 0 1", "0 2 0 2", "0 0 2 3", "0 0 0 1" }, "not a rotation")]
    [InlineData(new[] { "0 0 1", "1 0 0 1", "0 1 0 2", "0 0 1 3" }, "not a multiple of 5")]
    [InlineData(new[] { "0 0 1", "1 0 0 1", "0 1 x 2", "0 0 1 3", "0 0 0 1" }, "t.log:3")]
    public void RedwoodLog_Malformed_ThrowsNamingTheProblem(string[] lines, string expected)
    {
        using var temp = new TempDirectory();
        string log = temp.Combine("t.log");
        File.WriteAllLines(log, lines);
        var e = Assert.Throws<InvalidDataException>(() => RedwoodFolder.ReadLog(log));
        Assert.Contains(expected, e.Message);
    }
}
