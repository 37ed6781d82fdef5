using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Voxels.Tests;

/// <summary>
/// The slow, obvious TSDF update: one voxel at a time, double precision, straight from the definition. It updates
/// every voxel of the blocks it is given, so it checks the fast integrator's per-voxel maths and its frustum culling.
/// A voxel whose projection lands within 3e-4 pixel of a pixel border is marked ambiguous: float and double may
/// pick different pixels there, and the test leaves those few out.
/// </summary>
internal sealed class ReferenceTsdfIntegrator(double voxelSize, int truncationVoxels, double maxWeight, double minDepth, double maxDepth,
    DepthWeighting weighting = TsdfIntegratorOptions.DefaultDepthWeighting)
{
    public sealed class Voxel
    {
        public double Tsdf, Weight;
        public int R, G, B;
        public bool Ambiguous;
    }

    public Dictionary<(int X, int Y, int Z), Voxel> Voxels { get; } = new();

    public void Integrate(IEnumerable<BlockIndex> blocks, DepthImage depth, ColorImage color, PinholeIntrinsics k, RigidTransform worldFromCamera)
    {
        var cameraFromWorld = worldFromCamera.Inverse();
        double trunc = voxelSize * truncationVoxels;
        foreach (var b in blocks)
        {
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                var key = (b.X * 8 + x, b.Y * 8 + y, b.Z * 8 + z);
                var world = new Vector3d((key.Item1 + 0.5) * voxelSize, (key.Item2 + 0.5) * voxelSize, (key.Item3 + 0.5) * voxelSize);
                var p = cameraFromWorld.Apply(world);
                if (p.Z <= minDepth) continue;
                double u = k.Fx * p.X / p.Z + k.Cx + 0.5, v = k.Fy * p.Y / p.Z + k.Cy + 0.5;
                bool ambiguous = Math.Abs(u - Math.Round(u)) < 3e-4 || Math.Abs(v - Math.Round(v)) < 3e-4;
                int ui = (int)Math.Floor(u), vi = (int)Math.Floor(v);
                if (ui < 0 || vi < 0 || ui >= k.Width || vi >= k.Height)
                {
                    if (ambiguous) Get(key).Ambiguous = true;
                    continue;
                }
                double d = depth.Metres[vi * k.Width + ui];
                if (!(d >= minDepth && d <= maxDepth))
                {
                    if (ambiguous) Get(key).Ambiguous = true;
                    continue;
                }
                double sdf = d - p.Z;
                if (sdf < -trunc)
                {
                    // Float and double may disagree on which side of the band's far end a voxel lies.
                    if (ambiguous || Math.Abs(sdf + trunc) < 1e-4) Get(key).Ambiguous = true;
                    continue;
                }
                var voxel = Get(key);
                voxel.Ambiguous |= ambiguous || Math.Abs(sdf + trunc) < 1e-4 || Math.Abs(sdf - trunc) < 1e-4;
                // The value is the difference along the viewing ray; the band test above is along the optical axis.
                double rayFactor = Math.Sqrt(p.X * p.X + p.Y * p.Y + p.Z * p.Z) / p.Z;
                double t = Math.Min(sdf * rayFactor / trunc, 1);
                double fw = weighting == DepthWeighting.InverseSquare
                    ? Math.Max(TsdfIntegratorOptions.MinFrameWeight, Math.Min(1, Math.Pow(TsdfIntegratorOptions.UnitWeightDepthMeters / p.Z, 2)))
                    : 1;
                double w = voxel.Weight;
                if (sdf < trunc)
                {
                    int i = 3 * (vi * k.Width + ui);
                    voxel.R = (int)((voxel.R * w + color.Rgb[i] * fw) / (w + fw) + 0.5);
                    voxel.G = (int)((voxel.G * w + color.Rgb[i + 1] * fw) / (w + fw) + 0.5);
                    voxel.B = (int)((voxel.B * w + color.Rgb[i + 2] * fw) / (w + fw) + 0.5);
                }
                voxel.Tsdf = (voxel.Tsdf * w + t * fw) / (w + fw);
                voxel.Weight = Math.Min(w + fw, maxWeight);
            }
        }
    }

    private Voxel Get((int, int, int) key)
    {
        if (!Voxels.TryGetValue(key, out var voxel)) Voxels.Add(key, voxel = new Voxel());
        return voxel;
    }
}
