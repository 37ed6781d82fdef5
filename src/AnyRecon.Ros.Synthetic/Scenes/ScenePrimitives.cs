using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>An axis-aligned box: furniture seen from outside, or the room itself seen from inside.</summary>
/// <param name="Min">Lower corner, metres, world frame (z up).</param>
/// <param name="Max">Upper corner.</param>
/// <param name="Surface">Look of every face.</param>
/// <param name="Inside">True for a room: rays start inside and hit the walls from within.</param>
/// <param name="FloorSurface">For a room, the look of its floor (the walls and ceiling use <paramref name="Surface"/>).</param>
public sealed record SceneBox(Vector3d Min, Vector3d Max, SceneSurface Surface, bool Inside = false, SceneSurface? FloorSurface = null)
{
    /// <summary>The look of the face with <paramref name="normal"/>.</summary>
    public SceneSurface SurfaceFacing(Vector3d normal) => Inside && FloorSurface is { } floor && normal.Z > 0.5 ? floor : Surface;

    /// <summary>Nearest hit along the ray after <paramref name="tMin"/>, with the outward (or, inside, inward) normal.</summary>
    public bool Intersect(Vector3d origin, Vector3d direction, double tMin, out double t, out Vector3d normal)
    {
        double tNear = double.NegativeInfinity, tFar = double.PositiveInfinity;
        int nearAxis = -1, farAxis = -1;
        for (int axis = 0; axis < 3; axis++)
        {
            double o = Component(origin, axis), d = Component(direction, axis);
            double lo = Component(Min, axis), hi = Component(Max, axis);
            if (Math.Abs(d) < 1e-12)
            {
                if (o < lo || o > hi) { t = 0; normal = default; return false; }
                continue;
            }
            double t0 = (lo - o) / d, t1 = (hi - o) / d;
            if (t0 > t1) (t0, t1) = (t1, t0);
            if (t0 > tNear) { tNear = t0; nearAxis = axis; }
            if (t1 < tFar) { tFar = t1; farAxis = axis; }
        }
        if (tNear > tFar) { t = 0; normal = default; return false; }
        if (!Inside && tNear > tMin && nearAxis >= 0)
        {
            t = tNear;
            normal = AxisNormal(nearAxis, -Math.Sign(Component(direction, nearAxis)));
            return true;
        }
        if (Inside && tFar > tMin && farAxis >= 0)
        {
            t = tFar;
            normal = AxisNormal(farAxis, -Math.Sign(Component(direction, farAxis)));
            return true;
        }
        t = 0;
        normal = default;
        return false;
    }

    /// <summary>The box's faces as triangles (two per face), wound so normals face where the camera can see them.</summary>
    public IEnumerable<(Vector3d A, Vector3d B, Vector3d C)> Triangles()
    {
        Vector3d C(int i) => new((i & 1) == 0 ? Min.X : Max.X, (i & 2) == 0 ? Min.Y : Max.Y, (i & 4) == 0 ? Min.Z : Max.Z);
        // Faces as corner indices in counter-clockwise order seen from outside.
        int[][] faces = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]];
        foreach (var f in faces)
        {
            if (Inside)
            {
                yield return (C(f[0]), C(f[2]), C(f[1]));
                yield return (C(f[0]), C(f[3]), C(f[2]));
            }
            else
            {
                yield return (C(f[0]), C(f[1]), C(f[2]));
                yield return (C(f[0]), C(f[2]), C(f[3]));
            }
        }
    }

    private static double Component(Vector3d v, int axis) => axis switch { 0 => v.X, 1 => v.Y, _ => v.Z };

    private static Vector3d AxisNormal(int axis, int sign) => axis switch
    {
        0 => new Vector3d(sign, 0, 0),
        1 => new Vector3d(0, sign, 0),
        _ => new Vector3d(0, 0, sign),
    };
}
