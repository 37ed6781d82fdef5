using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Voxels.Tests;

/// <summary>A surface the tiny ray caster can hit: returns the ray parameter and the true outward normal.</summary>
internal interface IShape
{
    bool TryHit(Vector3d origin, Vector3d direction, out double t);

    /// <summary>Signed distance of a point to the surface (positive outside / in front).</summary>
    double SignedDistance(Vector3d p);

    Vector3d Normal(Vector3d p);
}

internal sealed record Plane(Vector3d Point, Vector3d UnitNormal) : IShape
{
    public bool TryHit(Vector3d o, Vector3d d, out double t)
    {
        double den = Vector3d.Dot(d, UnitNormal);
        t = Math.Abs(den) < 1e-12 ? -1 : Vector3d.Dot(Point - o, UnitNormal) / den;
        return t > 0;
    }

    public double SignedDistance(Vector3d p) => Vector3d.Dot(p - Point, UnitNormal);

    public Vector3d Normal(Vector3d p) => UnitNormal;
}

internal sealed record Sphere(Vector3d Center, double Radius) : IShape
{
    public bool TryHit(Vector3d o, Vector3d d, out double t)
    {
        var oc = o - Center;
        double a = Vector3d.Dot(d, d), b = Vector3d.Dot(oc, d), c = Vector3d.Dot(oc, oc) - Radius * Radius;
        double disc = b * b - a * c;
        t = -1;
        if (disc < 0) return false;
        double s = Math.Sqrt(disc);
        t = (-b - s) / a;
        if (t <= 0) t = (-b + s) / a;
        return t > 0;
    }

    public double SignedDistance(Vector3d p) => (p - Center).Length - Radius;

    public Vector3d Normal(Vector3d p) => (p - Center) * (1 / (p - Center).Length);
}

/// <summary>Renders exact depth (z along the optical axis) and a position-dependent colour by casting one ray per pixel.</summary>
internal static class DepthRenderer
{
    public static PinholeIntrinsics Camera(int width, int height, double fov = 1.0) =>
        new(width, height, width / 2.0 / Math.Tan(fov / 2), width / 2.0 / Math.Tan(fov / 2), (width - 1) / 2.0, (height - 1) / 2.0);

    public static (DepthImage Depth, ColorImage Color) Render(IReadOnlyList<IShape> shapes, PinholeIntrinsics k, RigidTransform worldFromCamera)
    {
        var depth = new float[k.Width * k.Height];
        var rgb = new byte[k.Width * k.Height * 3];
        for (int v = 0; v < k.Height; v++)
        {
            for (int u = 0; u < k.Width; u++)
            {
                // Unnormalised ray with z = 1, so the ray parameter is the optical-axis depth.
                var rayCamera = new Vector3d((u - k.Cx) / k.Fx, (v - k.Cy) / k.Fy, 1);
                var dir = worldFromCamera.Rotation.Rotate(rayCamera);
                double best = double.PositiveInfinity;
                foreach (var shape in shapes)
                    if (shape.TryHit(worldFromCamera.Translation, dir, out double t) && t < best) best = t;
                if (double.IsPositiveInfinity(best)) continue;
                int i = v * k.Width + u;
                depth[i] = (float)best;
                var p = worldFromCamera.Translation + dir * best;
                rgb[3 * i] = ColorAt(p.X);
                rgb[3 * i + 1] = ColorAt(p.Y);
                rgb[3 * i + 2] = ColorAt(p.Z);
            }
        }
        return (new DepthImage(k.Width, k.Height, depth), new ColorImage(k.Width, k.Height, rgb));
    }

    /// <summary>A smooth colour ramp, so averaging neighbouring pixels stays close to the true colour.</summary>
    public static byte ColorAt(double coordinate) => (byte)Math.Clamp(128 + 100 * Math.Sin(coordinate * 2), 0, 255);

    /// <summary>Optical frame looking from <paramref name="eye"/> at <paramref name="target"/>, world +z up.</summary>
    public static RigidTransform LookAt(Vector3d eye, Vector3d target)
    {
        var z = Normalize(target - eye);
        var up = Math.Abs(z.Z) > 0.99 ? new Vector3d(0, 1, 0) : new Vector3d(0, 0, 1);
        var x = Normalize(Vector3d.Cross(z, up));
        var y = Vector3d.Cross(z, x);
        return new RigidTransform(FromColumns(x, y, z), eye);
    }

    public static Vector3d Normalize(Vector3d v) => v * (1 / v.Length);

    private static QuaternionD FromColumns(Vector3d c0, Vector3d c1, Vector3d c2)
    {
        double m00 = c0.X, m10 = c0.Y, m20 = c0.Z, m01 = c1.X, m11 = c1.Y, m21 = c1.Z, m02 = c2.X, m12 = c2.Y, m22 = c2.Z;
        double trace = m00 + m11 + m22;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1) * 2;
            return new QuaternionD((m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, 0.25 * s);
        }
        if (m00 > m11 && m00 > m22)
        {
            double s = Math.Sqrt(1 + m00 - m11 - m22) * 2;
            return new QuaternionD(0.25 * s, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s);
        }
        if (m11 > m22)
        {
            double s = Math.Sqrt(1 + m11 - m00 - m22) * 2;
            return new QuaternionD((m01 + m10) / s, 0.25 * s, (m12 + m21) / s, (m02 - m20) / s);
        }
        double s2 = Math.Sqrt(1 + m22 - m00 - m11) * 2;
        return new QuaternionD((m02 + m20) / s2, (m12 + m21) / s2, 0.25 * s2, (m10 - m01) / s2);
    }
}
