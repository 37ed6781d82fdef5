using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Voxels;

/// <summary>What a raycast of the voxel memory saw at each pixel (row-major, width × height).</summary>
public sealed class RaycastImage
{
    public RaycastImage(int width, int height)
    {
        Width = width;
        Height = height;
        Depth = new float[width * height];
        Rgb = new byte[width * height * 3];
        Confidence = new float[width * height];
        Generated = new bool[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Depth of the first surface along the optical axis in metres; 0 where the ray met none.</summary>
    public float[] Depth { get; }

    public byte[] Rgb { get; }

    /// <summary>min(1, fused weight / settled weight) of the voxel hit: 1 once observation settled it; 0 at holes.</summary>
    public float[] Confidence { get; }

    /// <summary>True where the surface hit is held by generated evidence (not settled by observation).</summary>
    public bool[] Generated { get; }
}

/// <summary>
/// Renders the voxel memory from a camera: each pixel's ray is marched through the fused TSDF (the value
/// <see cref="VoxelFusion.Effective"/> gives, so observed evidence wins where settled) in steps of half the truncation,
/// skipping absent blocks half a block at a time, until the value crosses from positive (free) to negative (behind the
/// surface); the crossing is placed by linear interpolation between the two samples. Nearest-voxel sampling, so the
/// surface is good to about half a voxel. Only blocks in RAM are rendered (evicted ones are far from the camera).
/// Reads the memory without changing it; call it from the thread that owns the memory, between frames.
/// </summary>
public static class VoxelRaycaster
{
    public static RaycastImage Render(VoxelMemory memory, RigidTransform worldFromCamera, PinholeIntrinsics k, double maxRangeMeters = 6)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!k.IsValid) throw new ArgumentException($"invalid intrinsics {k}", nameof(k));
        if (!worldFromCamera.IsFinite) throw new ArgumentException("pose is not finite", nameof(worldFromCamera));
        var image = new RaycastImage(k.Width, k.Height);
        RenderRows(memory, worldFromCamera, k, image, 0, k.Height, maxRangeMeters);
        return image;
    }

    /// <summary>
    /// Renders rows <paramref name="firstRow"/> … <paramref name="firstRow"/> + <paramref name="rowCount"/> − 1 into
    /// <paramref name="image"/> (made for <paramref name="k"/>), so a caller can render a view in bands and let the
    /// map's writer in between them.
    /// </summary>
    public static void RenderRows(VoxelMemory memory, RigidTransform worldFromCamera, PinholeIntrinsics k, RaycastImage image, int firstRow, int rowCount,
        double maxRangeMeters = 6)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(image);
        if (!k.IsValid) throw new ArgumentException($"invalid intrinsics {k}", nameof(k));
        if (!worldFromCamera.IsFinite) throw new ArgumentException("pose is not finite", nameof(worldFromCamera));
        if (image.Width != k.Width || image.Height != k.Height) throw new ArgumentException($"image is {image.Width}x{image.Height}, intrinsics {k.Width}x{k.Height}", nameof(image));
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > k.Height) throw new ArgumentOutOfRangeException(nameof(rowCount), $"rows {firstRow}+{rowCount} of {k.Height}");
        double voxel = memory.VoxelSizeMeters, block = memory.BlockSizeMeters, trunc = memory.TruncationMeters;
        float settled = memory.SettledObservedWeight;
        var origin = worldFromCamera.Translation;
        Parallel.For(firstRow, firstRow + rowCount, v =>
        {
            BlockIndex lastIndex = new(int.MinValue, 0, 0);
            VoxelBlock? lastBlock = null;
            for (int u = 0; u < k.Width; u++)
            {
                // Ray point at optical depth z: origin + z · dir.
                var dir = worldFromCamera.Rotation.Rotate(new Vector3d((u - k.Cx) / k.Fx, (v - k.Cy) / k.Fy, 1));
                double length = dir.Length;
                // Steps in z: half a truncation of path length, or half a block where no block is.
                double step = 0.5 * trunc / length, skip = 0.5 * block / length;
                double z = 0.1, previousZ = 0;
                float previous = float.NaN;
                int pixel = v * k.Width + u;
                while (z <= maxRangeMeters)
                {
                    var p = origin + dir * z;
                    int vx = (int)Math.Floor(p.X / voxel), vy = (int)Math.Floor(p.Y / voxel), vz = (int)Math.Floor(p.Z / voxel);
                    var index = BlockIndex.FromVoxel(vx, vy, vz);
                    if (index != lastIndex)
                    {
                        lastIndex = index;
                        lastBlock = memory.TryGetResident(index, out var found) ? found : null;
                    }
                    if (lastBlock is null)
                    {
                        previous = float.NaN;
                        z += skip;
                        continue;
                    }
                    int i = BlockIndex.Linear(vx & 7, vy & 7, vz & 7);
                    float gt = lastBlock.GeneratedTsdf?[i] ?? 0, gw = lastBlock.GeneratedWeight?[i] ?? 0;
                    float value = VoxelFusion.Effective(lastBlock.ObservedTsdf[i], lastBlock.ObservedWeight[i], gt, gw, settled, out float weight, out var source);
                    if (weight <= 0)
                    {
                        previous = float.NaN;
                        z += step;
                        continue;
                    }
                    if (previous > 0 && value < 0)
                    {
                        double hit = previousZ + (z - previousZ) * previous / (previous - value);
                        image.Depth[pixel] = (float)hit;
                        // Colour and weight of the voxel at the surface itself.
                        var s = origin + dir * hit;
                        int sx = (int)Math.Floor(s.X / voxel), sy = (int)Math.Floor(s.Y / voxel), sz = (int)Math.Floor(s.Z / voxel);
                        var surfaceIndex = BlockIndex.FromVoxel(sx, sy, sz);
                        int j = BlockIndex.Linear(sx & 7, sy & 7, sz & 7);
                        if (surfaceIndex == index) Shade(image, pixel, lastBlock, j, settled);
                        else if (memory.TryGetResident(surfaceIndex, out var other)) Shade(image, pixel, other, j, settled);
                        else Shade(image, pixel, lastBlock, i, settled);
                        break;
                    }
                    previous = value;
                    previousZ = z;
                    z += step;
                }
            }
        });
    }

    private static void Shade(RaycastImage image, int pixel, VoxelBlock block, int i, float settled)
    {
        const int n = VoxelBlock.N;
        float gt = block.GeneratedTsdf?[i] ?? 0, gw = block.GeneratedWeight?[i] ?? 0;
        VoxelFusion.Effective(block.ObservedTsdf[i], block.ObservedWeight[i], gt, gw, settled, out float weight, out var source);
        float ow = block.ObservedWeight[i];
        var gc = block.GeneratedColor;
        for (int c = 0; c < 3; c++)
            image.Rgb[pixel * 3 + c] = weight > 0 ? VoxelFusion.EffectiveColor(block.ObservedColor[c * n + i], ow, gc?[c * n + i] ?? 0, gw, source, weight) : (byte)0;
        image.Confidence[pixel] = weight > 0 ? Math.Min(1f, weight / settled) : 0;
        image.Generated[pixel] = source == EvidenceChannel.Generated;
    }
}
