using System.Numerics;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>One ranked keyframe: its id, the score and the parts the score is made of.</summary>
/// <param name="Id">Keyframe id.</param>
/// <param name="Score">Σ over shared visible cells of overlap × angle × distance weight; higher is better.</param>
/// <param name="SharedCells">Cells the target sees that the keyframe observed.</param>
/// <param name="Overlap">Σ over those cells of min(blocks the keyframe observed there, blocks of the map there in view).</param>
public readonly record struct RetrievedKeyframe(long Id, double Score, int SharedCells, double Overlap);

/// <summary>
/// Ranks cached keyframes for a target view by 3D overlap through the voxel memory. Space is cut into cells of
/// <see cref="CellBlocks"/>³ voxel blocks (about <see cref="CellMeters"/> on a side); each keyframe is indexed under the cells its observed blocks fall in (with
/// how many), so a query visits only the keyframes that observed what the target's frustum holds: its cost grows
/// with the keyframes that saw that place, not with all keyframes (sublinear as a map grows).
/// </summary>
/// <remarks>
/// Score of keyframe f: Σ over cells c that hold observed blocks (still in the map) inside the target frustum (within <see cref="MaxRangeMeters"/>)
/// of min(n_f(c), n_t(c)) · a(f, c) · r(f, c), where n are the blocks observed by f and the map blocks in view in c;
/// a = max(0, cos θ)² with θ the angle between the rays from f's camera and from the target's camera to c (views of a
/// place from the same side count, from behind do not); r = min(d_f, d_t) / max(d_f, d_t) with d the distances to c
/// (similar resolution). Blocks hidden behind nearer ones (a coarse z-buffer of block centres over a 32×24 grid of the
/// target image) do not count. Not thread-safe: one thread adds and queries (the map's owner).
/// </remarks>
public sealed class ViewRetriever
{
    /// <summary>Target cell edge: a cell holds the blocks of about this much space in each direction.</summary>
    public const double CellMeters = 0.32;

    /// <summary>A retriever for keyframes whose observed blocks are <paramref name="blockSizeMeters"/> on a side (the voxel memory's).</summary>
    public ViewRetriever(double blockSizeMeters)
    {
        if (!(blockSizeMeters > 0) || !double.IsFinite(blockSizeMeters)) throw new ArgumentOutOfRangeException(nameof(blockSizeMeters), blockSizeMeters, "must be > 0");
        _blockSize = blockSizeMeters;
        CellBlocks = Math.Max(1, (int)Math.Round(CellMeters / blockSizeMeters));
    }

    /// <summary>Blocks per cell edge.</summary>
    public int CellBlocks { get; }

    private readonly Dictionary<BlockIndex, List<Posting>> _index = new();
    // Every block some keyframe observed, by cell: what a query z-buffers, without scanning the whole map.
    private readonly Dictionary<BlockIndex, List<BlockIndex>> _cellBlocks = new();
    private readonly HashSet<BlockIndex> _known = new();
    private readonly List<Vector3> _centres = [];
    private readonly List<long> _ids = [];
    private readonly Dictionary<BlockIndex, int> _visible = new();
    private readonly List<BlockIndex> _blocks = [];
    private double[] _scores = [];
    private int[] _shared = [];
    private double[] _overlap = [];
    private readonly List<int> _touched = [];
    private readonly List<(BlockIndex Block, int Grid, float Z)> _inView = [];
    private float[] _zBuffer = [];
    private const int GridX = 32, GridY = 24;
    private readonly double _blockSize;

    private readonly record struct Posting(int Keyframe, int Blocks);

    /// <summary>Cells farther than this from the target camera are not counted. Default 6 m.</summary>
    public double MaxRangeMeters { get; set; } = 6;

    public int Count => _ids.Count;

    /// <summary>Keyframes the last query scored (those that observed a cell in view): its cost, next to <see cref="Count"/>.</summary>
    public int LastQueryCandidates { get; private set; }

    /// <summary>Indexes a keyframe; its <see cref="KeyframeInfo.ObservedBlocks"/> must use the memory's block size.</summary>
    public void Add(KeyframeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        int keyframe = _ids.Count;
        _ids.Add(info.Id);
        var t = info.WorldFromCamera.Translation;
        _centres.Add(new Vector3((float)t.X, (float)t.Y, (float)t.Z));
        // Count blocks per cell: the observed list is sorted by (x, y, z), so cells repeat but not in runs; a small map suffices.
        _visible.Clear();
        foreach (var block in info.ObservedBlocks)
        {
            var cell = CellOf(block);
            CollectionsMarshal.GetValueRefOrAddDefault(_visible, cell, out _)++;
            if (!_known.Add(block)) continue;
            ref var blocks = ref CollectionsMarshal.GetValueRefOrAddDefault(_cellBlocks, cell, out bool had);
            if (!had) blocks = [];
            blocks!.Add(block);
        }
        foreach (var (cell, blocks) in _visible)
        {
            ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, cell, out bool exists);
            if (!exists) list = [];
            list!.Add(new Posting(keyframe, blocks));
        }
        _visible.Clear();
    }

    /// <summary>
    /// The <paramref name="k"/> best keyframes for a camera at <paramref name="worldFromCamera"/>, best first (ties:
    /// lower id). Blocks count only while <paramref name="memory"/> still holds them (carving can remove blocks); with
    /// null, every block a keyframe observed counts.
    /// </summary>
    public IReadOnlyList<RetrievedKeyframe> Query(RigidTransform worldFromCamera, PinholeIntrinsics intrinsics, int k, VoxelMemory? memory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!intrinsics.IsValid) throw new ArgumentException($"invalid intrinsics {intrinsics}", nameof(intrinsics));
        if (_ids.Count == 0) return [];
        if (memory is not null && Math.Abs(memory.BlockSizeMeters - _blockSize) > 1e-12)
            throw new ArgumentException($"the memory's blocks are {memory.BlockSizeMeters} m, the index's {_blockSize} m", nameof(memory));
        double cellSize = _blockSize * CellBlocks;
        var cameraFromWorld = worldFromCamera.Inverse();
        var target = worldFromCamera.Translation;

        // Map blocks in the target frustum, per cell. The map knows no keyframes: this is linear in the map's blocks,
        // bounded by the block budget, and independent of how many keyframes there are.
        // Occlusion, coarsely: a z-buffer of block centres over a grid of the image keeps the blocks within two block
        // lengths of the nearest one in each grid cell, i.e. the first surface the target sees there. Candidates are
        // the observed blocks of the cells in the frustum's bounding box: the cost follows what is in view, not the
        // size of the map or the number of keyframes.
        _visible.Clear();
        CandidateBlocks(worldFromCamera, intrinsics, cellSize);
        double half = _blockSize / 2;
        if (_zBuffer.Length != GridX * GridY) _zBuffer = new float[GridX * GridY];
        Array.Fill(_zBuffer, float.MaxValue);
        _inView.Clear();
        foreach (var block in _blocks)
        {
            if (memory is not null && !memory.Contains(block)) continue;
            var c = cameraFromWorld.Apply(new Vector3d(block.X * _blockSize + half, block.Y * _blockSize + half, block.Z * _blockSize + half));
            if (c.Z <= 0.05 || c.Z > MaxRangeMeters) continue;
            double u = intrinsics.Fx * c.X / c.Z + intrinsics.Cx, v = intrinsics.Fy * c.Y / c.Z + intrinsics.Cy;
            if (u < 0 || v < 0 || u >= intrinsics.Width || v >= intrinsics.Height) continue;
            int g = (int)(v * GridY / intrinsics.Height) * GridX + (int)(u * GridX / intrinsics.Width);
            _inView.Add((block, g, (float)c.Z));
            if (c.Z < _zBuffer[g]) _zBuffer[g] = (float)c.Z;
        }
        float thickness = (float)(2 * _blockSize);
        foreach (var (block, g, z) in _inView)
            if (z <= _zBuffer[g] + thickness) CollectionsMarshal.GetValueRefOrAddDefault(_visible, CellOf(block), out _)++;

        if (_scores.Length < _ids.Count)
        {
            int n = Math.Max(_ids.Count, 2 * _scores.Length);
            _scores = new double[n];
            _shared = new int[n];
            _overlap = new double[n];
        }
        _touched.Clear();
        foreach (var (cell, inView) in _visible)
        {
            if (!_index.TryGetValue(cell, out var postings)) continue;
            var centre = new Vector3d((cell.X + 0.5) * cellSize, (cell.Y + 0.5) * cellSize, (cell.Z + 0.5) * cellSize);
            var fromTarget = centre - target;
            double dt = fromTarget.Length;
            if (dt < 1e-9) continue;
            foreach (var posting in postings)
            {
                var kc = _centres[posting.Keyframe];
                var fromKeyframe = centre - new Vector3d(kc.X, kc.Y, kc.Z);
                double df = fromKeyframe.Length;
                if (df < 1e-9) continue;
                double cos = Vector3d.Dot(fromTarget, fromKeyframe) / (dt * df);
                if (cos <= 0) continue;
                int f = posting.Keyframe;
                if (_shared[f] == 0 && _scores[f] == 0) _touched.Add(f);
                double overlap = Math.Min(posting.Blocks, inView);
                _scores[f] += overlap * cos * cos * Math.Min(df, dt) / Math.Max(df, dt);
                _shared[f]++;
                _overlap[f] += overlap;
            }
        }

        LastQueryCandidates = _touched.Count;
        var ranked = new List<RetrievedKeyframe>(_touched.Count);
        foreach (int f in _touched)
        {
            if (_scores[f] > 0) ranked.Add(new RetrievedKeyframe(_ids[f], _scores[f], _shared[f], _overlap[f]));
            _scores[f] = 0;
            _shared[f] = 0;
            _overlap[f] = 0;
        }
        ranked.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        if (ranked.Count > k) ranked.RemoveRange(k, ranked.Count - k);
        return ranked;
    }

    /// <summary>Observed blocks of the cells whose centre may lie in the frustum (within a cell's radius), into <see cref="_blocks"/>.</summary>
    private void CandidateBlocks(RigidTransform worldFromCamera, PinholeIntrinsics k, double cellSize)
    {
        _blocks.Clear();
        var min = worldFromCamera.Translation;
        var max = min;
        foreach (var (u, v) in new[] { (0.0, 0.0), (k.Width, 0.0), (0.0, k.Height), (k.Width, (double)k.Height) })
        {
            var corner = worldFromCamera.Apply(k.BackProject(u, v, MaxRangeMeters));
            min = new Vector3d(Math.Min(min.X, corner.X), Math.Min(min.Y, corner.Y), Math.Min(min.Z, corner.Z));
            max = new Vector3d(Math.Max(max.X, corner.X), Math.Max(max.Y, corner.Y), Math.Max(max.Z, corner.Z));
        }
        var cameraFromWorld = worldFromCamera.Inverse();
        double radius = cellSize * Math.Sqrt(3) / 2;
        // Frustum side planes through the camera centre, as normalised slopes of the image edges.
        double left = -k.Cx / k.Fx, right = (k.Width - k.Cx) / k.Fx, top = -k.Cy / k.Fy, bottom = (k.Height - k.Cy) / k.Fy;
        double nl = 1 / Math.Sqrt(1 + left * left), nr = 1 / Math.Sqrt(1 + right * right), nt = 1 / Math.Sqrt(1 + top * top), nb = 1 / Math.Sqrt(1 + bottom * bottom);
        int x0 = (int)Math.Floor(min.X / cellSize), x1 = (int)Math.Floor(max.X / cellSize);
        int y0 = (int)Math.Floor(min.Y / cellSize), y1 = (int)Math.Floor(max.Y / cellSize);
        int z0 = (int)Math.Floor(min.Z / cellSize), z1 = (int)Math.Floor(max.Z / cellSize);
        for (int z = z0; z <= z1; z++)
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    if (!_cellBlocks.TryGetValue(new BlockIndex(x, y, z), out var blocks)) continue;
                    var c = cameraFromWorld.Apply(new Vector3d((x + 0.5) * cellSize, (y + 0.5) * cellSize, (z + 0.5) * cellSize));
                    if (c.Z < -radius || c.Z > MaxRangeMeters + radius) continue;
                    if ((c.X - left * c.Z) * nl < -radius || (right * c.Z - c.X) * nr < -radius) continue;
                    if ((c.Y - top * c.Z) * nt < -radius || (bottom * c.Z - c.Y) * nb < -radius) continue;
                    _blocks.AddRange(blocks);
                }
    }

    private BlockIndex CellOf(BlockIndex block) =>
        new(FloorDiv(block.X, CellBlocks), FloorDiv(block.Y, CellBlocks), FloorDiv(block.Z, CellBlocks));

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>The baseline: keyframes nearest the target pose (translation plus <see cref="MetersPerRadian"/> × rotation angle).</summary>
public sealed class NearestPoseRetriever
{
    private readonly List<(long Id, RigidTransform Pose)> _keyframes = [];

    /// <summary>How many metres one radian of rotation counts as. Default 0.5 m.</summary>
    public double MetersPerRadian { get; set; } = 0.5;

    public void Add(KeyframeInfo info) => _keyframes.Add((info.Id, info.WorldFromCamera));

    public IReadOnlyList<RetrievedKeyframe> Query(RigidTransform worldFromCamera, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var ranked = _keyframes.Select(f =>
        {
            double distance = (f.Pose.Translation - worldFromCamera.Translation).Length
                + MetersPerRadian * QuaternionD.AngleBetween(f.Pose.Rotation, worldFromCamera.Rotation);
            return new RetrievedKeyframe(f.Id, -distance, 0, 0);
        }).OrderByDescending(r => r.Score).ThenBy(r => r.Id).Take(k).ToList();
        return ranked;
    }
}
