using System.Numerics;
using System.Runtime.Intrinsics;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// Surface points and marching-cubes meshes from a <see cref="VoxelMemory"/>. Both put one vertex on every voxel edge
/// where the fused TSDF changes sign between two voxels with weight &gt; 0, so the point cloud is exactly the mesh's
/// vertex set. Blocks run in parallel; each first copies itself plus a one-voxel border from its neighbour blocks into
/// an 11³ scratch grid, so seams between blocks are read, never guessed. Evicted blocks are read from disk without
/// being made resident, so extraction keeps the block budget.
/// </summary>
public static class SurfaceExtractor
{
    private const int P = 11; // padded grid: local coordinates −1..9
    private const int GridCells = P * P * P;

    /// <summary>|TSDF| at or above which a voxel is not used as a surface sample: it sits at the band's limit.</summary>
    public const float SaturatedTsdf = 0.999f;

    /// <summary>
    /// The blocks whose extraction output can differ after <paramref name="changedBlocks"/> changed (e.g. from
    /// <see cref="VoxelMemory.ChangedBlocksSince"/>, or blocks removed from the map): each changed block and its 26
    /// neighbours, because a block's extraction reads a one-voxel border on every side (vertices on its +x/+y/+z
    /// seams, normals from gradients on all sides). Only blocks that exist are returned.
    /// </summary>
    public static List<BlockIndex> BlocksToReextract(VoxelMemory memory, IEnumerable<BlockIndex> changedBlocks)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var set = new HashSet<BlockIndex>();
        foreach (var b in changedBlocks)
            for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                var at = new BlockIndex(b.X + dx, b.Y + dy, b.Z + dz);
                if (memory.Contains(at)) set.Add(at);
            }
        return set.ToList();
    }

    /// <summary>Surface points of the given blocks (all blocks when null).</summary>
    public static List<SurfacePoint> ExtractPoints(VoxelMemory memory, IEnumerable<BlockIndex>? blocks = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var perBlock = ExtractPointsByBlock(memory, (blocks ?? memory.GetBlockIndices()).ToArray(), maxDegreeOfParallelism);
        var result = new List<SurfacePoint>(perBlock.Sum(p => p?.Count ?? 0));
        foreach (var points in perBlock) if (points is not null) result.AddRange(points);
        return result;
    }

    /// <summary>Surface points of each of <paramref name="blocks"/>, in the same order; null where a block holds none.</summary>
    public static List<SurfacePoint>?[] ExtractPointsByBlock(VoxelMemory memory, IReadOnlyList<BlockIndex> blocks, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(blocks);
        var perBlock = new List<SurfacePoint>?[blocks.Count];
        Parallel.For(0, blocks.Count, Parallelism(maxDegreeOfParallelism), () => new Scratch(), (i, _, scratch) =>
        {
            if (!MayHoldSurface(memory, blocks[i], scratch) || !scratch.Load(memory, blocks[i])) return scratch;
            List<SurfacePoint>? points = null;
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                int a = Cell(x, y, z);
                if (!scratch.Crossable[a]) continue;
                for (int axis = 0; axis < 3; axis++)
                {
                    int b = a + Stride(axis);
                    if (!scratch.Crossable[b] || (scratch.Tsdf[a] < 0) == (scratch.Tsdf[b] < 0)) continue;
                    (points ??= new List<SurfacePoint>()).Add(scratch.EdgeVertex(a, axis));
                }
            }
            perBlock[i] = points;
            return scratch;
        }, _ => { });
        return perBlock;
    }

    /// <summary>Marching-cubes mesh of the given blocks (all blocks when null); vertices are shared across cubes and blocks.</summary>
    public static TriangleMesh ExtractMesh(VoxelMemory memory, IEnumerable<BlockIndex>? blocks = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var list = (blocks ?? memory.GetBlockIndices()).ToArray();
        var perBlock = new BlockMesh?[list.Length];
        var edgeTriangles = MarchingCubesTable.Triangles;
        var caseStart = MarchingCubesTable.CaseStart;
        Parallel.For(0, list.Length, Parallelism(maxDegreeOfParallelism), () => new Scratch(), (i, _, scratch) =>
        {
            if (!MayHoldSurface(memory, list[i], scratch) || !scratch.Load(memory, list[i])) return scratch;
            var slots = scratch.EdgeSlots;
            Array.Fill(slots, -1);
            BlockMesh? mesh = null;
            Span<int> cornerCell = stackalloc int[8];
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                int config = 0;
                bool complete = true;
                for (int c = 0; c < 8; c++)
                {
                    int cell = Cell(x + (c & 1), y + (c >> 1 & 1), z + (c >> 2 & 1));
                    cornerCell[c] = cell;
                    if (!scratch.Crossable[cell]) { complete = false; break; }
                    if (scratch.Tsdf[cell] < 0) config |= 1 << c;
                }
                if (!complete || config == 0 || config == 255) continue;
                mesh ??= new BlockMesh();
                for (int t = caseStart[config]; t < caseStart[config + 1]; t++)
                {
                    int edge = edgeTriangles[t];
                    int corner = MarchingCubesTable.EdgeCorner[edge], axis = MarchingCubesTable.EdgeAxis[edge];
                    int lx = x + (corner & 1), ly = y + (corner >> 1 & 1), lz = z + (corner >> 2 & 1);
                    int slot = ((lz * 9 + ly) * 9 + lx) * 3 + axis;
                    if (slots[slot] < 0)
                    {
                        slots[slot] = mesh.Vertices.Count;
                        mesh.Vertices.Add(scratch.EdgeVertex(cornerCell[corner], axis));
                        var bi = list[i];
                        mesh.Keys.Add(EdgeKey(bi.X * 8 + lx, bi.Y * 8 + ly, bi.Z * 8 + lz, axis));
                    }
                    mesh.Indices.Add(slots[slot]);
                }
            }
            perBlock[i] = mesh;
            return scratch;
        }, _ => { });

        // Merge in input order, so the output is deterministic; an edge on a block face gets one vertex for both blocks.
        var global = new Dictionary<long, int>();
        var vertices = new List<SurfacePoint>();
        var indices = new List<int>();
        var map = new List<int>();
        foreach (var mesh in perBlock)
        {
            if (mesh is null) continue;
            map.Clear();
            for (int v = 0; v < mesh.Vertices.Count; v++)
            {
                if (!global.TryGetValue(mesh.Keys[v], out int id))
                {
                    id = vertices.Count;
                    vertices.Add(mesh.Vertices[v]);
                    global.Add(mesh.Keys[v], id);
                }
                map.Add(id);
            }
            foreach (int local in mesh.Indices) indices.Add(map[local]);
        }
        return new TriangleMesh(vertices.ToArray(), indices.ToArray());
    }

    /// <summary>
    /// False when no zero crossing is possible: every vertex of a block comes from voxels of the block and its
    /// +x/+y/+z neighbours, so if all their weighted voxels share one sign there is nothing to extract. Most blocks
    /// of a carved map are free space, and this vectorised scan is far cheaper than building the padded grid.
    /// </summary>
    private static bool MayHoldSurface(VoxelMemory memory, BlockIndex index, Scratch scratch)
    {
        bool negative = false, positive = false;
        for (int n = 0; n < 8; n++)
        {
            var block = memory.PeekBlock(new BlockIndex(index.X + (n & 1), index.Y + (n >> 1 & 1), index.Z + (n >> 2 & 1)), scratch.Probe);
            if (block is null)
            {
                if (n == 0) return false;
                continue;
            }
            if (block.HasGenerated) return true;
            var w = block.ObservedWeight;
            var t = block.ObservedTsdf;
            var neg = Vector256<float>.Zero;
            var pos = Vector256<float>.Zero;
            for (int i = 0; i < VoxelBlock.N; i += 8)
            {
                var weighted = Vector256.GreaterThan(Vector256.LoadUnsafe(ref w[i]), Vector256<float>.Zero);
                var below = Vector256.LessThan(Vector256.LoadUnsafe(ref t[i]), Vector256<float>.Zero);
                neg |= weighted & below;
                pos |= Vector256.AndNot(weighted, below);
            }
            negative |= neg != Vector256<float>.Zero;
            positive |= pos != Vector256<float>.Zero;
            if (negative && positive) return true;
        }
        return false;
    }

    private static ParallelOptions Parallelism(int max) => new() { MaxDegreeOfParallelism = max };

    private static int Cell(int x, int y, int z) => ((z + 1) * P + (y + 1)) * P + (x + 1);

    private static int Stride(int axis) => axis switch { 0 => 1, 1 => P, _ => P * P };

    // 20 bits per coordinate (±5 km at 1 cm voxels) and 2 for the axis.
    private static long EdgeKey(int x, int y, int z, int axis) =>
        ((long)(x & 0xFFFFF) << 42) | ((long)(y & 0xFFFFF) << 22) | ((long)(z & 0xFFFFF) << 2) | (long)axis;

    private sealed class BlockMesh
    {
        public readonly List<SurfacePoint> Vertices = new();
        public readonly List<long> Keys = new();
        public readonly List<int> Indices = new();
    }

    /// <summary>Per-thread scratch: the padded grid of fused values for one block and its borders.</summary>
    private sealed class Scratch
    {
        public readonly float[] Tsdf = new float[GridCells];
        public readonly float[] Weight = new float[GridCells];

        /// <summary>Whether a surface vertex may sit on an edge of this cell: observed and not at the band's limit (normals still use every observed cell).</summary>
        public readonly bool[] Crossable = new bool[GridCells];
        public readonly byte[] Rgb = new byte[GridCells * 3];
        public readonly byte[] Source = new byte[GridCells];
        public readonly int[] EdgeSlots = new int[9 * 9 * 9 * 3];
        private readonly VoxelBlock?[] _neighbours = new VoxelBlock?[27];
        public readonly VoxelBlock Probe = new(default);
        private readonly VoxelBlock[] _spill = new VoxelBlock[27];
        private int _x0, _y0, _z0;
        private double _voxelSize;

        /// <summary>
        /// A voxel at the truncation limit says only "far from any surface": a sign change next to it comes from a
        /// depth discontinuity (free space seen past an edge beside a voxel behind a surface), not from a measured
        /// surface, so no vertex is put on its edges. Real crossings have both ends within a voxel or two of the
        /// surface, well inside the band.
        /// </summary>
        private static bool Saturated(float tsdf) => MathF.Abs(tsdf) >= SaturatedTsdf;

        public bool Load(VoxelMemory memory, BlockIndex index)
        {
            for (int n = 0; n < 27; n++)
            {
                _spill[n] ??= new VoxelBlock(default);
                var at = new BlockIndex(index.X + n % 3 - 1, index.Y + n / 3 % 3 - 1, index.Z + n / 9 - 1);
                _neighbours[n] = memory.PeekBlock(at, _spill[n]);
            }
            if (_neighbours[13] is null) return false;
            _voxelSize = memory.VoxelSizeMeters;
            (_x0, _y0, _z0) = (index.X * 8, index.Y * 8, index.Z * 8);
            float settled = memory.SettledObservedWeight;
            const int n3 = VoxelBlock.N;
            for (int z = -1; z <= 9; z++)
            {
                int bz = z < 0 ? 0 : z < 8 ? 1 : 2, vz = z & 7;
                for (int y = -1; y <= 9; y++)
                {
                    int by = y < 0 ? 0 : y < 8 ? 1 : 2, vy = y & 7;
                    for (int x = -1; x <= 9; x++)
                    {
                        int bx = x < 0 ? 0 : x < 8 ? 1 : 2, vx = x & 7;
                        int cell = Cell(x, y, z);
                        var block = _neighbours[bz * 9 + by * 3 + bx];
                        if (block is null)
                        {
                            Weight[cell] = 0;
                            Crossable[cell] = false;
                            continue;
                        }
                        int v = BlockIndex.Linear(vx, vy, vz);
                        float ow = block.ObservedWeight[v];
                        var oc = block.ObservedColor;
                        if (!block.HasGenerated)
                        {
                            Tsdf[cell] = block.ObservedTsdf[v];
                            Weight[cell] = ow;
                            Crossable[cell] = ow > 0 && !Saturated(Tsdf[cell]);
                            Source[cell] = (byte)EvidenceChannel.Observed;
                            Rgb[3 * cell] = oc[v]; Rgb[3 * cell + 1] = oc[n3 + v]; Rgb[3 * cell + 2] = oc[2 * n3 + v];
                            continue;
                        }
                        float gw = block.GeneratedWeight![v];
                        Tsdf[cell] = VoxelFusion.Effective(block.ObservedTsdf[v], ow, block.GeneratedTsdf![v], gw, settled, out float w, out var source);
                        Weight[cell] = w;
                        Crossable[cell] = w > 0 && !Saturated(Tsdf[cell]);
                        Source[cell] = (byte)source;
                        var gc = block.GeneratedColor!;
                        for (int ch = 0; ch < 3; ch++)
                            Rgb[3 * cell + ch] = source == EvidenceChannel.Observed
                                ? oc[ch * n3 + v]
                                : (byte)((oc[ch * n3 + v] * ow + gc[ch * n3 + v] * gw) / w + 0.5f);
                    }
                }
            }
            return true;
        }

        /// <summary>Vertex where the TSDF crosses zero between cell a and its neighbour along axis.</summary>
        public SurfacePoint EdgeVertex(int a, int axis)
        {
            int b = a + Stride(axis);
            float ta = Tsdf[a], tb = Tsdf[b];
            float s = ta / (ta - tb);
            int x = a % P - 1, y = a / P % P - 1, z = a / (P * P) - 1;
            // From global voxel coordinates in double, so the block on either side of a seam computes the same float.
            double px = _x0 + x + 0.5 + (axis == 0 ? s : 0), py = _y0 + y + 0.5 + (axis == 1 ? s : 0), pz = _z0 + z + 0.5 + (axis == 2 ? s : 0);
            var position = new Vector3((float)(px * _voxelSize), (float)(py * _voxelSize), (float)(pz * _voxelSize));
            var normal = Vector3.Lerp(Gradient(a), Gradient(b), s);
            float length = normal.Length();
            normal = length > 0 ? normal / length : Vector3.Zero;
            byte Mix(int channel) => (byte)(Rgb[3 * a + channel] + (Rgb[3 * b + channel] - Rgb[3 * a + channel]) * s + 0.5f);
            var source = Source[a] == (byte)EvidenceChannel.Generated || Source[b] == (byte)EvidenceChannel.Generated
                ? EvidenceChannel.Generated : EvidenceChannel.Observed;
            return new SurfacePoint(position, normal, Mix(0), Mix(1), Mix(2), Weight[a] + (Weight[b] - Weight[a]) * s, source);
        }

        private Vector3 Gradient(int cell) => new(Difference(cell, 1), Difference(cell, P), Difference(cell, P * P));

        /// <summary>Central difference where both neighbours are known, one-sided where only one is.</summary>
        private float Difference(int cell, int stride)
        {
            int lo = cell - stride, hi = cell + stride;
            bool hasLo = lo >= 0 && Weight[lo] > 0, hasHi = hi < GridCells && Weight[hi] > 0;
            if (hasLo && hasHi) return (Tsdf[hi] - Tsdf[lo]) * 0.5f;
            if (hasHi) return Tsdf[hi] - Tsdf[cell];
            if (hasLo) return Tsdf[cell] - Tsdf[lo];
            return 0;
        }
    }
}
