using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>
/// A smooth closed camera path through a scene's waypoints (Catmull-Rom), travelled 1.25 times so the first quarter
/// is seen again at the end: revisits for loop closure, retrieval and completeness tests.
/// </summary>
public static class CameraPath
{
    public const double Laps = 1.25;

    /// <summary>The optical-frame pose (x right, y down, z forward) of frame <paramref name="index"/> of <paramref name="count"/>.</summary>
    public static RigidTransform WorldFromCamera(Scene scene, int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        var points = scene.PathWaypoints;
        double s = Laps * points.Count * index / Math.Max(1, count);
        int seg = (int)Math.Floor(s);
        double t = s - seg;
        Vector3d P(int i) => points[((i % points.Count) + points.Count) % points.Count];
        var position = CatmullRom(P(seg - 1), P(seg), P(seg + 1), P(seg + 2), t);
        // Look at the scene centre, swinging a little so views of the same place differ.
        double swing = 2 * Math.PI * index / Math.Max(1, count);
        var target = scene.LookAt + new Vector3d(0.6 * Math.Sin(3 * swing), 0.6 * Math.Cos(2 * swing), 0.25 * Math.Sin(5 * swing));
        return LookAt(position, target);
    }

    /// <summary>The optical frame at <paramref name="eye"/> looking at <paramref name="target"/>, image "up" towards world +z.</summary>
    public static RigidTransform LookAt(Vector3d eye, Vector3d target)
    {
        var forward = Normalize(target - eye);
        var right = Normalize(Vector3d.Cross(forward, new Vector3d(0, 0, 1)));
        var down = Vector3d.Cross(forward, right);
        // Columns of worldFromCamera's rotation are the optical axes in world coordinates.
        return new RigidTransform(FromColumns(right, down, forward), eye);
    }

    private static Vector3d CatmullRom(Vector3d p0, Vector3d p1, Vector3d p2, Vector3d p3, double t)
    {
        double t2 = t * t, t3 = t2 * t;
        return 0.5 * ((2 * p1) + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (3 * p1 - p0 - 3 * p2 + p3) * t3);
    }

    private static Vector3d Normalize(Vector3d v) => v * (1 / v.Length);

    /// <summary>Quaternion of the rotation matrix with columns <paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/>.</summary>
    internal static QuaternionD FromColumns(Vector3d x, Vector3d y, Vector3d z)
    {
        double m00 = x.X, m10 = x.Y, m20 = x.Z, m01 = y.X, m11 = y.Y, m21 = y.Z, m02 = z.X, m12 = z.Y, m22 = z.Z;
        double trace = m00 + m11 + m22;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1) * 2;
            return new QuaternionD((m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, 0.25 * s).Normalized();
        }
        if (m00 > m11 && m00 > m22)
        {
            double s = Math.Sqrt(1 + m00 - m11 - m22) * 2;
            return new QuaternionD(0.25 * s, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s).Normalized();
        }
        if (m11 > m22)
        {
            double s = Math.Sqrt(1 + m11 - m00 - m22) * 2;
            return new QuaternionD((m01 + m10) / s, 0.25 * s, (m12 + m21) / s, (m02 - m20) / s).Normalized();
        }
        double s3 = Math.Sqrt(1 + m22 - m00 - m11) * 2;
        return new QuaternionD((m02 + m20) / s3, (m12 + m21) / s3, 0.25 * s3, (m10 - m01) / s3).Normalized();
    }
}
