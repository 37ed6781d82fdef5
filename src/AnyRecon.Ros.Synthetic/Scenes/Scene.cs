using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>A synthetic indoor scene: a room (box seen from inside) with furniture-like boxes, world frame z up, metres.</summary>
public sealed class Scene
{
    public Scene(string name, SceneBox room, IReadOnlyList<SceneBox> furniture, IReadOnlyList<Vector3d> pathWaypoints, Vector3d lookAt)
    {
        if (!room.Inside) throw new ArgumentException("the room must be an inside box", nameof(room));
        Name = name;
        Room = room;
        Furniture = furniture;
        PathWaypoints = pathWaypoints;
        LookAt = lookAt;
    }

    public string Name { get; }

    public SceneBox Room { get; }

    public IReadOnlyList<SceneBox> Furniture { get; }

    /// <summary>Camera positions the path passes through in order, looping back to the first (so places are revisited).</summary>
    public IReadOnlyList<Vector3d> PathWaypoints { get; }

    /// <summary>Where the camera looks while it travels (slightly varied along the path).</summary>
    public Vector3d LookAt { get; }

    public IEnumerable<SceneBox> Boxes => Furniture.Prepend(Room);

    /// <summary>Nearest surface hit by the ray, or false when it escapes (it cannot inside a closed room).</summary>
    public bool Trace(Vector3d origin, Vector3d direction, out double t, out Vector3d normal, out SceneSurface surface)
    {
        t = double.PositiveInfinity;
        normal = default;
        surface = default;
        foreach (var box in Boxes)
        {
            if (box.Intersect(origin, direction, 1e-6, out double tb, out var nb) && tb < t)
            {
                t = tb;
                normal = nb;
                surface = box.SurfaceFacing(nb);
            }
        }
        return double.IsFinite(t);
    }
}
