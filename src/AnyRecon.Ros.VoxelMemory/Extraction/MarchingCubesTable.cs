namespace AnyRecon.Ros.Voxels;

/// <summary>
/// The marching-cubes case table, derived once at start-up from two rules instead of typed in: (1) on each cube
/// face, crossing edges pair up, and on an ambiguous face (diagonal corners inside) each inside corner is cut off by
/// its own segment; (2) the segments chain into closed loops, each fanned into triangles facing the positive (free)
/// side. Rule 1 depends only on the face's four corners, so the two cubes sharing a face always cut it the same
/// way, which makes the mesh watertight (the classic 256-case table lacks this on ambiguous faces).
/// </summary>
/// <remarks>Corner c sits at (c &amp; 1, c &gt;&gt; 1 &amp; 1, c &gt;&gt; 2 &amp; 1); a case's bit c is set when corner c is inside (tsdf &lt; 0).</remarks>
internal static class MarchingCubesTable
{
    /// <summary>Edge e joins corner <see cref="EdgeCorner"/>[e] to that corner plus one step along axis <see cref="EdgeAxis"/>[e].</summary>
    public static readonly int[] EdgeCorner = new int[12];
    public static readonly int[] EdgeAxis = new int[12];

    /// <summary>Triangles per case as edge triples, flattened; <see cref="CaseStart"/>[c]..[c + 1] delimits case c.</summary>
    public static readonly int[] CaseStart = new int[257];
    public static readonly byte[] Triangles;

    static MarchingCubesTable()
    {
        int e = 0;
        for (int axis = 0; axis < 3; axis++)
            for (int corner = 0; corner < 8; corner++)
                if ((corner & (1 << axis)) == 0)
                {
                    EdgeCorner[e] = corner;
                    EdgeAxis[e] = axis;
                    e++;
                }

        var triangles = new List<byte>();
        for (int config = 0; config < 256; config++)
        {
            CaseStart[config] = triangles.Count;
            foreach (var loop in Loops(config)) Fan(loop, config, triangles);
        }
        CaseStart[256] = triangles.Count;
        Triangles = triangles.ToArray();
    }

    private static int EdgeBetween(int a, int b)
    {
        int lo = Math.Min(a, b), axis = System.Numerics.BitOperations.TrailingZeroCount(a ^ b);
        for (int i = 0; i < 12; i++) if (EdgeCorner[i] == lo && EdgeAxis[i] == axis) return i;
        throw new InvalidOperationException("corners are not adjacent");
    }

    private static List<List<int>> Loops(int config)
    {
        var links = new List<int>[12];
        for (int i = 0; i < 12; i++) links[i] = new List<int>(2);
        for (int axis = 0; axis < 3; axis++)
        {
            int b = 1 << ((axis + 1) % 3), c = 1 << ((axis + 2) % 3);
            for (int side = 0; side < 2; side++)
            {
                int s = side << axis;
                int[] q = [s, s | b, s | b | c, s | c];
                bool[] inside = [.. q.Select(corner => (config >> corner & 1) != 0)];
                var crossing = new List<int>();
                for (int k = 0; k < 4; k++) if (inside[k] != inside[(k + 1) % 4]) crossing.Add(k);
                if (crossing.Count == 2)
                {
                    Link(links, EdgeBetween(q[crossing[0]], q[(crossing[0] + 1) % 4]), EdgeBetween(q[crossing[1]], q[(crossing[1] + 1) % 4]));
                }
                else if (crossing.Count == 4)
                {
                    for (int k = 0; k < 4; k++)
                        if (inside[k])
                            Link(links, EdgeBetween(q[(k + 3) % 4], q[k]), EdgeBetween(q[k], q[(k + 1) % 4]));
                }
            }
        }
        var loops = new List<List<int>>();
        var seen = new bool[12];
        for (int start = 0; start < 12; start++)
        {
            if (seen[start] || links[start].Count == 0) continue;
            var loop = new List<int>();
            int previous = -1, current = start;
            while (!seen[current])
            {
                seen[current] = true;
                loop.Add(current);
                int next = links[current][0] != previous ? links[current][0] : links[current][1];
                previous = current;
                current = next;
            }
            loops.Add(loop);
        }
        return loops;
    }

    private static void Link(List<int>[] links, int a, int b)
    {
        links[a].Add(b);
        links[b].Add(a);
    }

    private static (double X, double Y, double Z) Corner(int c) => (c & 1, c >> 1 & 1, c >> 2 & 1);

    /// <summary>Fans a loop, wound counter-clockwise seen from the outside (positive side), so normals point into free space.</summary>
    private static void Fan(List<int> loop, int config, List<byte> triangles)
    {
        // Newell normal of the loop through edge midpoints, compared with the inside-to-outside direction of its edges.
        double nx = 0, ny = 0, nz = 0, ox = 0, oy = 0, oz = 0;
        for (int i = 0; i < loop.Count; i++)
        {
            var a = Midpoint(loop[i]);
            var b = Midpoint(loop[(i + 1) % loop.Count]);
            nx += (a.Y - b.Y) * (a.Z + b.Z);
            ny += (a.Z - b.Z) * (a.X + b.X);
            nz += (a.X - b.X) * (a.Y + b.Y);
            int c0 = EdgeCorner[loop[i]], c1 = c0 | 1 << EdgeAxis[loop[i]];
            bool c0Inside = (config >> c0 & 1) != 0;
            var p0 = Corner(c0);
            var p1 = Corner(c1);
            double sign = c0Inside ? 1 : -1;
            ox += sign * (p1.X - p0.X);
            oy += sign * (p1.Y - p0.Y);
            oz += sign * (p1.Z - p0.Z);
        }
        bool flip = nx * ox + ny * oy + nz * oz < 0;
        for (int i = 1; i + 1 < loop.Count; i++)
        {
            triangles.Add((byte)loop[0]);
            triangles.Add((byte)loop[flip ? i + 1 : i]);
            triangles.Add((byte)loop[flip ? i : i + 1]);
        }
    }

    private static (double X, double Y, double Z) Midpoint(int edge)
    {
        var p = Corner(EdgeCorner[edge]);
        return EdgeAxis[edge] switch
        {
            0 => (p.X + 0.5, p.Y, p.Z),
            1 => (p.X, p.Y + 0.5, p.Z),
            _ => (p.X, p.Y, p.Z + 0.5),
        };
    }
}
