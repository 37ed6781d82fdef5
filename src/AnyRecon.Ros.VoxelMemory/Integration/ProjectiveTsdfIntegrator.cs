using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// Projective TSDF integration of depth frames into a <see cref="VoxelMemory"/> it is handed (nvblox's
/// ProjectiveTsdfIntegrator split: the integrator owns no map). Two passes: find and allocate the blocks within the
/// truncation band of valid depth, then project every voxel of those blocks (plus existing blocks in the frustum when
/// carving) into the image and update the weighted running average; new blocks with no voxel inside the band are
/// released, so blocks exist where some reading's band reached a voxel centre. Blocks run in parallel, each row of 8
/// voxels as one Vector256.
/// </summary>
/// <remarks>
/// Per voxel, at the nearest pixel: the voxel is updated when depth(pixel) − z ≥ −truncation along the optical axis (so
/// voxels far behind the surface are left alone); the value is tsdf = min(d_ray / truncation, 1) with d_ray the same
/// difference measured along the viewing ray, as KinectFusion and Open3D store it; the frame's weight is 1, or with
/// <see cref="DepthWeighting.InverseSquare"/> min(1, (1 m / z)²) (at least 0.05), and the running weight is capped at
/// <see cref="VoxelMemory.MaxWeight"/>; colour is averaged with the same weights only within the truncation band
/// (free-space voxels see the colour of what is behind them). Generated frames write the generated channel and skip
/// voxels already settled by observation. After each frame the memory's block budget is enforced around the camera.
/// An instance reuses buffers: use one per thread.
/// <para>The hot loops are jitted fully optimised at first use (AggressiveOptimization): tiered compilation would run
/// them unoptimised for the first frames, longer while the host keeps jitting new code.</para>
/// </remarks>
public sealed class ProjectiveTsdfIntegrator
{
    // The truncation band is at most 2 × 16 voxels = 4 blocks long; half-block steps at ray length ≤ 4 need ≤ 33 samples.
    private const int MaxSamplesPerRay = 40;

    // Blocks a thread takes at a time in the update pass.
    private const int WorkChunk = 16;

    private readonly TsdfIntegratorOptions _options;
    private readonly List<VoxelBlock> _work = new();
    private readonly List<VoxelBlock> _frustumResident = new();
    private readonly List<BlockIndex> _frustumResidentIndices = new();
    private readonly List<BlockIndex> _frustumEvicted = new();
    private readonly TileMaxDepth _tileMaxDepth = new();
    private readonly List<int> _created = new();
    private readonly List<BlockIndex> _observed = new();
    private BlockOutcome[] _outcomes = [];

    /// <summary>What updating one block did.</summary>
    [Flags]
    private enum BlockOutcome : byte
    {
        None = 0,

        /// <summary>Some voxel changed.</summary>
        Changed = 1,

        /// <summary>Some voxel lay within the truncation band (|sdf| &lt; truncation).</summary>
        InBand = 2,
    }
    private BlockCollector[] _collectors = [];

    public ProjectiveTsdfIntegrator(TsdfIntegratorOptions? options = null) => _options = options ?? new TsdfIntegratorOptions();

    public TsdfIntegratorOptions Options => _options;

    /// <summary>Whether blocks are updated two rows per Vector512 (on by default where the CPU has AVX-512; tests turn
    /// it off to check both paths give the same bits).</summary>
    internal bool UseVector512 { get; init; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx2.IsSupported;

    /// <summary>Integrates one depth frame (and optional registered colour of the same size) taken at <paramref name="worldFromCamera"/>.</summary>
    public IntegrationResult Integrate(VoxelMemory memory, DepthImage depth, ColorImage? color, PinholeIntrinsics intrinsics,
        RigidTransform worldFromCamera, EvidenceChannel channel = EvidenceChannel.Observed)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(depth);
        if (!intrinsics.IsValid) throw new ArgumentException($"invalid intrinsics {intrinsics}", nameof(intrinsics));
        if (intrinsics.Width != depth.Width || intrinsics.Height != depth.Height)
            throw new ArgumentException($"depth is {depth.Width}x{depth.Height}, intrinsics say {intrinsics.Width}x{intrinsics.Height}", nameof(depth));
        if (color is not null && (color.Width != depth.Width || color.Height != depth.Height))
            throw new ArgumentException($"colour is {color.Width}x{color.Height}, depth is {depth.Width}x{depth.Height}", nameof(color));
        if (!worldFromCamera.IsFinite) throw new ArgumentException("pose is not finite", nameof(worldFromCamera));

        var cameraFromWorld = worldFromCamera.Inverse();
        FindTouchedBlocks(memory, depth, intrinsics, worldFromCamera, cameraFromWorld);

        // The per-thread sets overlap at band borders, and carving blocks overlap the band's: a block joins the work
        // list once, recognised by the frame stamp it carries, so each block costs one map lookup and no set insert.
        long frame = memory.Stamp + 1;
        long evictionsBefore = memory.EvictionCount;
        _work.Clear();
        _created.Clear();
        foreach (var collector in _collectors)
            foreach (var index in collector.Blocks)
            {
                var block = memory.GetOrAllocate(index, out bool created);
                if (block.WorkListStamp == frame) continue;
                block.WorkListStamp = frame;
                if (created) _created.Add(_work.Count);
                _work.Add(block);
            }
        int touchedCount = _work.Count;
        if (_options.Carving == FreeSpaceCarving.ExistingBlocks)
        {
            // The scan kept references to resident blocks; they stay valid unless allocating above evicted some.
            if (memory.EvictionCount == evictionsBefore)
                foreach (var block in _frustumResident)
                {
                    if (block.WorkListStamp == frame) continue;
                    block.WorkListStamp = frame;
                    block.LastUsedStamp = frame;
                    _work.Add(block);
                }
            else
                AddCarvingBlocks(memory, _frustumResidentIndices, frame);
            AddCarvingBlocks(memory, _frustumEvicted, frame);
        }

        long stamp = memory.NextStamp();
        Debug.Assert(stamp == frame);
        var job = new BlockJob(memory, depth, color, intrinsics, cameraFromWorld, channel, stamp, _options, _tileMaxDepth) { UseVector512 = UseVector512 };
        int updated = 0;
        var blocks = _work;
        if (_outcomes.Length < blocks.Count) _outcomes = new BlockOutcome[Math.Max(blocks.Count, 2 * _outcomes.Length)];
        var outcomes = _outcomes;
        int next = 0;
        Parallel.For(0, _options.MaxDegreeOfParallelism, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (_) =>
        {
            // Small chunks taken in turn keep both threads busy to the end: blocks differ a lot in cost (near, far,
            // culled), and a thread pool worker may start late.
            int local = 0;
            for (int start = Interlocked.Add(ref next, WorkChunk) - WorkChunk; start < blocks.Count; start = Interlocked.Add(ref next, WorkChunk) - WorkChunk)
            {
                int end = Math.Min(start + WorkChunk, blocks.Count);
                for (int i = start; i < end; i++)
                {
                    // Blocks are scattered over the heap: start fetching the next one while this one computes.
                    if (i + 1 < end) BlockJob.Prefetch(blocks[i + 1]);
                    // Carving blocks hidden behind the measured surface would only be projected and skipped voxel by voxel.
                    if (i >= touchedCount && job.Occluded(blocks[i]))
                    {
                        outcomes[i] = BlockOutcome.None;
                        continue;
                    }
                    outcomes[i] = job.Update(blocks[i]);
                    if ((outcomes[i] & BlockOutcome.Changed) != 0) local++;
                }
            }
            Interlocked.Add(ref updated, local);
        });
        // The band search allocates a superset; a new block that holds no voxel within this reading's truncation band
        // goes back, so blocks exist exactly where some reading's band passed through a voxel centre.
        _observed.Clear();
        for (int i = 0; i < blocks.Count; i++)
            if ((outcomes[i] & BlockOutcome.InBand) != 0) _observed.Add(blocks[i].Index);
        int allocated = _created.Count;
        foreach (int i in _created)
        {
            if ((outcomes[i] & BlockOutcome.InBand) != 0) continue;
            if ((outcomes[i] & BlockOutcome.Changed) != 0) updated--;
            memory.Remove(blocks[i].Index);
            allocated--;
        }
        // Keep the block budget frame by frame; far blocks are the ones this camera is least likely to touch next.
        if (memory.ResidentBlockCount > memory.MaxBlocksInMemory) memory.EnforceBudget(worldFromCamera.Translation);
        return new IntegrationResult(allocated, updated, stamp);
    }

    /// <summary>
    /// The blocks the last integrated frame observed (some voxel within its truncation band), sorted by (x, y, z) and
    /// distinct, into <paramref name="destination"/>: what a keyframe records for retrieval.
    /// </summary>
    public void GetObservedBlocks(List<BlockIndex> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        destination.AddRange(_observed);
        destination.Sort(static (a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.Z.CompareTo(b.Z));
    }

    /// <summary>Blocks the frame's work list does not hold yet join it (reloaded from disk if evicted) as carving blocks.</summary>
    private void AddCarvingBlocks(VoxelMemory memory, List<BlockIndex> indices, long frame)
    {
        foreach (var index in indices)
        {
            var block = memory.GetOrAllocate(index);
            if (block.WorkListStamp == frame) continue;
            block.WorkListStamp = frame;
            _work.Add(block);
        }
    }

    /// <summary>
    /// Blocks the truncation band around each valid depth reading passes through. An 8×8-pixel tile without a depth edge
    /// (valid depths within one block length of each other) is covered as one frustum chunk, a superset; in tiles with
    /// an edge each ray is sampled at half-block steps, which can miss a block the band only clips between two samples.
    /// </summary>
    /// <remarks>The frustum scan for carving runs alongside as one more work item: it only reads the map.</remarks>
    private void FindTouchedBlocks(VoxelMemory memory, DepthImage depth, PinholeIntrinsics k, RigidTransform worldFromCamera, RigidTransform cameraFromWorld)
    {
        int threads = _options.MaxDegreeOfParallelism;
        // More bands than threads, so the threads stay balanced while one of them also runs the frustum scan.
        int bands = Math.Max(1, Math.Min(threads * 4, depth.Height / 8));
        if (_collectors.Length != bands)
        {
            _collectors = new BlockCollector[bands];
            for (int i = 0; i < bands; i++) _collectors[i] = new BlockCollector();
        }
        var pose = worldFromCamera.ToFloat();
        float trunc = (float)memory.TruncationMeters;
        float invBlock = (float)(1.0 / memory.BlockSizeMeters);
        float blockSize = (float)memory.BlockSizeMeters, halfBlock = blockSize / 2;
        // Depth 0 means "no measurement", so the lower bound stays above zero even when the option is 0.
        float minD = MathF.Max((float)_options.MinIntegrationDistanceMeters, float.Epsilon), maxD = (float)_options.MaxIntegrationDistanceMeters;
        float fx = (float)k.Fx, fy = (float)k.Fy, cx = (float)k.Cx, cy = (float)k.Cy;
        int width = depth.Width, height = depth.Height;
        float[] metres = depth.Metres;
        // One sample count for the whole image, from its longest ray: half-block spacing everywhere, and the
        // samples of eight neighbouring pixels can run as one Vector256.
        double cornerX = Math.Max(Math.Abs(k.Cx), Math.Abs(width - 1 - k.Cx)) / k.Fx, cornerY = Math.Max(Math.Abs(k.Cy), Math.Abs(height - 1 - k.Cy)) / k.Fy;
        float maxRay = (float)Math.Sqrt(1 + cornerX * cornerX + cornerY * cornerY);
        int samples = Math.Clamp((int)MathF.Ceiling(2 * trunc * maxRay / halfBlock) + 1, 2, MaxSamplesPerRay);
        float spacing = 1f / (samples - 1);
        var collectors = _collectors;
        bool carving = _options.Carving == FreeSpaceCarving.ExistingBlocks;
        Parallel.For(carving ? -1 : 0, bands, new ParallelOptions { MaxDegreeOfParallelism = threads }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (band) =>
        {
            if (band < 0)
            {
                _tileMaxDepth.Build(metres, width, height, minD, maxD);
                ScanFrustum(memory, k, cameraFromWorld);
                return;
            }
            var collector = collectors[band];
            collector.Clear();
            int tileRows = (height + 7) / 8;
            int v0 = (int)((long)tileRows * band / bands) * 8, v1 = Math.Min(height, (int)((long)tileRows * (band + 1) / bands) * 8);
            // Sample s of neighbouring pixels almost always lands in the same block, so a per-sample-slot cache of the
            // last block skips nearly all hash-set probes (consecutive samples along one ray differ by design).
            Span<BlockIndex> last = stackalloc BlockIndex[MaxSamplesPerRay];
            last.Fill(new BlockIndex(int.MinValue, 0, 0));
            // Everything in block units, so floor() gives the block index directly.
            var t = pose.T * invBlock;
            var tx = Vector256.Create(t.X); var ty = Vector256.Create(t.Y); var tz = Vector256.Create(t.Z);
            var c0x = Vector256.Create(pose.R00 * invBlock / fx); var c0y = Vector256.Create(pose.R10 * invBlock / fx); var c0z = Vector256.Create(pose.R20 * invBlock / fx);
            var vMinD = Vector256.Create(minD); var vMaxD = Vector256.Create(maxD); var vTrunc = Vector256.Create(trunc);
            var lanes = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
            for (int tileV = v0; tileV < v1; tileV += 8)
            {
                int rows = Math.Min(8, v1 - tileV);
                int u = 0;
                for (; u + 8 <= width; u += 8)
                {
                    // The tile's valid depth range. A tile without a depth edge is covered as one frustum chunk: every
                    // pixel's band lies inside the hull of its corner rays between (min − truncation) and
                    // (max + truncation), so the blocks of that hull's bounding box are a superset of the blocks its
                    // bands pass through (those without a band voxel are released after the update). Up to a block of
                    // depth spread (far noisy depth has centimetres) the box is barely larger than the sampled set.
                    var lo = Vector256.Create(float.MaxValue); var hi = Vector256<float>.Zero;
                    for (int r = 0; r < rows; r++)
                    {
                        var d = Vector256.LoadUnsafe(ref metres[(tileV + r) * width + u]);
                        var valid = Vector256.GreaterThanOrEqual(d, vMinD) & Vector256.LessThanOrEqual(d, vMaxD);
                        lo = Vector256.ConditionalSelect(valid, Vector256.MinNative(lo, d), lo);
                        hi = Vector256.ConditionalSelect(valid, Vector256.MaxNative(hi, d), hi);
                    }
                    float dMin = HorizontalMin(lo), dMax = HorizontalMax(hi);
                    if (dMax == 0) continue;
                    if (dMax - dMin <= blockSize)
                    {
                        AddChunk(collector, u, u + 7, tileV, tileV + rows - 1, MathF.Max(dMin - trunc, minD), dMax + trunc);
                        continue;
                    }
                    for (int v = tileV; v < tileV + rows; v++)
                    {
                        float ry = (v - cy) / fy;
                        // Ray direction at column u is b + (u − cx)·c0, with c0 the camera x axis (already divided by fx).
                        var b = pose.Rotate(new Vector3(0, ry, 1f)) * invBlock;
                        var bx = Vector256.Create(b.X); var by = Vector256.Create(b.Y); var bz = Vector256.Create(b.Z);
                        var d = Vector256.LoadUnsafe(ref metres[v * width + u]);
                        // NaN compares false, so missing depth drops out here.
                        var validMask = (Vector256.GreaterThanOrEqual(d, vMinD) & Vector256.LessThanOrEqual(d, vMaxD)).AsInt32();
                        if (validMask == Vector256<int>.Zero) continue;
                        var rx = Vector256.Create(u - cx) + lanes;
                        var dx = bx + rx * c0x; var dy = by + rx * c0y; var dz = bz + rx * c0z;
                        var z0 = Vector256.MaxNative(d - vTrunc, vMinD);
                        var step = (d + vTrunc - z0) * Vector256.Create(spacing);
                        for (int s = 0; s < samples; s++)
                        {
                            var z = z0 + step * Vector256.Create((float)s);
                            var ix = Vector256.ConvertToInt32Native(Vector256.Floor(tx + dx * z));
                            var iy = Vector256.ConvertToInt32Native(Vector256.Floor(ty + dy * z));
                            var iz = Vector256.ConvertToInt32Native(Vector256.Floor(tz + dz * z));
                            // Usually all eight neighbouring samples fall in the block this slot saw last: one vector test
                            // skips them; otherwise each distinct block among the lanes is taken once.
                            ref var seen = ref last[s];
                            var pending = validMask & ~(Vector256.Equals(ix, Vector256.Create(seen.X)) & Vector256.Equals(iy, Vector256.Create(seen.Y)) & Vector256.Equals(iz, Vector256.Create(seen.Z)));
                            while (pending != Vector256<int>.Zero)
                            {
                                int lane = BitOperations.TrailingZeroCount(pending.ExtractMostSignificantBits());
                                seen = new BlockIndex(ix.GetElement(lane), iy.GetElement(lane), iz.GetElement(lane));
                                collector.Add(seen);
                                pending &= ~(Vector256.Equals(ix, Vector256.Create(seen.X)) & Vector256.Equals(iy, Vector256.Create(seen.Y)) & Vector256.Equals(iz, Vector256.Create(seen.Z)));
                            }
                        }
                    }
                }
                for (int v = tileV; v < tileV + rows; v++)
                {
                    float ry = (v - cy) / fy;
                    var b = pose.Rotate(new Vector3(0, ry, 1f)) * invBlock;
                    for (int x = u; x < width; x++)
                    {
                        float d = metres[v * width + x];
                        if (!(d >= minD && d <= maxD)) continue;
                        float rx = x - cx;
                        var dir = new Vector3(b.X + rx * c0x[0], b.Y + rx * c0y[0], b.Z + rx * c0z[0]);
                        float z0 = MathF.Max(d - trunc, minD), step = (d + trunc - z0) * spacing;
                        for (int s = 0; s < samples; s++)
                        {
                            var p = t + dir * (z0 + step * s);
                            var index = new BlockIndex((int)MathF.Floor(p.X), (int)MathF.Floor(p.Y), (int)MathF.Floor(p.Z));
                            if (index == last[s]) continue;
                            last[s] = index;
                            collector.Add(index);
                        }
                    }
                }
            }

            // Blocks of the bounding box of the chunk between pixel columns u0..u1, rows v0..v1 and depths z0..z1.
            void AddChunk(BlockCollector into, int cu0, int cu1, int cv0, int cv1, float z0, float z1)
            {
                var min = new Vector3(float.MaxValue); var max = new Vector3(float.MinValue);
                for (int c = 0; c < 4; c++)
                {
                    float ru = ((c & 1) == 0 ? cu0 : cu1) - cx, rv = ((c & 2) == 0 ? cv0 : cv1) - cy;
                    var dir = (pose.Rotate(new Vector3(ru / fx, rv / fy, 1f))) * invBlock;
                    var near = t + dir * z0; var far = t + dir * z1;
                    min = Vector3.Min(min, Vector3.Min(near, far)); max = Vector3.Max(max, Vector3.Max(near, far));
                }
                // A little slack: the per-pixel arithmetic this replaces rounds differently.
                int x0 = (int)MathF.Floor(min.X - 1e-4f), x1 = (int)MathF.Floor(max.X + 1e-4f);
                int y0 = (int)MathF.Floor(min.Y - 1e-4f), y1 = (int)MathF.Floor(max.Y + 1e-4f);
                int zz0 = (int)MathF.Floor(min.Z - 1e-4f), zz1 = (int)MathF.Floor(max.Z + 1e-4f);
                for (int bz = zz0; bz <= zz1; bz++)
                    for (int by = y0; by <= y1; by++)
                        for (int bx = x0; bx <= x1; bx++)
                            into.Add(new BlockIndex(bx, by, bz));
            }
        });
    }

    private static float HorizontalMin(Vector256<float> v)
    {
        var h = Vector128.MinNative(v.GetLower(), v.GetUpper());
        return MathF.Min(MathF.Min(h[0], h[1]), MathF.Min(h[2], h[3]));
    }

    private static float HorizontalMax(Vector256<float> v)
    {
        var h = Vector128.MaxNative(v.GetLower(), v.GetUpper());
        return MathF.Max(MathF.Max(h[0], h[1]), MathF.Max(h[2], h[3]));
    }

    /// <summary>
    /// Existing blocks (resident or evicted) that may be in view, into <see cref="_frustumResident"/> and <see cref="_frustumEvicted"/>. Conservative: a block
    /// is kept if the sphere around its voxel centres may project onto a pixel within range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScanFrustum(VoxelMemory memory, PinholeIntrinsics k, RigidTransform cameraFromWorld)
    {
        double vs = memory.VoxelSizeMeters, bs = memory.BlockSizeMeters;
        // The block's voxel-centre sphere, plus slack for computing centres in single precision.
        float radius = (float)(3.5 * vs * Math.Sqrt(3) + 1e-4);
        // Nearest-pixel rounding accepts u in [−0.5, width − 0.5).
        float left = (float)((-0.5 - k.Cx) / k.Fx), right = (float)((k.Width - 0.5 - k.Cx) / k.Fx);
        float top = (float)((-0.5 - k.Cy) / k.Fy), bottom = (float)((k.Height - 0.5 - k.Cy) / k.Fy);
        float nl = 1 / MathF.Sqrt(1 + left * left), nr = 1 / MathF.Sqrt(1 + right * right);
        float nt = 1 / MathF.Sqrt(1 + top * top), nb = 1 / MathF.Sqrt(1 + bottom * bottom);
        float maxZ = (float)(_options.MaxIntegrationDistanceMeters + memory.TruncationMeters);
        // Camera coordinates of a block centre are affine in its integer index: c = A·index + c0.
        var r = cameraFromWorld.ToFloat();
        var ax = new Vector3(r.R00, r.R10, r.R20) * (float)bs;
        var ay = new Vector3(r.R01, r.R11, r.R21) * (float)bs;
        var az = new Vector3(r.R02, r.R12, r.R22) * (float)bs;
        var c0 = cameraFromWorld.Apply(new Vector3d(bs / 2, bs / 2, bs / 2)).ToFloat();
        _frustumResident.Clear();
        _frustumResidentIndices.Clear();
        _frustumEvicted.Clear();
        foreach (var block in memory.ResidentBlocks)
            if (InView(block.Index))
            {
                _frustumResident.Add(block);
                _frustumResidentIndices.Add(block.Index);
            }
        // Evicted blocks count too (the index is in RAM): carving must not depend on what happens to be resident.
        foreach (var index in memory.EvictedIndices)
            if (InView(index)) _frustumEvicted.Add(index);

        bool InView(BlockIndex index)
        {
            var c = c0 + ax * index.X + ay * index.Y + az * index.Z;
            if (c.Z < -radius || c.Z > maxZ + radius) return false;
            if ((c.X - left * c.Z) * nl < -radius || (right * c.Z - c.X) * nr < -radius) return false;
            return (c.Y - top * c.Z) * nt >= -radius && (bottom * c.Z - c.Y) * nb >= -radius;
        }
    }

    /// <summary>
    /// The farthest valid depth in each 8×8-pixel tile of a frame (0 where a tile has none): a conservative bound on
    /// what any pixel of a screen rectangle measured, for culling whole blocks.
    /// </summary>
    private sealed class TileMaxDepth
    {
        private const int Tile = 8;
        private float[] _max = [];
        private int _tilesX;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Build(float[] metres, int width, int height, float minD, float maxD)
        {
            _tilesX = (width + Tile - 1) / Tile;
            int tilesY = (height + Tile - 1) / Tile;
            if (_max.Length != _tilesX * tilesY) _max = new float[_tilesX * tilesY];
            var vMin = Vector256.Create(minD);
            var vMax = Vector256.Create(maxD);
            for (int ty = 0; ty < tilesY; ty++)
            {
                int rows = Math.Min(Tile, height - ty * Tile);
                for (int tx = 0; tx < _tilesX; tx++)
                {
                    int u = tx * Tile;
                    float m = 0;
                    if (u + Tile <= width)
                    {
                        var acc = Vector256<float>.Zero;
                        for (int r = 0; r < rows; r++)
                        {
                            var d = Vector256.LoadUnsafe(ref metres[(ty * Tile + r) * width + u]);
                            // NaN, missing and out-of-range readings drop out (they update no voxel).
                            acc = Vector256.MaxNative(acc, d & (Vector256.GreaterThanOrEqual(d, vMin) & Vector256.LessThanOrEqual(d, vMax)));
                        }
                        var half = Vector128.MaxNative(acc.GetLower(), acc.GetUpper());
                        m = MathF.Max(MathF.Max(half[0], half[1]), MathF.Max(half[2], half[3]));
                    }
                    else
                    {
                        for (int r = 0; r < rows; r++)
                            for (int x = u; x < width; x++)
                            {
                                float d = metres[(ty * Tile + r) * width + x];
                                if (d >= minD && d <= maxD && d > m) m = d;
                            }
                    }
                    _max[ty * _tilesX + tx] = m;
                }
            }
        }

        /// <summary>The largest tile maximum over the pixel rectangle [u0, u1] × [v0, v1] (inclusive, inside the image).</summary>
        public float Max(int u0, int v0, int u1, int v1)
        {
            float m = 0;
            for (int ty = v0 / Tile; ty <= v1 / Tile; ty++)
                for (int tx = u0 / Tile; tx <= u1 / Tile; tx++)
                    m = MathF.Max(m, _max[ty * _tilesX + tx]);
            return m;
        }
    }

    /// <summary>
    /// One thread's set of touched blocks. A frame names each block about ten times (neighbouring rays, rows), so a
    /// direct-mapped cache of recent blocks answers most repeats before the hash set is probed.
    /// </summary>
    private sealed class BlockCollector
    {
        private const int CacheSize = 1024;
        private readonly BlockIndex[] _recent = new BlockIndex[CacheSize];

        public HashSet<BlockIndex> Blocks { get; } = new();

        public void Clear()
        {
            Blocks.Clear();
            _recent.AsSpan().Fill(new BlockIndex(int.MinValue, int.MinValue, int.MinValue));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(BlockIndex index)
        {
            int slot = (int)((uint)(index.X * 73856093 ^ index.Y * 19349663 ^ index.Z * 83492791) & (CacheSize - 1));
            ref var recent = ref _recent[slot];
            if (recent == index) return;
            recent = index;
            Blocks.Add(index);
        }
    }

    /// <summary>Per-frame constants shared by the block workers.</summary>
    private sealed class BlockJob
    {
        private readonly float[] _depth;
        private readonly byte[]? _rgb;
        private readonly int _width, _height;
        private readonly float _fx, _fy, _cx, _cy, _trunc, _invTrunc, _minD, _maxD, _maxWeight, _settled;
        private readonly RigidTransform _cameraFromWorld;
        private readonly Vector3 _stepX, _stepY, _stepZ;
        private readonly EvidenceChannel _channel;
        private readonly DepthWeighting _depthWeighting;
        private readonly TileMaxDepth _tileMaxDepth;
        private readonly long _stamp;
        private readonly double _voxelSize;

        public BlockJob(VoxelMemory memory, DepthImage depth, ColorImage? color, PinholeIntrinsics k, RigidTransform cameraFromWorld,
            EvidenceChannel channel, long stamp, TsdfIntegratorOptions options, TileMaxDepth tileMaxDepth)
        {
            _tileMaxDepth = tileMaxDepth;
            _depth = depth.Metres;
            _rgb = color?.Rgb;
            _width = depth.Width;
            _height = depth.Height;
            _fx = (float)k.Fx; _fy = (float)k.Fy; _cx = (float)k.Cx; _cy = (float)k.Cy;
            _trunc = (float)memory.TruncationMeters;
            _invTrunc = 1f / _trunc;
            _minD = MathF.Max((float)options.MinIntegrationDistanceMeters, float.Epsilon);
            _maxD = (float)options.MaxIntegrationDistanceMeters;
            _maxWeight = memory.MaxWeight;
            _settled = memory.SettledObservedWeight;
            _cameraFromWorld = cameraFromWorld;
            _voxelSize = memory.VoxelSizeMeters;
            var r = cameraFromWorld.ToFloat();
            float vs = (float)memory.VoxelSizeMeters;
            _stepX = new Vector3(r.R00, r.R10, r.R20) * vs;
            _stepY = new Vector3(r.R01, r.R11, r.R21) * vs;
            _stepZ = new Vector3(r.R02, r.R12, r.R22) * vs;
            _channel = channel;
            _depthWeighting = options.DepthWeighting;
            _stamp = stamp;
        }

        private static readonly Vector256<float> s_lanes = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);

        /// <summary>Asks the CPU to start loading the first lines of a block's observed arrays (a hint: never faults, never blocks).</summary>
        public static unsafe void Prefetch(VoxelBlock block)
        {
            if (!Sse.IsSupported) return;
            PrefetchLines(ref Unsafe.As<float, byte>(ref MemoryMarshal.GetArrayDataReference(block.ObservedTsdf)));
            PrefetchLines(ref Unsafe.As<float, byte>(ref MemoryMarshal.GetArrayDataReference(block.ObservedWeight)));
            PrefetchLines(ref MemoryMarshal.GetArrayDataReference(block.ObservedColor));

            static void PrefetchLines(ref byte start)
            {
                byte* p = (byte*)Unsafe.AsPointer(ref start);
                for (int line = 0; line < 4; line++) Sse.Prefetch0(p + line * 64);
            }
        }

        /// <summary>Camera coordinates of the block's voxel (0, 0, 0); the block origin is taken in double, so blocks far
        /// from the world origin keep sub-millimetre voxel positions.</summary>
        private Vector3 FirstVoxelInCamera(VoxelBlock block)
        {
            var idx = block.Index;
            var origin = new Vector3d((idx.X * 8 + 0.5) * _voxelSize, (idx.Y * 8 + 0.5) * _voxelSize, (idx.Z * 8 + 0.5) * _voxelSize);
            return _cameraFromWorld.Apply(origin).ToFloat();
        }

        /// <summary>
        /// True when no voxel of the block can be updated: every voxel centre lies more than the truncation behind the
        /// farthest valid depth in the image tiles its corners project onto (or the block projects outside the image).
        /// Exact, not a heuristic: a voxel is updated only when depth − z ≥ −truncation at its own pixel, which lies in
        /// those tiles. Blocks reaching the camera plane are never culled.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Occluded(VoxelBlock block)
        {
            var p0 = FirstVoxelInCamera(block);
            float minZ = float.MaxValue, uMin = float.MaxValue, uMax = float.MinValue, vMin = float.MaxValue, vMax = float.MinValue;
            for (int c = 0; c < 8; c++)
            {
                var p = p0 + _stepX * ((c & 1) * 7) + _stepY * ((c >> 1 & 1) * 7) + _stepZ * ((c >> 2 & 1) * 7);
                if (p.Z <= _minD) return false;
                minZ = MathF.Min(minZ, p.Z);
                float u = _fx * p.X / p.Z + _cx, v = _fy * p.Y / p.Z + _cy;
                uMin = MathF.Min(uMin, u); uMax = MathF.Max(uMax, u);
                vMin = MathF.Min(vMin, v); vMax = MathF.Max(vMax, v);
            }
            // One pixel of slack each way covers nearest-pixel rounding and float differences from Update's arithmetic.
            if (uMax < -1.5f || vMax < -1.5f || uMin > _width + 0.5f || vMin > _height + 0.5f) return true;
            int u0 = Math.Clamp((int)MathF.Floor(uMin) - 1, 0, _width - 1), u1 = Math.Clamp((int)MathF.Ceiling(uMax) + 1, 0, _width - 1);
            int v0 = Math.Clamp((int)MathF.Floor(vMin) - 1, 0, _height - 1), v1 = Math.Clamp((int)MathF.Ceiling(vMax) + 1, 0, _height - 1);
            return minZ - _trunc > _tileMaxDepth.Max(u0, v0, u1, v1) + 1e-3f;
        }

        /// <summary>Updates one block: two rows per Vector512 where the CPU has AVX-512, else one row per Vector256
        /// (<see cref="UseVector512"/>); both give identical bits.</summary>
        public BlockOutcome Update(VoxelBlock block) => UseVector512 ? UpdateTwoRows(block) : UpdateOneRow(block);

        /// <summary>Whether <see cref="Update"/> takes the AVX-512 path.</summary>
        public bool UseVector512 { get; init; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe BlockOutcome UpdateOneRow(VoxelBlock block)
        {
            bool generated = _channel == EvidenceChannel.Generated;
            if (generated) block.EnsureGenerated();
            float[] tsdf = generated ? block.GeneratedTsdf! : block.ObservedTsdf;
            float[] weight = generated ? block.GeneratedWeight! : block.ObservedWeight;
            byte[] color = generated ? block.GeneratedColor! : block.ObservedColor;
            float[] observedWeight = block.ObservedWeight;

            var p0 = FirstVoxelInCamera(block);

            var laneX = Vector256.Create(_stepX.X) * s_lanes;
            var laneY = Vector256.Create(_stepX.Y) * s_lanes;
            var laneZ = Vector256.Create(_stepX.Z) * s_lanes;
            var fx = Vector256.Create(_fx); var fy = Vector256.Create(_fy);
            var cxh = Vector256.Create(_cx + 0.5f); var cyh = Vector256.Create(_cy + 0.5f);
            var minD = Vector256.Create(_minD);
            var maxD = Vector256.Create(_maxD);
            var widthV = Vector256.Create(_width); var heightV = Vector256.Create(_height);
            var negTrunc = Vector256.Create(-_trunc);
            var invTrunc = Vector256.Create(_invTrunc);
            var one = Vector256<float>.One;
            var maxW = Vector256.Create(_maxWeight);
            var settled = Vector256.Create(_settled);
            var trunc = Vector256.Create(_trunc);
            var weightedByDepth = _depthWeighting == DepthWeighting.InverseSquare;
            var minFrameWeight = Vector256.Create(TsdfIntegratorOptions.MinFrameWeight);
            var unitDepth = Vector256.Create((float)TsdfIntegratorOptions.UnitWeightDepthMeters);
            var lastPixel = Vector256.Create(_width * _height - 1);
            Span<int> pixel = stackalloc int[8];
            Span<float> sample = stackalloc float[8];
            bool changed = false;
            var inBand = Vector256<float>.Zero;

            // Pinned once per block rather than per row: the gathers below read them through pointers.
            fixed (float* depthBase = _depth)
            fixed (byte* rgbBase = _rgb)
            {
                for (int z = 0; z < 8; z++)
                {
                    for (int y = 0; y < 8; y++)
                    {
                        var row = p0 + _stepY * y + _stepZ * z;
                        var cz = Vector256.Create(row.Z) + laneZ;
                        var front = Vector256.GreaterThan(cz, minD);
                        if (front == Vector256<float>.Zero) continue;
                        var invZ = one / cz;
                        var cx = Vector256.Create(row.X) + laneX;
                        var cy = Vector256.Create(row.Y) + laneY;
                        var ui = Vector256.ConvertToInt32Native(Vector256.Floor(fx * cx * invZ + cxh));
                        var vi = Vector256.ConvertToInt32Native(Vector256.Floor(fy * cy * invZ + cyh));
                        var inside = front.AsInt32()
                            & Vector256.GreaterThanOrEqual(ui, Vector256<int>.Zero) & Vector256.LessThan(ui, widthV)
                            & Vector256.GreaterThanOrEqual(vi, Vector256<int>.Zero) & Vector256.LessThan(vi, heightV);
                        if (inside == Vector256<int>.Zero) continue;

                        var pix = vi * widthV + ui;
                        Vector256<float> depth;
                        if (Avx2.IsSupported)
                        {
                            depth = Avx2.GatherMaskVector256(Vector256<float>.Zero, depthBase, pix, inside.AsSingle(), 4);
                        }
                        else
                        {
                            pix.StoreUnsafe(ref pixel[0]);
                            uint insideBits = inside.ExtractMostSignificantBits();
                            for (int lane = 0; lane < 8; lane++) sample[lane] = (insideBits & (1u << lane)) != 0 ? _depth[pixel[lane]] : 0f;
                            depth = Vector256.Create<float>(sample);
                        }
                        // Out-of-range, missing (0) and NaN depth all fail this test.
                        var measured = Vector256.GreaterThanOrEqual(depth, minD) & Vector256.LessThanOrEqual(depth, maxD) & inside.AsSingle();
                        // Which voxels an observation updates is decided along the optical axis (a fixed band behind the
                        // measured point); the value stored is the distance along the viewing ray, as KinectFusion and
                        // Open3D store it, which is closer to the Euclidean distance at the image edges.
                        var axial = depth - cz;
                        var alongRay = axial * Vector256.Sqrt(cx * cx + cy * cy + cz * cz) * invZ;
                        // NaN compares false, so missing depth drops out here.
                        var mask = Vector256.GreaterThanOrEqual(axial, negTrunc) & measured;
                        int rowStart = (z * 8 + y) * 8;
                        if (generated) mask &= Vector256.LessThan(Vector256.LoadUnsafe(ref observedWeight[rowStart]), settled);
                        if (mask == Vector256<float>.Zero) continue;

                        var t = Vector256.MinNative(alongRay * invTrunc, one);
                        var oldT = Vector256.LoadUnsafe(ref tsdf[rowStart]);
                        var oldW = Vector256.LoadUnsafe(ref weight[rowStart]);
                        // Depth noise grows with distance, so far readings count for less (see DepthWeighting).
                        var w = weightedByDepth ? Vector256.MaxNative(minFrameWeight, Vector256.MinNative(one, unitDepth * unitDepth * invZ * invZ)) : one;
                        var sumW = oldW + w;
                        // One reciprocal serves the distance and the three colour averages.
                        var inv = one / sumW;
                        var newT = (oldT * oldW + t * w) * inv;
                        var newW = Vector256.MinNative(sumW, maxW);
                        Vector256.ConditionalSelect(mask, newT, oldT).StoreUnsafe(ref tsdf[rowStart]);
                        Vector256.ConditionalSelect(mask, newW, oldW).StoreUnsafe(ref weight[rowStart]);
                        changed = true;

                        var near = mask & Vector256.LessThan(axial, trunc);
                        inBand |= near;
                        if (_rgb is null || near == Vector256<float>.Zero) continue;
                        // A 4-byte gather at the image's last pixel would read one byte past the buffer: that row goes scalar.
                        if (Avx2.IsSupported && (Vector256.Equals(pix, lastPixel) & near.AsInt32()) == Vector256<int>.Zero)
                        {
                            var packed = Avx2.GatherMaskVector256(Vector256<int>.Zero, (int*)rgbBase, pix * 3, near.AsInt32(), 1);
                            var keep = NarrowToBytes(near.AsInt32());
                            var low = Vector256.Create(0xFF);
                            BlendPlane(ref color[rowStart], Vector256.ConvertToSingle(packed & low) * w, oldW, inv, keep);
                            BlendPlane(ref color[VoxelBlock.N + rowStart], Vector256.ConvertToSingle(Vector256.ShiftRightLogical(packed, 8) & low) * w, oldW, inv, keep);
                            BlendPlane(ref color[2 * VoxelBlock.N + rowStart], Vector256.ConvertToSingle(Vector256.ShiftRightLogical(packed, 16) & low) * w, oldW, inv, keep);
                            continue;
                        }
                        uint nearBits = near.ExtractMostSignificantBits();
                        while (nearBits != 0)
                        {
                            int lane = BitOperations.TrailingZeroCount(nearBits);
                            nearBits &= nearBits - 1;
                            BlendColor(color, rowStart + lane, pix.GetElement(lane) * 3, oldW.GetElement(lane), w.GetElement(lane));
                        }
                    }
                }
            }
            if (changed) block.ChangedStamp = _stamp;
            return (changed ? BlockOutcome.Changed : BlockOutcome.None) | (inBand != Vector256<float>.Zero ? BlockOutcome.InBand : BlockOutcome.None);
        }

        /// <summary>
        /// <see cref="UpdateOneRow"/> with rows y and y + 1 (16 contiguous voxels) in one Vector512: the same arithmetic
        /// lane by lane, so the same bits. AVX2 gathers (.NET exposes no 512-bit gather) read the two halves.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe BlockOutcome UpdateTwoRows(VoxelBlock block)
        {
            bool generated = _channel == EvidenceChannel.Generated;
            if (generated) block.EnsureGenerated();
            float[] tsdf = generated ? block.GeneratedTsdf! : block.ObservedTsdf;
            float[] weight = generated ? block.GeneratedWeight! : block.ObservedWeight;
            byte[] color = generated ? block.GeneratedColor! : block.ObservedColor;
            float[] observedWeight = block.ObservedWeight;

            var p0 = FirstVoxelInCamera(block);

            var lanes = Vector512.Create(s_lanes, s_lanes);
            var laneX = Vector512.Create(_stepX.X) * lanes;
            var laneY = Vector512.Create(_stepX.Y) * lanes;
            var laneZ = Vector512.Create(_stepX.Z) * lanes;
            var fx = Vector512.Create(_fx); var fy = Vector512.Create(_fy);
            var cxh = Vector512.Create(_cx + 0.5f); var cyh = Vector512.Create(_cy + 0.5f);
            var minD = Vector512.Create(_minD);
            var maxD = Vector512.Create(_maxD);
            var widthV = Vector512.Create(_width); var heightV = Vector512.Create(_height);
            var negTrunc = Vector512.Create(-_trunc);
            var invTrunc = Vector512.Create(_invTrunc);
            var one = Vector512<float>.One;
            var maxW = Vector512.Create(_maxWeight);
            var settled = Vector512.Create(_settled);
            var trunc = Vector512.Create(_trunc);
            var weightedByDepth = _depthWeighting == DepthWeighting.InverseSquare;
            var minFrameWeight = Vector512.Create(TsdfIntegratorOptions.MinFrameWeight);
            var unitDepth = Vector512.Create((float)TsdfIntegratorOptions.UnitWeightDepthMeters);
            var lastPixel = Vector512.Create(_width * _height - 1);
            var low = Vector512.Create(0xFF);
            bool changed = false;
            var inBand = Vector512<float>.Zero;

            fixed (float* depthBase = _depth)
            fixed (byte* rgbBase = _rgb)
            {
                for (int z = 0; z < 8; z++)
                {
                    for (int y = 0; y < 8; y += 2)
                    {
                        // Each row's origin as UpdateOneRow computes it, so every lane sees the same float operations.
                        var rowA = p0 + _stepY * y + _stepZ * z;
                        var rowB = p0 + _stepY * (y + 1) + _stepZ * z;
                        var cz = Vector512.Create(Vector256.Create(rowA.Z), Vector256.Create(rowB.Z)) + laneZ;
                        var front = Vector512.GreaterThan(cz, minD);
                        if (front == Vector512<float>.Zero) continue;
                        var invZ = one / cz;
                        var cx = Vector512.Create(Vector256.Create(rowA.X), Vector256.Create(rowB.X)) + laneX;
                        var cy = Vector512.Create(Vector256.Create(rowA.Y), Vector256.Create(rowB.Y)) + laneY;
                        var ui = Vector512.ConvertToInt32Native(Vector512.Floor(fx * cx * invZ + cxh));
                        var vi = Vector512.ConvertToInt32Native(Vector512.Floor(fy * cy * invZ + cyh));
                        var inside = front.AsInt32()
                            & Vector512.GreaterThanOrEqual(ui, Vector512<int>.Zero) & Vector512.LessThan(ui, widthV)
                            & Vector512.GreaterThanOrEqual(vi, Vector512<int>.Zero) & Vector512.LessThan(vi, heightV);
                        if (inside == Vector512<int>.Zero) continue;

                        var pix = vi * widthV + ui;
                        var depth = Vector512.Create(
                            Avx2.GatherMaskVector256(Vector256<float>.Zero, depthBase, pix.GetLower(), inside.GetLower().AsSingle(), 4),
                            Avx2.GatherMaskVector256(Vector256<float>.Zero, depthBase, pix.GetUpper(), inside.GetUpper().AsSingle(), 4));
                        var measured = Vector512.GreaterThanOrEqual(depth, minD) & Vector512.LessThanOrEqual(depth, maxD) & inside.AsSingle();
                        var axial = depth - cz;
                        var alongRay = axial * Vector512.Sqrt(cx * cx + cy * cy + cz * cz) * invZ;
                        var mask = Vector512.GreaterThanOrEqual(axial, negTrunc) & measured;
                        int rowStart = (z * 8 + y) * 8;
                        if (generated) mask &= Vector512.LessThan(Vector512.LoadUnsafe(ref observedWeight[rowStart]), settled);
                        if (mask == Vector512<float>.Zero) continue;

                        var t = Vector512.MinNative(alongRay * invTrunc, one);
                        var oldT = Vector512.LoadUnsafe(ref tsdf[rowStart]);
                        var oldW = Vector512.LoadUnsafe(ref weight[rowStart]);
                        var w = weightedByDepth ? Vector512.MaxNative(minFrameWeight, Vector512.MinNative(one, unitDepth * unitDepth * invZ * invZ)) : one;
                        var sumW = oldW + w;
                        var inv = one / sumW;
                        var newT = (oldT * oldW + t * w) * inv;
                        var newW = Vector512.MinNative(sumW, maxW);
                        Vector512.ConditionalSelect(mask, newT, oldT).StoreUnsafe(ref tsdf[rowStart]);
                        Vector512.ConditionalSelect(mask, newW, oldW).StoreUnsafe(ref weight[rowStart]);
                        changed = true;

                        var near = mask & Vector512.LessThan(axial, trunc);
                        inBand |= near;
                        if (_rgb is null || near == Vector512<float>.Zero) continue;
                        // A 4-byte gather at the image's last pixel would read one byte past the buffer: that pair goes scalar.
                        if ((Vector512.Equals(pix, lastPixel) & near.AsInt32()) == Vector512<int>.Zero)
                        {
                            var nearInt = near.AsInt32();
                            var packed = Vector512.Create(
                                Avx2.GatherMaskVector256(Vector256<int>.Zero, (int*)rgbBase, pix.GetLower() * 3, nearInt.GetLower(), 1),
                                Avx2.GatherMaskVector256(Vector256<int>.Zero, (int*)rgbBase, pix.GetUpper() * 3, nearInt.GetUpper(), 1));
                            var keep = Avx512F.ConvertToVector128Byte(nearInt);
                            BlendPlane16(ref color[rowStart], Vector512.ConvertToSingle(packed & low) * w, oldW, inv, keep);
                            BlendPlane16(ref color[VoxelBlock.N + rowStart], Vector512.ConvertToSingle(Vector512.ShiftRightLogical(packed, 8) & low) * w, oldW, inv, keep);
                            BlendPlane16(ref color[2 * VoxelBlock.N + rowStart], Vector512.ConvertToSingle(Vector512.ShiftRightLogical(packed, 16) & low) * w, oldW, inv, keep);
                            continue;
                        }
                        uint nearBits = (uint)near.ExtractMostSignificantBits();
                        while (nearBits != 0)
                        {
                            int lane = BitOperations.TrailingZeroCount(nearBits);
                            nearBits &= nearBits - 1;
                            BlendColor(color, rowStart + lane, pix.GetElement(lane) * 3, oldW.GetElement(lane), w.GetElement(lane));
                        }
                    }
                }
            }
            if (changed) block.ChangedStamp = _stamp;
            return (changed ? BlockOutcome.Changed : BlockOutcome.None) | (inBand != Vector512<float>.Zero ? BlockOutcome.InBand : BlockOutcome.None);
        }

        /// <summary><see cref="BlendPlane"/> for 16 bytes, written only where <paramref name="keep"/> is 0xFF.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void BlendPlane16(ref byte plane, Vector512<float> sample, Vector512<float> oldWeight, Vector512<float> inv, Vector128<byte> keep)
        {
            var old = Vector128.LoadUnsafe(ref plane);
            var oldValue = Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(old));
            var blended = Vector512.ConvertToInt32Native((oldValue * oldWeight + sample) * inv + Vector512.Create(0.5f));
            Vector128.ConditionalSelect(keep, Avx512F.ConvertToVector128Byte(blended), old).StoreUnsafe(ref plane);
        }

        /// <summary>Weighted average of 8 colour bytes of one plane with 8 new samples, written only where <paramref name="keep"/> is 0xFF.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void BlendPlane(ref byte plane, Vector256<float> sample, Vector256<float> oldWeight, Vector256<float> inv, ulong keep)
        {
            ulong old = Unsafe.ReadUnaligned<ulong>(ref plane);
            var oldValue = Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(old).AsByte()));
            // Same arithmetic as the scalar BlendColor, so both paths give identical bytes.
            var blended = Vector256.ConvertToInt32Native((oldValue * oldWeight + sample) * inv + Vector256.Create(0.5f));
            ulong updated = NarrowToBytes(blended);
            Unsafe.WriteUnaligned(ref plane, (old & ~keep) | (updated & keep));
        }

        /// <summary>The low byte of each of 8 ints, packed into one ulong (lane 0 lowest).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong NarrowToBytes(Vector256<int> values)
        {
            var shorts = Vector128.Narrow(values.GetLower(), values.GetUpper()).AsUInt16();
            return Vector128.Narrow(shorts, shorts).AsUInt64().ToScalar();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void BlendColor(byte[] color, int voxel, int rgbOffset, float oldWeight, float frameWeight)
        {
            const int n = VoxelBlock.N;
            float inv = 1f / (oldWeight + frameWeight);
            byte[] rgb = _rgb!;
            color[voxel] = (byte)((color[voxel] * oldWeight + rgb[rgbOffset] * frameWeight) * inv + 0.5f);
            color[n + voxel] = (byte)((color[n + voxel] * oldWeight + rgb[rgbOffset + 1] * frameWeight) * inv + 0.5f);
            color[2 * n + voxel] = (byte)((color[2 * n + voxel] * oldWeight + rgb[rgbOffset + 2] * frameWeight) * inv + 0.5f);
        }
    }
}
