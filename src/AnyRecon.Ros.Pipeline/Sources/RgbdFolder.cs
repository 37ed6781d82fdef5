using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>One frame of an RGB-D folder: colour, depth in metres, the camera's pose and its time.</summary>
public sealed record RgbdFolderFrame(int Index, double TimeSeconds, ColorImage Color, DepthImage Depth, RigidTransform WorldFromCamera);

/// <summary>
/// The plain RGB-D folder of ../shared/design/RGBD_FOLDER.md: intrinsics.json, color/NNNNNN.png|jpg, depth/NNNNNN.png
/// (16-bit, value / depth_scale metres), trajectory_tum.txt (camera-to-world, optical frame). The peer benchmark scripts
/// read the same folders, so both sides process the very same frames.
/// </summary>
public sealed class RgbdFolder : IRgbdFrameSource
{
    private readonly string[] _colorFiles;
    private readonly string[] _depthFiles;
    private readonly (double Time, RigidTransform Pose)[] _trajectory;
    private readonly PngCodec _png = new();
    private readonly JpegCodec _jpeg = new();

    private RgbdFolder(string directory, PinholeIntrinsics intrinsics, double depthScale, double depthMax, string[] colors, string[] depths, (double, RigidTransform)[] trajectory)
    {
        Directory = directory;
        Intrinsics = intrinsics;
        DepthScale = depthScale;
        DepthMaxMeters = depthMax;
        _colorFiles = colors;
        _depthFiles = depths;
        _trajectory = trajectory;
    }

    public string Directory { get; }

    public PinholeIntrinsics Intrinsics { get; }

    /// <summary>Depth PNG units per metre (1000 = millimetres; TUM uses 5000).</summary>
    public double DepthScale { get; }

    /// <summary>Depths beyond this are ignored by consumers that honour it (the peer scripts do).</summary>
    public double DepthMaxMeters { get; }

    public int Count => _trajectory.Length;

    public static RgbdFolder Open(string directory)
    {
        string intrinsicsPath = Path.Combine(directory, "intrinsics.json");
        if (!File.Exists(intrinsicsPath)) throw new FileNotFoundException($"{directory} is not an RGB-D folder: no intrinsics.json", intrinsicsPath);
        PinholeIntrinsics intrinsics;
        double scale, max;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(intrinsicsPath));
            var r = json.RootElement;
            intrinsics = new PinholeIntrinsics(r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(),
                r.GetProperty("fx").GetDouble(), r.GetProperty("fy").GetDouble(), r.GetProperty("cx").GetDouble(), r.GetProperty("cy").GetDouble());
            scale = r.TryGetProperty("depth_scale", out var s) ? s.GetDouble() : 1000;
            max = r.TryGetProperty("depth_max", out var m) ? m.GetDouble() : 5;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{intrinsicsPath}: {e.Message}", e);
        }
        if (!intrinsics.IsValid || scale <= 0) throw new InvalidDataException($"{intrinsicsPath}: invalid intrinsics {intrinsics} or depth_scale {scale}");
        var colors = ImageFiles(Path.Combine(directory, "color"));
        var depths = ImageFiles(Path.Combine(directory, "depth"));
        var trajectory = ReadTrajectory(Path.Combine(directory, "trajectory_tum.txt"));
        // One line per frame, same order: a count mismatch means frames and poses no longer line up.
        if (colors.Length != depths.Length || colors.Length != trajectory.Length)
            throw new InvalidDataException($"{directory}: {colors.Length} colour images, {depths.Length} depth images and {trajectory.Length} trajectory_tum.txt lines differ");
        return new RgbdFolder(directory, intrinsics, scale, max, colors, depths, trajectory);
    }

    public RgbdFolderFrame ReadFrame(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"the folder has {Count} frames");
        byte[] colorBytes = File.ReadAllBytes(_colorFiles[index]);
        var color = PngCodec.IsPng(colorBytes) ? _png.DecodeRgb(colorBytes) : _jpeg.DecodeRgb(colorBytes);
        var depth = DepthPngFile.Read(_png, _depthFiles[index], DepthScale);
        if (depth.Width != Intrinsics.Width || depth.Height != Intrinsics.Height)
            throw new InvalidDataException($"{_depthFiles[index]} is {depth.Width}x{depth.Height}, intrinsics.json says {Intrinsics.Width}x{Intrinsics.Height}");
        var (time, pose) = _trajectory[index];
        return new RgbdFolderFrame(index, time, color, depth, pose);
    }

    private static string[] ImageFiles(string folder)
    {
        if (!System.IO.Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder} is missing");
        return System.IO.Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>TUM lines "t tx ty tz qx qy qz qw" (camera-to-world); '#' lines are comments.</summary>
    internal static (double, RigidTransform)[] ReadTrajectory(string path)
    {
        var result = new List<(double, RigidTransform)>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (v.Length != 8) throw new InvalidDataException($"{path}:{lineNumber}: expected 8 values 't tx ty tz qx qy qz qw', got {v.Length}");
            double[] d = new double[8];
            for (int i = 0; i < 8; i++)
                if (!double.TryParse(v[i], NumberStyles.Float, CultureInfo.InvariantCulture, out d[i]))
                    throw new InvalidDataException($"{path}:{lineNumber}: '{v[i]}' is not a number");
            var q = new QuaternionD(d[4], d[5], d[6], d[7]);
            if (!q.IsFinite || Math.Abs(q.Norm - 1) > 1e-3) throw new InvalidDataException($"{path}:{lineNumber}: quaternion is not unit");
            result.Add((d[0], new RigidTransform(q.Normalized(), new Vector3d(d[1], d[2], d[3]))));
        }
        return result.ToArray();
    }

    public void Dispose() => _jpeg.Dispose();
}
