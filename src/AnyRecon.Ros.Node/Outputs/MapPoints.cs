using System.Numerics;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Node;

/// <summary>The map's surface points as ~/points and ~/get_map give them: observed only on request, thinned to a grid.</summary>
public static class MapPoints
{
    /// <summary>
    /// One point per occupied cell of <paramref name="cellSize"/> metres (the mean position, colour and confidence of
    /// the cell's points; observed if any of them is), in first-seen order. A cell no larger than the map's voxels, or
    /// 0, keeps every point.
    /// </summary>
    public static List<SurfacePoint> Select(List<SurfacePoint> points, bool observedOnly, double cellSize, double voxelSize)
    {
        if (observedOnly) points = points.FindAll(p => p.Source == EvidenceChannel.Observed);
        if (cellSize <= voxelSize * 1.0001 || points.Count == 0) return points;
        float inverse = (float)(1 / cellSize);
        var cells = new Dictionary<(int, int, int), int>(points.Count / 4);
        var sums = new List<(Vector3 Position, Vector3 Color, float Confidence, int Count, bool Observed)>(points.Count / 4);
        foreach (var p in points)
        {
            var key = ((int)MathF.Floor(p.Position.X * inverse), (int)MathF.Floor(p.Position.Y * inverse), (int)MathF.Floor(p.Position.Z * inverse));
            var color = new Vector3(p.R, p.G, p.B);
            bool observed = p.Source == EvidenceChannel.Observed;
            if (cells.TryGetValue(key, out int at))
            {
                var s = sums[at];
                sums[at] = (s.Position + p.Position, s.Color + color, s.Confidence + p.Confidence, s.Count + 1, s.Observed || observed);
            }
            else
            {
                cells[key] = sums.Count;
                sums.Add((p.Position, color, p.Confidence, 1, observed));
            }
        }
        var result = new List<SurfacePoint>(sums.Count);
        foreach (var (position, color, confidence, count, observed) in sums)
        {
            var c = color / count;
            result.Add(new SurfacePoint(position / count, Vector3.Zero, (byte)MathF.Round(c.X), (byte)MathF.Round(c.Y), (byte)MathF.Round(c.Z),
                confidence / count, observed ? EvidenceChannel.Observed : EvidenceChannel.Generated));
        }
        return result;
    }
}
