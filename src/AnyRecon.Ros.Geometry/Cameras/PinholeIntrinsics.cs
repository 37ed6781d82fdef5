namespace AnyRecon.Ros.Geometry;

/// <summary>
/// An undistorted pinhole camera in its optical frame (REP 103: x right, y down, z forward): pixel (u, v) at depth d
/// is the point ((u − cx)·d/fx, (v − cy)·d/fy, d). Distorted cameras are rectified to one of these first.
/// </summary>
public readonly record struct PinholeIntrinsics(int Width, int Height, double Fx, double Fy, double Cx, double Cy)
{
    public bool IsValid => Width > 0 && Height > 0 && Fx > 0 && Fy > 0 && double.IsFinite(Cx) && double.IsFinite(Cy);

    public Vector3d BackProject(double u, double v, double depth) => new((u - Cx) * depth / Fx, (v - Cy) * depth / Fy, depth);

    /// <summary>Projects a point in the optical frame to pixel coordinates; false when it is behind the camera.</summary>
    public bool TryProject(Vector3d point, out double u, out double v)
    {
        if (point.Z <= 0) { u = v = double.NaN; return false; }
        u = Fx * point.X / point.Z + Cx;
        v = Fy * point.Y / point.Z + Cy;
        return true;
    }
}
