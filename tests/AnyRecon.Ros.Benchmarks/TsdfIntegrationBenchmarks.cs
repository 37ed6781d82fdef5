using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;
using BenchmarkDotNet.Attributes;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// Projective TSDF integration of 640×480 depth frames of a fixed synthetic room (4 × 5 × 2.6 m with a table-sized
/// box and two balls), camera circling at 1.4 m height. The scene, path and frame count are pinned in constants:
/// changing them makes results incomparable with earlier runs. Each invocation integrates the next of the frames
/// into a map that has already seen all of them once, so the figure is steady-state ms/frame.
/// </summary>
[MemoryDiagnoser]
public class TsdfIntegrationBenchmarks
{
    private const int Width = 640, Height = 480, FrameCount = 8;
    private static readonly PinholeIntrinsics s_camera = new(Width, Height, 525, 525, 319.5, 239.5);

    private (DepthImage Depth, ColorImage Color, RigidTransform Pose)[] _frames = [];
    private VoxelMemory _memory = null!;
    private ProjectiveTsdfIntegrator _integrator = null!;
    private int _next;

    [Params(0.01, 0.02)]
    public double VoxelSizeMeters { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = new (DepthImage, ColorImage, RigidTransform)[FrameCount];
        for (int i = 0; i < FrameCount; i++)
        {
            double a = i * 2 * Math.PI / FrameCount;
            var eye = new Vector3d(2 + 0.6 * Math.Cos(a), 2.5 + 0.6 * Math.Sin(a), 1.4);
            var target = new Vector3d(2 + 2 * Math.Cos(a + 0.8), 2.5 + 2 * Math.Sin(a + 0.8), 0.8);
            var pose = Room.LookAt(eye, target);
            var (depth, color) = Room.Render(s_camera, pose);
            _frames[i] = (depth, color, pose);
        }
        _memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = VoxelSizeMeters });
        _integrator = new ProjectiveTsdfIntegrator();
        foreach (var (depth, color, pose) in _frames) _integrator.Integrate(_memory, depth, color, s_camera, pose);
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    [Benchmark(Description = "integrate one 640x480 frame")]
    public IntegrationResult Integrate()
    {
        var (depth, color, pose) = _frames[_next];
        _next = (_next + 1) % FrameCount;
        return _integrator.Integrate(_memory, depth, color, s_camera, pose);
    }

    [Benchmark(Description = "extract points (whole map)")]
    public int ExtractPoints() => SurfaceExtractor.ExtractPoints(_memory).Count;

    [Benchmark(Description = "extract mesh (whole map)")]
    public int ExtractMesh() => SurfaceExtractor.ExtractMesh(_memory).TriangleCount;

    /// <summary>The pinned room: ray casting against its walls, a box and two spheres.</summary>
    internal static class Room
    {
        private static readonly (Vector3d Min, Vector3d Max)[] s_boxes =
        [
            (new Vector3d(1.0, 3.2, 0), new Vector3d(2.2, 4.0, 0.75)),
            (new Vector3d(3.2, 0.5, 0), new Vector3d(3.8, 1.2, 1.8)),
        ];

        private static readonly (Vector3d Center, double Radius)[] s_spheres =
        [
            (new Vector3d(1.6, 3.6, 0.95), 0.2),
            (new Vector3d(0.8, 1.0, 0.3), 0.3),
        ];

        private static readonly Vector3d s_roomMax = new(4, 5, 2.6);

        public static (DepthImage, ColorImage) Render(PinholeIntrinsics k, RigidTransform worldFromCamera)
        {
            var depth = new float[k.Width * k.Height];
            var rgb = new byte[depth.Length * 3];
            Parallel.For(0, k.Height, v =>
            {
                for (int u = 0; u < k.Width; u++)
                {
                    var dir = worldFromCamera.Rotation.Rotate(new Vector3d((u - k.Cx) / k.Fx, (v - k.Cy) / k.Fy, 1));
                    var o = worldFromCamera.Translation;
                    double t = ExitRoom(o, dir);
                    foreach (var (min, max) in s_boxes) t = Math.Min(t, HitBox(o, dir, min, max));
                    foreach (var (c, r) in s_spheres) t = Math.Min(t, HitSphere(o, dir, c, r));
                    int i = v * k.Width + u;
                    depth[i] = (float)t;
                    var p = o + dir * t;
                    // Checker texture, 25 cm squares.
                    bool odd = (((int)Math.Floor(p.X * 4) + (int)Math.Floor(p.Y * 4) + (int)Math.Floor(p.Z * 4)) & 1) != 0;
                    rgb[3 * i] = (byte)(odd ? 200 : 60);
                    rgb[3 * i + 1] = (byte)(100 + 40 * p.Z);
                    rgb[3 * i + 2] = (byte)(odd ? 90 : 180);
                }
            });
            return (new DepthImage(k.Width, k.Height, depth), new ColorImage(k.Width, k.Height, rgb));
        }

        private static double ExitRoom(Vector3d o, Vector3d d)
        {
            double t = double.PositiveInfinity;
            t = Math.Min(t, Exit(o.X, d.X, 0, s_roomMax.X));
            t = Math.Min(t, Exit(o.Y, d.Y, 0, s_roomMax.Y));
            return Math.Min(t, Exit(o.Z, d.Z, 0, s_roomMax.Z));
        }

        private static double Exit(double o, double d, double min, double max) =>
            d > 0 ? (max - o) / d : d < 0 ? (min - o) / d : double.PositiveInfinity;

        private static double HitBox(Vector3d o, Vector3d d, Vector3d min, Vector3d max)
        {
            double t0 = 0, t1 = double.PositiveInfinity;
            for (int axis = 0; axis < 3; axis++)
            {
                double oa = axis == 0 ? o.X : axis == 1 ? o.Y : o.Z, da = axis == 0 ? d.X : axis == 1 ? d.Y : d.Z;
                double lo = axis == 0 ? min.X : axis == 1 ? min.Y : min.Z, hi = axis == 0 ? max.X : axis == 1 ? max.Y : max.Z;
                if (Math.Abs(da) < 1e-12)
                {
                    if (oa < lo || oa > hi) return double.PositiveInfinity;
                    continue;
                }
                double a = (lo - oa) / da, b = (hi - oa) / da;
                t0 = Math.Max(t0, Math.Min(a, b));
                t1 = Math.Min(t1, Math.Max(a, b));
            }
            return t0 <= t1 && t0 > 0 ? t0 : double.PositiveInfinity;
        }

        private static double HitSphere(Vector3d o, Vector3d d, Vector3d c, double r)
        {
            var oc = o - c;
            double a = Vector3d.Dot(d, d), b = Vector3d.Dot(oc, d), cc = Vector3d.Dot(oc, oc) - r * r;
            double disc = b * b - a * cc;
            if (disc < 0) return double.PositiveInfinity;
            double t = (-b - Math.Sqrt(disc)) / a;
            return t > 0 ? t : double.PositiveInfinity;
        }

        public static RigidTransform LookAt(Vector3d eye, Vector3d target)
        {
            var z = target - eye;
            z *= 1 / z.Length;
            var x = Vector3d.Cross(z, new Vector3d(0, 0, 1));
            x *= 1 / x.Length;
            var y = Vector3d.Cross(z, x);
            // Rotation matrix with columns x, y, z to a quaternion (trace is positive or the largest diagonal wins).
            double m00 = x.X, m11 = y.Y, m22 = z.Z, trace = m00 + m11 + m22;
            QuaternionD q;
            if (trace > 0)
            {
                double s = Math.Sqrt(trace + 1) * 2;
                q = new QuaternionD((y.Z - z.Y) / s, (z.X - x.Z) / s, (x.Y - y.X) / s, 0.25 * s);
            }
            else if (m00 > m11 && m00 > m22)
            {
                double s = Math.Sqrt(1 + m00 - m11 - m22) * 2;
                q = new QuaternionD(0.25 * s, (y.X + x.Y) / s, (z.X + x.Z) / s, (y.Z - z.Y) / s);
            }
            else if (m11 > m22)
            {
                double s = Math.Sqrt(1 + m11 - m00 - m22) * 2;
                q = new QuaternionD((y.X + x.Y) / s, 0.25 * s, (z.Y + y.Z) / s, (z.X - x.Z) / s);
            }
            else
            {
                double s = Math.Sqrt(1 + m22 - m00 - m11) * 2;
                q = new QuaternionD((z.X + x.Z) / s, (z.Y + y.Z) / s, 0.25 * s, (x.Y - y.X) / s);
            }
            return new RigidTransform(q, eye);
        }
    }
}
