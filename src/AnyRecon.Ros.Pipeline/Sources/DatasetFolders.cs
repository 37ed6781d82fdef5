using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>Frames listed as file pairs with times and poses; decodes colour (PNG or JPEG) and 16-bit depth on demand.</summary>
public abstract class ListedRgbdFrames : IRgbdFrameSource
{
    private readonly (string Color, string Depth, double Time, RigidTransform Pose)[] _frames;
    private readonly PngCodec _png = new();
    private readonly JpegCodec _jpeg = new();

    private protected ListedRgbdFrames(PinholeIntrinsics intrinsics, double depthScale, (string, string, double, RigidTransform)[] frames)
    {
        Intrinsics = intrinsics;
        DepthScale = depthScale;
        _frames = frames;
    }

    public PinholeIntrinsics Intrinsics { get; }

    public double DepthScale { get; }

    public int Count => _frames.Length;

    public RgbdFolderFrame ReadFrame(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"the dataset has {Count} frames");
        var (colorPath, depthPath, time, pose) = _frames[index];
        byte[] colorBytes = File.ReadAllBytes(colorPath);
        var color = PngCodec.IsPng(colorBytes) ? _png.DecodeRgb(colorBytes) : _jpeg.DecodeRgb(colorBytes);
        var depth = DepthPngFile.Read(_png, depthPath, DepthScale);
        if (depth.Width != Intrinsics.Width || depth.Height != Intrinsics.Height)
            throw new InvalidDataException($"{depthPath} is {depth.Width}x{depth.Height}, the camera is {Intrinsics.Width}x{Intrinsics.Height}");
        if (color.Width != depth.Width || color.Height != depth.Height)
            throw new InvalidDataException($"{colorPath} is {color.Width}x{color.Height}, its depth {depthPath} {depth.Width}x{depth.Height}");
        return new RgbdFolderFrame(index, time, color, depth, pose);
    }

    private protected static string[] Images(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder} is missing");
        return Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToArray();
    }

    private protected static double[] Numbers(string path, int lineNumber, string[] fields, int start, int count)
    {
        if (fields.Length < start + count) throw new InvalidDataException($"{path}:{lineNumber}: expected {start + count} values, got {fields.Length}");
        var values = new double[count];
        for (int i = 0; i < count; i++)
            if (!double.TryParse(fields[start + i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw new InvalidDataException($"{path}:{lineNumber}: '{fields[start + i]}' is not a number");
        return values;
    }

    public void Dispose()
    {
        _jpeg.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// The Redwood / Open3D sample layout: camera_primesense.json (Open3D PinholeCameraIntrinsic, matrix column-major),
/// color/*.jpg|png, depth/*.png (millimetres; paired by rgbd.match when present, else by sorted name), trajectory.log (or odometry.log): per frame a line "i j k" and the 4
/// rows of the camera-to-world matrix. Redwood has no timestamps: frames are 30 Hz from t = 0.
/// </summary>
public sealed class RedwoodFolder : ListedRgbdFrames
{
    public const double FrameRateHz = 30;

    private RedwoodFolder(PinholeIntrinsics intrinsics, (string, string, double, RigidTransform)[] frames)
        : base(intrinsics, 1000, frames)
    {
    }

    public static RedwoodFolder Open(string directory)
    {
        var intrinsics = ReadOpen3dIntrinsics(Path.Combine(directory, "camera_primesense.json"));
        string log = Path.Combine(directory, "trajectory.log");
        if (!File.Exists(log)) log = Path.Combine(directory, "odometry.log");
        if (!File.Exists(log)) throw new FileNotFoundException($"{directory} is not a Redwood folder: no trajectory.log or odometry.log", log);
        var poses = ReadLog(log);
        string[] colors, depths;
        string match = Path.Combine(directory, "rgbd.match");
        if (File.Exists(match))
        {
            // Open3D's pairing list, "depth/NNNNN.png color/NNNNN.jpg": it wins over sorting the folders.
            var pairs = File.ReadAllLines(match).Select((l, i) => (Fields: l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries), Number: i + 1))
                .Where(p => p.Fields.Length > 0).ToArray();
            foreach (var (fields, number) in pairs)
                if (fields.Length != 2) throw new InvalidDataException($"{match}:{number}: expected 'depth_path color_path'");
            depths = pairs.Select(p => Path.Combine(directory, p.Fields[0])).ToArray();
            colors = pairs.Select(p => Path.Combine(directory, p.Fields[1])).ToArray();
            if (colors.Concat(depths).FirstOrDefault(f => !File.Exists(f)) is string absent) throw new FileNotFoundException($"{match} lists {absent}, which is missing", absent);
        }
        else
        {
            colors = Images(Path.Combine(directory, "color"));
            depths = Images(Path.Combine(directory, "depth"));
        }
        if (colors.Length != depths.Length || colors.Length != poses.Length)
            throw new InvalidDataException($"{directory}: {colors.Length} colour images, {depths.Length} depth images and {poses.Length} poses in {Path.GetFileName(log)} differ");
        var frames = new (string, string, double, RigidTransform)[poses.Length];
        for (int i = 0; i < frames.Length; i++) frames[i] = (colors[i], depths[i], i / FrameRateHz, poses[i]);
        return new RedwoodFolder(intrinsics, frames);
    }

    /// <summary>Open3D's intrinsic JSON: width, height, intrinsic_matrix = [fx 0 0 0 fy 0 cx cy 1] (column-major).</summary>
    public static PinholeIntrinsics ReadOpen3dIntrinsics(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no camera intrinsics: {path} is missing", path);
        PinholeIntrinsics intrinsics;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var r = json.RootElement;
            var m = r.GetProperty("intrinsic_matrix").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            if (m.Length != 9) throw new InvalidDataException($"{path}: intrinsic_matrix has {m.Length} values, expected 9");
            intrinsics = new PinholeIntrinsics(r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(), m[0], m[4], m[6], m[7]);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (!intrinsics.IsValid) throw new InvalidDataException($"{path}: invalid intrinsics {intrinsics}");
        return intrinsics;
    }

    /// <summary>Redwood .log: "i j k" then four rows of a 4x4 camera-to-world matrix, repeated.</summary>
    public static RigidTransform[] ReadLog(string path)
    {
        var lines = File.ReadAllLines(path).Select((l, i) => (Text: l.Trim(), Number: i + 1)).Where(l => l.Text.Length > 0).ToArray();
        if (lines.Length % 5 != 0) throw new InvalidDataException($"{path}: {lines.Length} non-empty lines, not a multiple of 5 (a header and 4 matrix rows per frame)");
        var poses = new RigidTransform[lines.Length / 5];
        var m = new double[16];
        for (int f = 0; f < poses.Length; f++)
        {
            for (int r = 0; r < 4; r++)
            {
                var (text, number) = lines[f * 5 + 1 + r];
                var row = Numbers(path, number, text.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries), 0, 4);
                row.CopyTo(m, r * 4);
            }
            if (Math.Abs(m[12]) + Math.Abs(m[13]) + Math.Abs(m[14]) > 1e-9 || Math.Abs(m[15] - 1) > 1e-9)
                throw new InvalidDataException($"{path}:{lines[f * 5 + 4].Number}: last matrix row must be 0 0 0 1");
            poses[f] = new RigidTransform(RotationToQuaternion(m, path, lines[f * 5].Number), new Vector3d(m[3], m[7], m[11]));
        }
        return poses;
    }

    /// <summary>Rotation part of a row-major 4x4 to a unit quaternion (Shepperd's method: the largest diagonal term keeps it stable).</summary>
    private static QuaternionD RotationToQuaternion(double[] m, string path, int line)
    {
        double r00 = m[0], r01 = m[1], r02 = m[2], r10 = m[4], r11 = m[5], r12 = m[6], r20 = m[8], r21 = m[9], r22 = m[10];
        // Orthonormal with determinant +1, or it is not a pose.
        double det = r00 * (r11 * r22 - r12 * r21) - r01 * (r10 * r22 - r12 * r20) + r02 * (r10 * r21 - r11 * r20);
        double c0 = r00 * r00 + r10 * r10 + r20 * r20, c1 = r01 * r01 + r11 * r11 + r21 * r21, c2 = r02 * r02 + r12 * r12 + r22 * r22;
        if (Math.Abs(det - 1) > 1e-3 || Math.Abs(c0 - 1) > 1e-3 || Math.Abs(c1 - 1) > 1e-3 || Math.Abs(c2 - 1) > 1e-3)
            throw new InvalidDataException($"{path}:{line}: the matrix is not a rotation (det {det:G4})");
        double trace = r00 + r11 + r22;
        QuaternionD q;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1) * 2;
            q = new QuaternionD((r21 - r12) / s, (r02 - r20) / s, (r10 - r01) / s, s / 4);
        }
        else if (r00 > r11 && r00 > r22)
        {
            double s = Math.Sqrt(1 + r00 - r11 - r22) * 2;
            q = new QuaternionD(s / 4, (r01 + r10) / s, (r02 + r20) / s, (r21 - r12) / s);
        }
        else if (r11 > r22)
        {
            double s = Math.Sqrt(1 + r11 - r00 - r22) * 2;
            q = new QuaternionD((r01 + r10) / s, s / 4, (r12 + r21) / s, (r02 - r20) / s);
        }
        else
        {
            double s = Math.Sqrt(1 + r22 - r00 - r11) * 2;
            q = new QuaternionD((r02 + r20) / s, (r12 + r21) / s, s / 4, (r10 - r01) / s);
        }
        return q.Normalized();
    }
}

/// <summary>
/// The TUM RGB-D layout: rgb.txt and depth.txt ("t path" lines) associated by nearest time within
/// <see cref="MaxTimeDifferenceSeconds"/> (as TUM's associate.py), poses from groundtruth.txt ("t tx ty tz qx qy qz qw",
/// interpolated at the depth time; identity when there is no groundtruth.txt), depth/5000 metres. A folder without the
/// lists but with *color.png / *depth.png pairs (Open3D's single TUM sample) reads as those pairs at 30 Hz.
/// TUM ships no intrinsics file, so the caller gives them.
/// </summary>
public sealed class TumFolder : ListedRgbdFrames
{
    public const double MaxTimeDifferenceSeconds = 0.02;
    public const double TumDepthScale = 5000;

    private TumFolder(PinholeIntrinsics intrinsics, double depthScale, (string, string, double, RigidTransform)[] frames)
        : base(intrinsics, depthScale, frames)
    {
    }

    /// <summary>Frames listed in depth.txt that had no colour or pose within the tolerance.</summary>
    public int Unassociated { get; private init; }

    public static TumFolder Open(string directory, double fx, double fy, double cx, double cy, double depthScale = TumDepthScale)
    {
        (string Color, string Depth, double Time)[] pairs;
        string rgbList = Path.Combine(directory, "rgb.txt"), depthList = Path.Combine(directory, "depth.txt");
        int unassociated = 0;
        if (File.Exists(rgbList) && File.Exists(depthList))
        {
            var rgb = ReadList(directory, rgbList);
            var depth = ReadList(directory, depthList);
            var list = new List<(string, string, double)>();
            foreach (var (t, path) in depth)
            {
                int best = Nearest(rgb, t);
                if (best >= 0 && Math.Abs(rgb[best].Time - t) <= MaxTimeDifferenceSeconds) list.Add((rgb[best].Path, path, t));
                else unassociated++;
            }
            pairs = list.ToArray();
        }
        else
        {
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory} is missing");
            var files = Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).ToArray();
            var colors = files.Where(f => f.EndsWith("color.png", StringComparison.OrdinalIgnoreCase)).ToArray();
            var depths = files.Where(f => f.EndsWith("depth.png", StringComparison.OrdinalIgnoreCase)).ToArray();
            if (depths.Length == 0) throw new InvalidDataException($"{directory} is not a TUM folder: no rgb.txt/depth.txt and no *depth.png");
            if (colors.Length != depths.Length) throw new InvalidDataException($"{directory}: {colors.Length} *color.png and {depths.Length} *depth.png differ");
            pairs = colors.Zip(depths, (c, d) => (c, d)).Select((p, i) => (p.c, p.d, i / 30.0)).ToArray();
        }
        if (pairs.Length == 0) throw new InvalidDataException($"{directory}: no colour/depth pairs within {MaxTimeDifferenceSeconds} s");

        string groundTruth = Path.Combine(directory, "groundtruth.txt");
        var trajectory = File.Exists(groundTruth) ? RgbdFolder.ReadTrajectory(groundTruth) : null;
        var frames = new List<(string, string, double, RigidTransform)>();
        foreach (var (c, d, t) in pairs)
        {
            if (trajectory is null) { frames.Add((c, d, t, RigidTransform.Identity)); continue; }
            if (PoseAt(trajectory, t) is RigidTransform pose) frames.Add((c, d, t, pose));
            else unassociated++;
        }
        if (frames.Count == 0) throw new InvalidDataException($"{groundTruth}: no pose within {MaxTimeDifferenceSeconds} s of any frame");

        var header = DepthPngFile.ReadHeader(new PngCodec(), frames[0].Item2, File.ReadAllBytes(frames[0].Item2), depthScale);
        var intrinsics = new PinholeIntrinsics(header.Width, header.Height, fx, fy, cx, cy);
        if (!intrinsics.IsValid) throw new ArgumentException($"invalid intrinsics {intrinsics}");
        return new TumFolder(intrinsics, depthScale, frames.ToArray()) { Unassociated = unassociated };
    }

    private static (double Time, string Path)[] ReadList(string directory, string path)
    {
        var list = new List<(double, string)>();
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2) throw new InvalidDataException($"{path}:{number}: expected 't path'");
            double t = Numbers(path, number, fields, 0, 1)[0];
            list.Add((t, Path.Combine(directory, fields[1])));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list.ToArray();
    }

    private static int Nearest((double Time, string Path)[] sorted, double t)
    {
        if (sorted.Length == 0) return -1;
        int lo = 0, hi = sorted.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (sorted[mid].Time < t) lo = mid + 1; else hi = mid;
        }
        return lo > 0 && t - sorted[lo - 1].Time < sorted[lo].Time - t ? lo - 1 : lo;
    }

    /// <summary>Interpolated between the bracketing poses when both are within the tolerance, else the nearest within it.</summary>
    private static RigidTransform? PoseAt((double Time, RigidTransform Pose)[] trajectory, double t)
    {
        int after = Array.FindIndex(trajectory, p => p.Time >= t);
        if (after > 0 && trajectory[after].Time - trajectory[after - 1].Time <= 2 * MaxTimeDifferenceSeconds + 1e-9)
        {
            var (t0, p0) = trajectory[after - 1];
            var (t1, p1) = trajectory[after];
            return RigidTransform.Interpolate(p0, p1, t1 > t0 ? (t - t0) / (t1 - t0) : 0);
        }
        int nearest = after < 0 ? trajectory.Length - 1 : after > 0 && t - trajectory[after - 1].Time < trajectory[after].Time - t ? after - 1 : after;
        return nearest >= 0 && Math.Abs(trajectory[nearest].Time - t) <= MaxTimeDifferenceSeconds ? trajectory[nearest].Pose : null;
    }
}

/// <summary>The depth PNGs of the folder layouts: 16-bit grayscale, value / depth scale metres.</summary>
internal static class DepthPngFile
{
    /// <exception cref="InvalidDataException">The file is not a PNG, is malformed, or is not 16-bit grayscale; the message names it.</exception>
    public static DepthImage Read(PngCodec png, string path, double depthScale)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ReadHeader(png, path, bytes, depthScale);
        try
        {
            return png.DecodeDepth(bytes, depthScale);
        }
        catch (ImageFormatException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The IHDR of a depth PNG, refused unless 16-bit grayscale.</summary>
    public static PngHeader ReadHeader(PngCodec png, string path, ReadOnlySpan<byte> bytes, double depthScale)
    {
        PngHeader header;
        try
        {
            header = png.ReadHeader(bytes);
        }
        catch (ImageFormatException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        // libpng would widen an 8-bit or colour PNG to 16-bit gray without complaint, rescaling (and gamma-converting) the values.
        if (!header.IsGray16)
            throw new InvalidDataException($"{path} is a {header.BitDepth}-bit {ColorTypeName(header.ColorType)} PNG; depth must be 16-bit grayscale (value / {depthScale.ToString(CultureInfo.InvariantCulture)} metres)");
        return header;
    }

    private static string ColorTypeName(int colorType) => colorType switch
    {
        0 => "grayscale",
        2 => "RGB",
        3 => "palette",
        4 => "grayscale+alpha",
        6 => "RGBA",
        _ => $"colour type {colorType}",
    };
}
