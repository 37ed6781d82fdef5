using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class RgbdFolderCommandTests
{
    private const string Samples = "open3d_rgbd_samples";

    [Fact]
    public void Export_SynthBag_FolderHoldsTheBagsFramesAndGroundTruthPoses_AndImportReplays()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), folder = temp.Combine("rgbd"), back = temp.Combine("back"), replay = temp.Combine("replay");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "8", "--out", bag, "--width", "96").ExitCode);
        var export = CliRunner.Run("export", bag, "--out", folder, "--json");
        Assert.Equal(0, export.ExitCode);
        Assert.Equal(8, JsonDocument.Parse(export.Out).RootElement.GetProperty("frames").GetInt32());
        Assert.Equal(File.ReadAllBytes(Path.Combine(bag, "gt_mesh.ply")), File.ReadAllBytes(Path.Combine(folder, "gt_mesh.ply")));

        // Independent truth: the bag's own messages (16UC1 millimetres, rgb8) and synth's ground-truth trajectory.
        using var reader = BagReader.Open(bag);
        var depthMm = reader.ReadMessages(new MessageFilter { Topics = ["/camera/depth/image_rect_raw"] })
            .Select(m => CdrSerializer.Deserialize<Image>(m.Data.Span)).Select(i => MemoryMarshal.Cast<byte, ushort>(i.Data.AsSpan()).ToArray()).ToArray();
        var rgb = reader.ReadMessages(new MessageFilter { Topics = ["/camera/color/image_raw"] })
            .Select(m => CdrSerializer.Deserialize<Image>(m.Data.Span).Data.ToArray()).ToArray();
        var truth = ReadTum(Path.Combine(bag, "gt_trajectory_tum.txt"));
        using (var rgbd = Pipeline.RgbdFolder.Open(folder))
        {
            Assert.Equal(8, rgbd.Count);
            Assert.Equal(1000, rgbd.DepthScale);
            for (int i = 0; i < rgbd.Count; i++)
            {
                var frame = rgbd.ReadFrame(i);
                Assert.Equal(rgb[i], frame.Color.Rgb);
                for (int p = 0; p < depthMm[i].Length; p++)
                    Assert.True(Math.Abs(frame.Depth.Metres[p] - depthMm[i][p] / 1000.0) <= 0.0005, $"frame {i} pixel {p}");
                Assert.Equal(truth[i].Time, frame.TimeSeconds, 9);
                AssertSamePose(truth[i].Pose, frame.WorldFromCamera);
            }
        }

        Assert.Equal(0, CliRunner.Run("import", folder, "--out", back).ExitCode);
        var run = CliRunner.Run("replay", back, "--out", replay, "--voxel", "0.03", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(8, JsonDocument.Parse(run.Out).RootElement.GetProperty("frames_integrated").GetInt64());
        Assert.True(File.Exists(Path.Combine(back, "gt_mesh.ply")));
    }

    [Fact]
    public void ImportThenExport_Folder_GivesIdenticalPixelsAndPoses()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), a = temp.Combine("a"), bag2 = temp.Combine("bag2"), b = temp.Combine("b");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "5", "--out", bag, "--width", "64", "--noise").ExitCode);
        Assert.Equal(0, CliRunner.Run("export", bag, "--out", a).ExitCode);
        Assert.Equal(0, CliRunner.Run("import", a, "--out", bag2).ExitCode);
        Assert.Equal(0, CliRunner.Run("export", bag2, "--out", b).ExitCode);

        var png = new PngCodec();
        foreach (string kind in new[] { "color", "depth" })
        {
            var first = Directory.GetFiles(Path.Combine(a, kind)).Order(StringComparer.Ordinal).ToArray();
            var second = Directory.GetFiles(Path.Combine(b, kind)).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(5, first.Length);
            Assert.Equal(first.Select(Path.GetFileName), second.Select(Path.GetFileName));
            for (int i = 0; i < first.Length; i++)
            {
                if (kind == "color") Assert.Equal(png.DecodeRgb(File.ReadAllBytes(first[i])).Rgb, png.DecodeRgb(File.ReadAllBytes(second[i])).Rgb);
                else Assert.Equal(png.DecodeGray16(File.ReadAllBytes(first[i]), out _, out _), png.DecodeGray16(File.ReadAllBytes(second[i]), out _, out _));
            }
        }
        var ta = ReadTum(Path.Combine(a, "trajectory_tum.txt"));
        var tb = ReadTum(Path.Combine(b, "trajectory_tum.txt"));
        Assert.Equal(ta.Length, tb.Length);
        for (int i = 0; i < ta.Length; i++)
        {
            Assert.Equal(ta[i].Time, tb[i].Time, 9);
            AssertSamePose(ta[i].Pose, tb[i].Pose);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(a, "intrinsics.json")), File.ReadAllText(Path.Combine(b, "intrinsics.json")));
    }

    [Fact]
    public void Import_RedwoodSample_FramesCarryTheLogPosesAndThePngDepths()
    {
        string source = Fixtures.Require(Path.Combine(Samples, "redwood_livingroom1_5frames"));
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), folder = temp.Combine("rgbd");
        var run = CliRunner.Run("import", source, "--format", "redwood", "--out", bag, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(5, JsonDocument.Parse(run.Out).RootElement.GetProperty("frames").GetInt32());

        // Independent truth: the raw depth PNGs against the bag's 16UC1 millimetres, 30 Hz stamps from 1 s.
        var png = new PngCodec();
        var depthFiles = Directory.GetFiles(Path.Combine(source, "depth")).Order(StringComparer.Ordinal).ToArray();
        using (var reader = BagReader.Open(bag))
        {
            var depth = reader.ReadMessages(new MessageFilter { Topics = ["/camera/depth/image_rect_raw"] }).Select(m => (m.TimestampNs, Image: CdrSerializer.Deserialize<Image>(m.Data.Span))).ToArray();
            Assert.Equal(5, depth.Length);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(("16UC1", 640u, 480u), (depth[i].Image.Encoding, depth[i].Image.Width, depth[i].Image.Height));
                Assert.Equal(1_000_000_000 + (long)Math.Round(i / 30.0 * 1e9), depth[i].TimestampNs);
                Assert.Equal(png.DecodeGray16(File.ReadAllBytes(depthFiles[i]), out _, out _), MemoryMarshal.Cast<byte, ushort>(depth[i].Image.Data.AsSpan()).ToArray());
            }
        }

        // The poses, through replay's own decoding (TF tree, camera frame), equal the .log matrices.
        Assert.Equal(0, CliRunner.Run("export", bag, "--out", folder).ExitCode);
        var matrices = ReadRedwoodLog(Path.Combine(source, "trajectory.log"));
        Assert.Equal(5, matrices.Length);
        using var rgbd = Pipeline.RgbdFolder.Open(folder);
        Assert.Equal(5, rgbd.Count);
        Assert.Equal((525.0, 525.0, 319.5, 239.5), (rgbd.Intrinsics.Fx, rgbd.Intrinsics.Fy, rgbd.Intrinsics.Cx, rgbd.Intrinsics.Cy));
        for (int i = 0; i < 5; i++)
        {
            var pose = rgbd.ReadFrame(i).WorldFromCamera;
            var m = matrices[i];
            var origin = pose.Apply(Vector3d.Zero);
            Assert.Equal(m[0, 3], origin.X, 9);
            Assert.Equal(m[1, 3], origin.Y, 9);
            Assert.Equal(m[2, 3], origin.Z, 9);
            for (int axis = 0; axis < 3; axis++)
            {
                var unit = new Vector3d(axis == 0 ? 1 : 0, axis == 1 ? 1 : 0, axis == 2 ? 1 : 0);
                var column = pose.Apply(unit) - origin;
                Assert.Equal(m[0, axis], column.X, 9);
                Assert.Equal(m[1, axis], column.Y, 9);
                Assert.Equal(m[2, axis], column.Z, 9);
            }
        }
    }

    [Fact]
    public void Import_TumSingleFrame_KeepsDepthAtOneFiveThousandthMetre()
    {
        string source = Fixtures.Require(Path.Combine(Samples, "tum_single_frame"));
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag");
        var run = CliRunner.Run("import", source, "--format", "tum", "--out", bag, "--fx", "525", "--fy", "525", "--cx", "319.5", "--cy", "239.5", "--json");
        Assert.Equal(0, run.ExitCode);
        var summary = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(1, summary.GetProperty("frames").GetInt32());
        Assert.Equal(5000, summary.GetProperty("depth_scale").GetDouble());

        var raw = new PngCodec().DecodeGray16(File.ReadAllBytes(Path.Combine(source, "TUM_depth.png")), out int width, out int height);
        using var reader = BagReader.Open(bag);
        var image = reader.ReadMessages(new MessageFilter { Topics = ["/camera/depth/image_rect_raw"] }).Select(m => CdrSerializer.Deserialize<Image>(m.Data.Span)).Single();
        Assert.Equal(("32FC1", (uint)width, (uint)height), (image.Encoding, image.Width, image.Height));
        var metres = MemoryMarshal.Cast<byte, float>(image.Data.AsSpan());
        float min = float.MaxValue, max = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            // Float rounding only: far below the 0.2 mm step, so this pins the 1/5000 scale (millimetres would be off by 20%).
            Assert.True(Math.Abs(raw[i] / 5000.0 - metres[i]) <= 2e-6, $"pixel {i}: {raw[i]} -> {metres[i]}");
            if (metres[i] > 0) { min = Math.Min(min, metres[i]); max = Math.Max(max, metres[i]); }
        }
        // NOTES.md of the fixture: 1.46-9.33 m. Read as millimetres it would be 5x that.
        Assert.InRange(min, 1.4, 1.5);
        Assert.InRange(max, 9.3, 9.4);

        Assert.Equal(0, CliRunner.Run("replay", bag, "--out", temp.Combine("replay"), "--voxel", "0.05").ExitCode);
    }

    [Fact]
    public void ImportThenExport_TumAtDepthScale5000_FolderHoldsTheSourceDepthUnits()
    {
        string source = Fixtures.Require(Path.Combine(Samples, "tum_single_frame"));
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), folder = temp.Combine("rgbd");
        Assert.Equal(0, CliRunner.Run("import", source, "--format", "tum", "--out", bag, "--fx", "525", "--fy", "525", "--cx", "319.5", "--cy", "239.5").ExitCode);
        var export = CliRunner.Run("export", bag, "--out", folder, "--depth-scale", "5000", "--depth-max", "10", "--json");
        Assert.Equal(0, export.ExitCode);
        Assert.Equal("", export.Error);
        var summary = JsonDocument.Parse(export.Out).RootElement;
        Assert.Equal(1, summary.GetProperty("frames").GetInt32());
        Assert.Equal(0, summary.GetProperty("clamped_depth_pixels").GetInt64());

        // RGBD_FOLDER.md: intrinsics.json carries depth_scale and depth_max; depth/000000.png is 16-bit, value / depth_scale metres.
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "intrinsics.json"))))
        {
            var r = json.RootElement;
            Assert.Equal(5000, r.GetProperty("depth_scale").GetDouble());
            Assert.Equal(10, r.GetProperty("depth_max").GetDouble());
            Assert.Equal((640, 480, 525.0, 239.5), (r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(), r.GetProperty("fx").GetDouble(), r.GetProperty("cy").GetDouble()));
        }
        var png = new PngCodec();
        byte[] exported = File.ReadAllBytes(Path.Combine(folder, "depth", "000000.png"));
        Assert.True(png.ReadHeader(exported).IsGray16);
        // Independent truth: TUM's own depth PNG, in the same 1/5000 m units, comes back value for value.
        var original = png.DecodeGray16(File.ReadAllBytes(Path.Combine(source, "TUM_depth.png")), out _, out _);
        Assert.Equal(original, png.DecodeGray16(exported, out _, out _));
        using var rgbd = Pipeline.RgbdFolder.Open(folder);
        Assert.Equal(5000, rgbd.DepthScale);
    }

    [Fact]
    public void Export_DepthBeyondSixteenBitsAtTheScale_ClampsCountsAndWarns()
    {
        string source = Fixtures.Require(Path.Combine(Samples, "tum_single_frame"));
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), folder = temp.Combine("rgbd");
        Assert.Equal(0, CliRunner.Run("import", source, "--format", "tum", "--out", bag, "--fx", "525", "--fy", "525", "--cx", "319.5", "--cy", "239.5").ExitCode);
        // At 10000 units per metre 16 bits end at 6.5535 m; the TUM frame reaches 9.3 m.
        var export = CliRunner.Run("export", bag, "--out", folder, "--depth-scale", "10000", "--json");
        Assert.Equal(0, export.ExitCode);
        var png = new PngCodec();
        var original = png.DecodeGray16(File.ReadAllBytes(Path.Combine(source, "TUM_depth.png")), out _, out _);
        var written = png.DecodeGray16(File.ReadAllBytes(Path.Combine(folder, "depth", "000000.png")), out _, out _);
        int beyond = original.Count(v => v >= 32768); // v / 5000 m x 10000 >= 65535.5
        Assert.True(beyond > 0);
        Assert.Equal(beyond, JsonDocument.Parse(export.Out).RootElement.GetProperty("clamped_depth_pixels").GetInt64());
        Assert.StartsWith($"warning: {beyond} depth pixels", export.Error);
        for (int i = 0; i < original.Length; i++)
            Assert.Equal(original[i] >= 32768 ? ushort.MaxValue : original[i] * 2, written[i]);
    }

    [Theory]
    [InlineData("--depth-scale", "0")]
    [InlineData("--depth-scale", "-1000")]
    [InlineData("--depth-max", "0")]
    public void Export_NonPositiveDepthScaleOrMax_FailsNamingTheOption(string option, string value)
    {
        using var temp = new TempDirectory();
        var run = CliRunner.Run("export", Path.Combine(Fixtures.RepoRoot, "rosbags", "demo"), "--out", temp.Combine("rgbd"), option, value);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error:", run.Error);
        Assert.Contains(option, run.Error);
        Assert.False(Directory.Exists(temp.Combine("rgbd")));
    }

    [Fact]
    public void Import_TumWithEightBitDepthPng_FailsNamingFileAndBitDepth()
    {
        string source = Fixtures.Require(Path.Combine(Samples, "tum_single_frame"));
        using var temp = new TempDirectory();
        string folder = temp.Combine("tum");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(source, "TUM_color.png"), Path.Combine(folder, "TUM_color.png"));
        // The same depth squeezed into 8 bits, as image editors save it: libpng would widen it back without complaint.
        var png = new PngCodec();
        var raw = png.DecodeGray16(File.ReadAllBytes(Path.Combine(source, "TUM_depth.png")), out int width, out int height);
        File.WriteAllBytes(Path.Combine(folder, "TUM_depth.png"), png.Encode(raw.Select(v => (byte)(v >> 8)).ToArray(), width, height, PixelLayout.Mono8));
        var run = CliRunner.Run("import", folder, "--format", "tum", "--out", temp.Combine("bag"), "--fx", "525", "--fy", "525", "--cx", "319.5", "--cy", "239.5");
        Assert.Equal(1, run.ExitCode);
        var errorLines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errorLines);
        Assert.StartsWith("error:", errorLines[0]);
        Assert.Contains(Path.Combine(folder, "TUM_depth.png"), errorLines[0]);
        Assert.Contains("8-bit grayscale", errorLines[0]);
    }

    [Fact]
    public void Import_TumWithoutIntrinsics_FailsAskingForThem()
    {
        string source = Fixtures.Require(Path.Combine(Samples, "tum_single_frame"));
        using var temp = new TempDirectory();
        var run = CliRunner.Run("import", source, "--format", "tum", "--out", temp.Combine("bag"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--fx", run.Error);
    }

    [Fact]
    public void Export_BagWithoutCameraTopics_FailsNamingThem()
    {
        string bag = Fixtures.Require("rosbag2_fixtures/head/rosbag2_py/sqlite3/talker");
        using var temp = new TempDirectory();
        var run = CliRunner.Run("export", bag, "--out", temp.Combine("rgbd"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error:", run.Error);
        Assert.Contains("/camera/depth/image_rect_raw", run.Error);
        Assert.False(Directory.Exists(temp.Combine("rgbd")));
    }

    [Theory]
    [InlineData("missing_intrinsics", "intrinsics.json")]
    [InlineData("bad_trajectory_line", "trajectory_tum.txt:2")]
    [InlineData("size_mismatch", "intrinsics.json says")]
    public void Import_BadFolder_FailsWithOneErrorLine(string defect, string expected)
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), folder = temp.Combine("rgbd");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "office", "--frames", "2", "--out", bag, "--width", "32").ExitCode);
        Assert.Equal(0, CliRunner.Run("export", bag, "--out", folder).ExitCode);
        switch (defect)
        {
            case "missing_intrinsics":
                File.Delete(Path.Combine(folder, "intrinsics.json"));
                break;
            case "bad_trajectory_line":
                var lines = File.ReadAllLines(Path.Combine(folder, "trajectory_tum.txt"));
                lines[1] = "1.5 0 0 0 0 0 1";
                File.WriteAllLines(Path.Combine(folder, "trajectory_tum.txt"), lines);
                break;
            case "size_mismatch":
                string json = Path.Combine(folder, "intrinsics.json");
                File.WriteAllText(json, File.ReadAllText(json).Replace("\"width\": 32", "\"width\": 40", StringComparison.Ordinal));
                break;
        }
        var run = CliRunner.Run("import", folder, "--out", temp.Combine("out"));
        Assert.Equal(1, run.ExitCode);
        var errorLines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errorLines);
        Assert.StartsWith("error:", errorLines[0]);
        Assert.Contains(expected, errorLines[0]);
    }

    private static (double Time, RigidTransform Pose)[] ReadTum(string path) => File.ReadLines(path)
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
        .Select(v => (v[0], new RigidTransform(new QuaternionD(v[4], v[5], v[6], v[7]), new Vector3d(v[1], v[2], v[3]))))
        .ToArray();

    private static double[][,] ReadRedwoodLog(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        var result = new double[lines.Length / 5][,];
        for (int f = 0; f < result.Length; f++)
        {
            result[f] = new double[4, 4];
            for (int r = 0; r < 4; r++)
            {
                var v = lines[f * 5 + 1 + r].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                for (int c = 0; c < 4; c++) result[f][r, c] = v[c];
            }
        }
        return result;
    }

    /// <summary>Same rigid motion: q and -q are the same rotation.</summary>
    private static void AssertSamePose(RigidTransform expected, RigidTransform actual)
    {
        Assert.Equal(expected.Translation.X, actual.Translation.X, 9);
        Assert.Equal(expected.Translation.Y, actual.Translation.Y, 9);
        Assert.Equal(expected.Translation.Z, actual.Translation.Z, 9);
        var a = expected.Rotation;
        var b = actual.Rotation;
        double dot = Math.Abs(a.X * b.X + a.Y * b.Y + a.Z * b.Z + a.W * b.W);
        Assert.True(dot > 1 - 1e-12, $"rotations differ: {a} vs {b}");
    }
}
