namespace AnyRecon.Ros.Geometry;

/// <summary>A rotation quaternion (x, y, z, w), Hamilton convention as ROS (geometry_msgs/Quaternion) and Eigen use.</summary>
public readonly record struct QuaternionD(double X, double Y, double Z, double W)
{
    public static QuaternionD Identity => new(0, 0, 0, 1);

    public double Norm => Math.Sqrt(X * X + Y * Y + Z * Z + W * W);

    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Z) && double.IsFinite(W);

    public QuaternionD Normalized()
    {
        double n = Norm;
        return n == 0 ? Identity : new QuaternionD(X / n, Y / n, Z / n, W / n);
    }

    public QuaternionD Conjugate() => new(-X, -Y, -Z, W);

    /// <summary>The composition "first <paramref name="b"/>, then <paramref name="a"/>".</summary>
    public static QuaternionD operator *(QuaternionD a, QuaternionD b) => new(
        a.W * b.X + a.X * b.W + a.Y * b.Z - a.Z * b.Y,
        a.W * b.Y - a.X * b.Z + a.Y * b.W + a.Z * b.X,
        a.W * b.Z + a.X * b.Y - a.Y * b.X + a.Z * b.W,
        a.W * b.W - a.X * b.X - a.Y * b.Y - a.Z * b.Z);

    /// <summary>Rotates <paramref name="v"/> (assumes a unit quaternion).</summary>
    public Vector3d Rotate(Vector3d v)
    {
        // v' = v + 2w(q×v) + 2 q×(q×v)
        var q = new Vector3d(X, Y, Z);
        var t = 2 * Vector3d.Cross(q, v);
        return v + W * t + Vector3d.Cross(q, t);
    }

    public static QuaternionD FromAxisAngle(Vector3d axis, double angleRad)
    {
        double len = axis.Length;
        if (len == 0) return Identity;
        double s = Math.Sin(angleRad / 2) / len;
        return new QuaternionD(axis.X * s, axis.Y * s, axis.Z * s, Math.Cos(angleRad / 2));
    }

    /// <summary>Spherical interpolation along the shorter arc, as tf2 interpolates rotations.</summary>
    public static QuaternionD Slerp(QuaternionD a, QuaternionD b, double t)
    {
        double dot = a.X * b.X + a.Y * b.Y + a.Z * b.Z + a.W * b.W;
        if (dot < 0) { b = new QuaternionD(-b.X, -b.Y, -b.Z, -b.W); dot = -dot; }
        if (dot > 0.9995)
        {
            // Nearly parallel: linear interpolation is exact to double precision here and avoids dividing by sin(≈0).
            return new QuaternionD(a.X + t * (b.X - a.X), a.Y + t * (b.Y - a.Y), a.Z + t * (b.Z - a.Z), a.W + t * (b.W - a.W)).Normalized();
        }
        double theta = Math.Acos(dot);
        double sin = Math.Sin(theta);
        double wa = Math.Sin((1 - t) * theta) / sin, wb = Math.Sin(t * theta) / sin;
        return new QuaternionD(wa * a.X + wb * b.X, wa * a.Y + wb * b.Y, wa * a.Z + wb * b.Z, wa * a.W + wb * b.W);
    }

    /// <summary>Angle of the rotation between two orientations, in radians (0..π).</summary>
    public static double AngleBetween(QuaternionD a, QuaternionD b)
    {
        double dot = Math.Abs(a.X * b.X + a.Y * b.Y + a.Z * b.Z + a.W * b.W);
        return 2 * Math.Acos(Math.Min(1, dot));
    }
}
