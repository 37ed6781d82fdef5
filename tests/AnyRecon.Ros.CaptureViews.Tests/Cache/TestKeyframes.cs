using System.Runtime.InteropServices;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.CaptureViews.Tests;

/// <summary>
/// Keyframe content that is a pure function of (id, size): the truth a reopened cache is checked against, also by
/// the crash test whose writer is another process. Depth holds the awkward values: 0, NaN (with a payload), both
/// infinities, -0, subnormals and random bit patterns.
/// </summary>
internal sealed record TestKeyframe(long StampNs, PinholeIntrinsics Intrinsics, RigidTransform WorldFromCamera, ColorImage Color, DepthImage Depth, BlockIndex[] Blocks)
{
    public static TestKeyframe Create(long id, int width, int height)
    {
        var random = new Random(unchecked((int)(id * 7919 + width * 31 + height)));
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)((i / 3 % width) * 255 / Math.Max(1, width - 1) ^ (i % 3 == 0 ? (int)id : 0));
        // A noisy patch, so PNG cannot shrink the image to nothing.
        random.NextBytes(rgb.AsSpan(0, rgb.Length / 3));

        var metres = new float[width * height];
        for (int i = 0; i < metres.Length; i++) metres[i] = 0.5f + 4f * random.NextSingle();
        Span<uint> special = [0x7FC00000u, 0x7FC12345u, 0xFFC00001u, 0x7F800000u, 0xFF800000u, 0x80000000u, 0x00000001u, 0x00000000u, 0x007FFFFFu];
        var bits = MemoryMarshal.Cast<float, uint>(metres.AsSpan());
        for (int i = 0; i < special.Length && i < bits.Length; i++) bits[(int)((i * 37 + id) % bits.Length)] = special[i];
        for (int i = 0; i < bits.Length / 16; i++) bits[random.Next(bits.Length)] = (uint)random.Next() ^ ((uint)random.Next() << 16);
        for (int i = 0; i < bits.Length / 8; i++) metres[random.Next(bits.Length)] = 0;

        double angle = id * 0.1;
        var pose = new RigidTransform(
            QuaternionD.FromAxisAngle(new Vector3d(0.2, 1, 0.1 * id), angle),
            new Vector3d(0.1 * id, -0.25 + id * 1e-3, 1.0 / 3.0 * id));
        var intrinsics = new PinholeIntrinsics(width, height, 525.0 + id / 7.0, 524.5, width / 2.0 - 0.5, height / 2.0 + 1.0 / 3.0);
        var blocks = new BlockIndex[(int)(id % 5) * 17 + 3];
        for (int i = 0; i < blocks.Length; i++) blocks[i] = new BlockIndex(i - 10, (int)id - i, -i * 3 + int.MinValue / 2);
        return new TestKeyframe(id * 33_333_333 + 1_700_000_000_000_000_000, intrinsics, pose, new ColorImage(width, height, rgb), new DepthImage(width, height, metres), blocks);
    }

    public KeyframeInfo AppendTo(CaptureViewCache cache) => cache.Append(StampNs, Intrinsics, WorldFromCamera, Color, Depth, Blocks);

    /// <summary>Null when <paramref name="keyframe"/> is exactly this one (images, pose, intrinsics, stamp, blocks), else what differs.</summary>
    public string? Difference(Keyframe keyframe)
    {
        return InfoDifference(keyframe.Info)
            ?? (keyframe.Color.Width != Color.Width || keyframe.Color.Height != Color.Height || !keyframe.Color.Rgb.AsSpan().SequenceEqual(Color.Rgb) ? "colour differs" : null)
            ?? (keyframe.Depth.Width != Depth.Width || keyframe.Depth.Height != Depth.Height
                || !MemoryMarshal.AsBytes(keyframe.Depth.Metres.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(Depth.Metres.AsSpan())) ? "depth bits differ" : null);
    }

    public string? InfoDifference(KeyframeInfo info)
    {
        if (info.StampNs != StampNs) return $"stamp {info.StampNs} != {StampNs}";
        if (info.Intrinsics != Intrinsics) return $"intrinsics {info.Intrinsics} != {Intrinsics}";
        if (info.WorldFromCamera != WorldFromCamera) return $"pose {info.WorldFromCamera} != {WorldFromCamera}";
        if (!info.ObservedBlocks.SequenceEqual(Blocks)) return "observed blocks differ";
        return null;
    }
}
