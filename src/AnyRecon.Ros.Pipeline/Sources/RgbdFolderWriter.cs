using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Writes the RGB-D folder of ../shared/design/RGBD_FOLDER.md: intrinsics.json, color/NNNNNN.png (RGB8),
/// depth/NNNNNN.png (16-bit, value / depth_scale metres, 0 = invalid) and trajectory_tum.txt (camera-to-world,
/// optical frame). The trajectory is flushed on dispose. Depth beyond what 16 bits hold at the chosen scale
/// (65535 / depth_scale metres) is clamped to 65535 and counted in <see cref="ClampedDepthPixels"/>.
/// </summary>
public sealed class RgbdFolderWriter : IDisposable
{
    /// <summary>Millimetres, the Kinect/RealSense convention (TUM uses 5000).</summary>
    public const double DefaultDepthScale = 1000;

    /// <summary>The depth_max written when the caller gives none: beyond it the peers' integrators ignore depth.</summary>
    public const double DefaultDepthMaxMeters = 5;

    private readonly PngCodec _png = new();
    private readonly StreamWriter _trajectory;
    private readonly PinholeIntrinsics _intrinsics;
    private readonly double _depthScale;

    private RgbdFolderWriter(string directory, PinholeIntrinsics intrinsics, double depthScale)
    {
        Directory = directory;
        _intrinsics = intrinsics;
        _depthScale = depthScale;
        _trajectory = new StreamWriter(Path.Combine(directory, "trajectory_tum.txt"));
    }

    public string Directory { get; }

    public int Count { get; private set; }

    /// <summary>Depth pixels written as 65535 because their depth (finite, positive) did not fit 16 bits at the scale.</summary>
    public long ClampedDepthPixels { get; private set; }

    /// <summary>
    /// Creates <paramref name="directory"/> (which must not hold an RGB-D folder yet) and writes intrinsics.json with
    /// <paramref name="depthScale"/> (depth PNG units per metre) and <paramref name="depthMaxMeters"/>.
    /// </summary>
    public static RgbdFolderWriter Create(string directory, PinholeIntrinsics intrinsics, double depthScale = DefaultDepthScale, double depthMaxMeters = DefaultDepthMaxMeters)
    {
        if (!intrinsics.IsValid) throw new ArgumentException($"invalid intrinsics {intrinsics}", nameof(intrinsics));
        if (!(depthScale > 0) || !double.IsFinite(depthScale)) throw new ArgumentOutOfRangeException(nameof(depthScale), depthScale, "depth scale must be positive");
        if (!(depthMaxMeters > 0) || !double.IsFinite(depthMaxMeters)) throw new ArgumentOutOfRangeException(nameof(depthMaxMeters), depthMaxMeters, "depth max must be positive");
        if (File.Exists(Path.Combine(directory, "intrinsics.json"))) throw new IOException($"{directory} already holds an RGB-D folder");
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "color"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "depth"));
        var json = new Dictionary<string, object>
        {
            ["width"] = intrinsics.Width, ["height"] = intrinsics.Height,
            ["fx"] = intrinsics.Fx, ["fy"] = intrinsics.Fy, ["cx"] = intrinsics.Cx, ["cy"] = intrinsics.Cy,
            ["depth_scale"] = depthScale, ["depth_max"] = depthMaxMeters,
        };
        File.WriteAllText(Path.Combine(directory, "intrinsics.json"), JsonSerializer.Serialize(json, s_json) + "\n");
        return new RgbdFolderWriter(directory, intrinsics, depthScale);
    }

    /// <summary>Appends one frame; its index is the number of frames written before it.</summary>
    public void Write(long stampNs, ColorImage color, DepthImage depth, RigidTransform worldFromCamera)
    {
        if (color.Width != _intrinsics.Width || color.Height != _intrinsics.Height || depth.Width != _intrinsics.Width || depth.Height != _intrinsics.Height)
            throw new InvalidDataException($"frame {Count}: colour {color.Width}x{color.Height} / depth {depth.Width}x{depth.Height} differ from the intrinsics {_intrinsics.Width}x{_intrinsics.Height}");
        if (!worldFromCamera.IsFinite) throw new InvalidDataException($"frame {Count}: pose is not finite");
        string name = Count.ToString("D6", CultureInfo.InvariantCulture) + ".png";
        File.WriteAllBytes(Path.Combine(Directory, "color", name), _png.Encode(color));
        File.WriteAllBytes(Path.Combine(Directory, "depth", name), EncodeDepth(depth));
        var p = worldFromCamera;
        var q = p.Rotation.Normalized();
        _trajectory.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{RgbdBagWriter.FormatSeconds(stampNs)} {p.Translation.X:R} {p.Translation.Y:R} {p.Translation.Z:R} {q.X:R} {q.Y:R} {q.Z:R} {q.W:R}"));
        Count++;
    }

    private byte[] EncodeDepth(DepthImage depth)
    {
        int count = depth.Width * depth.Height;
        ushort[] units = ArrayPool<ushort>.Shared.Rent(count);
        try
        {
            ClampedDepthPixels += ToDepthUnits(depth.Metres.AsSpan(0, count), units.AsSpan(0, count), (float)_depthScale);
            return _png.EncodeGray16(units.AsSpan(0, count), depth.Width, depth.Height);
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(units);
        }
    }

    /// <summary>
    /// round(metres × scale); invalid depth (0, negative, NaN, ∞) becomes 0, depth past 65535 units becomes 65535
    /// rather than 0 so a far wall stays a (clipped) surface. Returns how many pixels were clamped.
    /// </summary>
    internal static int ToDepthUnits(ReadOnlySpan<float> metres, Span<ushort> units, float unitsPerMetre)
    {
        int clamped = 0;
        for (int i = 0; i < metres.Length; i++)
        {
            float d = metres[i];
            float u = d * unitsPerMetre + 0.5f;
            if (!(d > 0) || float.IsPositiveInfinity(d) || u < 1f) units[i] = 0;
            else if (u >= 65536f) { units[i] = ushort.MaxValue; clamped++; }
            else units[i] = (ushort)u;
        }
        return clamped;
    }

    public void Dispose() => _trajectory.Dispose();

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
}
