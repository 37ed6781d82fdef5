using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Synthetic;

/// <summary>
/// The scene's surfaces cut into small triangles, each remembering whether any rendered frame saw it. The ground-truth
/// mesh keeps only what the camera saw, so completeness measures the mapper, not the path (box bottoms on the floor,
/// backs against walls and corners the camera never faced are left out).
/// </summary>
public sealed class GroundTruthSurface
{
    public const double DefaultCellMeters = 0.05;

    private readonly List<(Vector3d A, Vector3d B, Vector3d C)> _triangles = [];
    private readonly bool[] _seen;
    private readonly Vector3d[] _centroids;

    public GroundTruthSurface(Scene scene, double cellMeters = DefaultCellMeters)
    {
        foreach (var box in scene.Boxes)
            foreach (var (a, b, c) in box.Triangles())
                Subdivide(a, b, c, cellMeters);
        _seen = new bool[_triangles.Count];
        _centroids = _triangles.Select(t => (t.A + t.B + t.C) * (1.0 / 3)).ToArray();
    }

    public int TriangleCount => _triangles.Count;

    public int SeenCount => _seen.Count(s => s);

    /// <summary>Marks the triangles whose centre is visible in <paramref name="depth"/> taken at <paramref name="worldFromCamera"/>.</summary>
    public void MarkVisible(PinholeIntrinsics camera, RigidTransform worldFromCamera, DepthImage depth, double maxRangeMeters)
    {
        var cameraFromWorld = worldFromCamera.Inverse();
        Parallel.For(0, _centroids.Length, i =>
        {
            if (_seen[i]) return;
            var p = cameraFromWorld.Apply(_centroids[i]);
            if (p.Z <= 0.1 || p.Z > maxRangeMeters || !camera.TryProject(p, out double u, out double v)) return;
            int iu = (int)Math.Round(u), iv = (int)Math.Round(v);
            if (iu < 0 || iv < 0 || iu >= camera.Width || iv >= camera.Height) return;
            float d = depth.Metres[iv * camera.Width + iu];
            // Seen when the rendered surface at that pixel is this one, not something in front of it.
            if (d > 0 && Math.Abs(d - p.Z) < 0.01 + 0.005 * p.Z) _seen[i] = true;
        });
    }

    /// <summary>The triangles seen at least once.</summary>
    public IEnumerable<(Vector3d A, Vector3d B, Vector3d C)> SeenTriangles()
    {
        for (int i = 0; i < _triangles.Count; i++)
            if (_seen[i]) yield return _triangles[i];
    }

    private void Subdivide(Vector3d a, Vector3d b, Vector3d c, double cell)
    {
        double longest = Math.Max((b - a).Length, Math.Max((c - b).Length, (a - c).Length));
        int n = Math.Max(1, (int)Math.Ceiling(longest / cell));
        // Regular n×n split of the triangle into n² similar triangles.
        Vector3d P(int i, int j) => a + (b - a) * ((double)i / n) + (c - a) * ((double)j / n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n - i; j++)
            {
                _triangles.Add((P(i, j), P(i + 1, j), P(i, j + 1)));
                if (i + j < n - 1) _triangles.Add((P(i + 1, j), P(i + 1, j + 1), P(i, j + 1)));
            }
    }
}
