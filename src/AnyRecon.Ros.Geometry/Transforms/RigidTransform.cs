namespace AnyRecon.Ros.Geometry;

/// <summary>
/// A rigid transform (rotation then translation). Named by the frames it maps between, as nvblox's T_L_C:
/// <c>worldFromCamera.Apply(pointInCamera)</c> gives the point in the world frame.
/// </summary>
public readonly record struct RigidTransform(QuaternionD Rotation, Vector3d Translation)
{
    public static RigidTransform Identity => new(QuaternionD.Identity, Vector3d.Zero);

    public Vector3d Apply(Vector3d point) => Rotation.Rotate(point) + Translation;

    /// <summary><c>aFromB * bFromC = aFromC</c>.</summary>
    public static RigidTransform operator *(RigidTransform aFromB, RigidTransform bFromC) =>
        new(aFromB.Rotation * bFromC.Rotation, aFromB.Apply(bFromC.Translation));

    public RigidTransform Inverse()
    {
        var inverse = Rotation.Conjugate();
        return new RigidTransform(inverse, -inverse.Rotate(Translation));
    }

    public bool IsFinite => Rotation.IsFinite && Translation.IsFinite;

    /// <summary>Linear in translation, spherical in rotation: how tf2 interpolates between two stamped transforms.</summary>
    public static RigidTransform Interpolate(RigidTransform a, RigidTransform b, double t) =>
        new(QuaternionD.Slerp(a.Rotation, b.Rotation, t), Vector3d.Lerp(a.Translation, b.Translation, t));

    /// <summary>Single-precision copy for per-pixel and per-voxel loops.</summary>
    public RigidTransformF ToFloat()
    {
        var q = Rotation.Normalized();
        double xx = q.X * q.X, yy = q.Y * q.Y, zz = q.Z * q.Z, xy = q.X * q.Y, xz = q.X * q.Z, yz = q.Y * q.Z, wx = q.W * q.X, wy = q.W * q.Y, wz = q.W * q.Z;
        return new RigidTransformF(
            (float)(1 - 2 * (yy + zz)), (float)(2 * (xy - wz)), (float)(2 * (xz + wy)),
            (float)(2 * (xy + wz)), (float)(1 - 2 * (xx + zz)), (float)(2 * (yz - wx)),
            (float)(2 * (xz - wy)), (float)(2 * (yz + wx)), (float)(1 - 2 * (xx + yy)),
            Translation.ToFloat());
    }
}

/// <summary>A rigid transform as a row-major 3×3 rotation matrix and a translation, in single precision.</summary>
public readonly record struct RigidTransformF(
    float R00, float R01, float R02,
    float R10, float R11, float R12,
    float R20, float R21, float R22,
    System.Numerics.Vector3 T)
{
    public System.Numerics.Vector3 Apply(System.Numerics.Vector3 p) => new(
        R00 * p.X + R01 * p.Y + R02 * p.Z + T.X,
        R10 * p.X + R11 * p.Y + R12 * p.Z + T.Y,
        R20 * p.X + R21 * p.Y + R22 * p.Z + T.Z);

    /// <summary>Rotation only (for directions and normals).</summary>
    public System.Numerics.Vector3 Rotate(System.Numerics.Vector3 v) => new(
        R00 * v.X + R01 * v.Y + R02 * v.Z,
        R10 * v.X + R11 * v.Y + R12 * v.Z,
        R20 * v.X + R21 * v.Y + R22 * v.Z);
}
