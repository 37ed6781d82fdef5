using System.Numerics;

namespace AnyRecon.Ros.Evaluation;

/// <summary>
/// A static k-d tree over points for exact nearest-neighbour distance (built once, queried from many threads). Each node
/// keeps the bounding box of its points and a subtree is skipped when its box is farther than the best distance so far,
/// so a query far from every point (a badly wrong map against ground truth) visits few nodes, not most of the tree.
/// </summary>
public sealed class PointKdTree
{
    private const int LeafSize = 16;
    private readonly Vector3[] _points;
    private readonly int[] _order;
    private readonly List<Node> _nodes = [];

    private readonly record struct Node(int Start, int End, int Axis, float Split, int Left, int Right, Vector3 Min, Vector3 Max);

    public PointKdTree(ReadOnlySpan<Vector3> points)
    {
        if (points.IsEmpty) throw new ArgumentException("a k-d tree needs at least one point", nameof(points));
        _points = points.ToArray();
        _order = Enumerable.Range(0, _points.Length).ToArray();
        Build(0, _points.Length);
    }

    public int Count => _points.Length;

    private int Build(int start, int end)
    {
        int index = _nodes.Count;
        _nodes.Add(default);
        var min = new Vector3(float.MaxValue);
        var max = new Vector3(float.MinValue);
        for (int i = start; i < end; i++) { min = Vector3.Min(min, _points[_order[i]]); max = Vector3.Max(max, _points[_order[i]]); }
        if (end - start <= LeafSize)
        {
            _nodes[index] = new Node(start, end, -1, 0, -1, -1, min, max);
            return index;
        }
        var extent = max - min;
        int axis = extent.X >= extent.Y && extent.X >= extent.Z ? 0 : extent.Y >= extent.Z ? 1 : 2;
        int mid = (start + end) / 2;
        var span = _order.AsSpan(start, end - start);
        // Partial sort by the axis around the median (a full sort is simpler and fast enough at evaluation sizes).
        var keys = new float[span.Length];
        for (int i = 0; i < span.Length; i++) keys[i] = Get(_points[span[i]], axis);
        keys.AsSpan().Sort(span);
        float split = Get(_points[_order[mid]], axis);
        int left = Build(start, mid);
        int right = Build(mid, end);
        _nodes[index] = new Node(start, end, axis, split, left, right, min, max);
        return index;
    }

    /// <summary>Distance from <paramref name="query"/> to the nearest point.</summary>
    public float NearestDistance(Vector3 query)
    {
        float best = float.MaxValue;
        Search(0, query, ref best);
        return MathF.Sqrt(best);
    }

    private void Search(int nodeIndex, Vector3 q, ref float bestSquared)
    {
        var node = _nodes[nodeIndex];
        if (node.Axis < 0)
        {
            for (int i = node.Start; i < node.End; i++)
            {
                float d = Vector3.DistanceSquared(_points[_order[i]], q);
                if (d < bestSquared) bestSquared = d;
            }
            return;
        }
        float delta = Get(q, node.Axis) - node.Split;
        int near = delta < 0 ? node.Left : node.Right, far = delta < 0 ? node.Right : node.Left;
        if (BoxDistanceSquared(near, q) < bestSquared) Search(near, q, ref bestSquared);
        if (delta * delta < bestSquared && BoxDistanceSquared(far, q) < bestSquared) Search(far, q, ref bestSquared);
    }

    private float BoxDistanceSquared(int nodeIndex, Vector3 q)
    {
        var node = _nodes[nodeIndex];
        var outside = Vector3.Max(Vector3.Zero, Vector3.Max(node.Min - q, q - node.Max));
        return outside.LengthSquared();
    }

    private static float Get(Vector3 v, int axis) => axis == 0 ? v.X : axis == 1 ? v.Y : v.Z;
}
