using System.Diagnostics;
using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// The sparse TSDF map: a hash of 8³-voxel blocks keyed by <see cref="BlockIndex"/>, with an observed and a generated
/// evidence channel per voxel. Storage only: it knows no cameras; integrators and extractors are handed a memory.
/// Voxel (i, j, k) has its centre at ((i, j, k) + 0.5) · <see cref="VoxelSizeMeters"/> in the world frame.
/// </summary>
/// <remarks>
/// Not thread-safe: one writer at a time (the integrator parallelises internally over blocks it has resolved).
/// With a block budget, blocks not used by the current frame are spilled to disk in batches (least recently used and
/// farthest first) whenever a new block would exceed it; any later access by index reloads them, so callers never see
/// the difference except in RAM and time. A frame that alone needs more than the budget overruns it, counted in
/// <see cref="BudgetOverruns"/>, instead of thrashing.
/// </remarks>
public sealed class VoxelMemory : IDisposable
{
    private readonly Dictionary<BlockIndex, VoxelBlock> _blocks = new();
    private readonly Stack<VoxelBlock> _pool = new();
    private readonly VoxelMemoryOptions _options;
    private readonly int _lowWater;
    private BlockStore? _store;
    private long _stamp;
    private long _evictions;
    private long _reloads;
    private long _evictionPasses;
    private int _peakResident;
    private long _budgetOverruns;
    private long _overrunFrame = -1;
    private int _largestOverrun;
    private long _exhaustedFrame = -1;
    private Vector3d _camera;
    private EvictionCandidate[] _candidates = [];

    public VoxelMemory(VoxelMemoryOptions? options = null)
    {
        _options = (options ?? new VoxelMemoryOptions()).Clone();
        if (_options.MaxBlocksInMemory != VoxelMemoryOptions.DefaultMaxBlocksInMemory && _options.EvictionDirectory is null)
            throw new ArgumentException($"a block budget of {_options.MaxBlocksInMemory} needs an eviction directory", nameof(options));
        VoxelSizeMeters = _options.VoxelSizeMeters;
        BlockSizeMeters = VoxelSizeMeters * BlockIndex.Size;
        TruncationMeters = VoxelSizeMeters * _options.TruncationVoxels;
        _lowWater = (int)Math.Min(_options.MaxBlocksInMemory - 1L, (long)Math.Floor(_options.MaxBlocksInMemory * _options.EvictionLowWaterFraction));
    }

    public double VoxelSizeMeters { get; }

    public double BlockSizeMeters { get; }

    public int TruncationVoxels => _options.TruncationVoxels;

    public double TruncationMeters { get; }

    public float MaxWeight => _options.MaxWeight;

    public float SettledObservedWeight => _options.SettledObservedWeight;

    public int MaxBlocksInMemory => _options.MaxBlocksInMemory;

    /// <summary>Blocks in RAM.</summary>
    public int ResidentBlockCount => _blocks.Count;

    /// <summary>Blocks on disk after eviction.</summary>
    public int EvictedBlockCount => _store?.Count ?? 0;

    /// <summary>All blocks, in RAM or on disk.</summary>
    public int BlockCount => ResidentBlockCount + EvictedBlockCount;

    public long EvictionCount => _evictions;

    /// <summary>Times eviction ran (each pass spills a batch down to the low-water mark).</summary>
    public long EvictionPasses => _evictionPasses;

    /// <summary>Most blocks ever resident at once.</summary>
    public int PeakResidentBlockCount => _peakResident;

    /// <summary>
    /// Frames whose blocks, with those of the frame before (which are never evicted either), did not fit in
    /// <see cref="MaxBlocksInMemory"/>: they were kept resident anyway (RAM over budget during that frame) rather than
    /// evicted and reloaded within the frame. Non-zero means the budget is too small for the camera's view: see
    /// <see cref="BudgetWarning"/>.
    /// </summary>
    public long BudgetOverruns => _budgetOverruns;

    /// <summary>Most blocks resident during a budget overrun (0 without overruns): a budget above it would have held.</summary>
    public int LargestOverrunBlocks => _largestOverrun;

    /// <summary>A sentence for reports when the budget was overrun, else null.</summary>
    public string? BudgetWarning => _budgetOverruns == 0 ? null
        : $"block budget {MaxBlocksInMemory} is below the blocks of the current and previous frame in {_budgetOverruns} frame(s): they stayed resident, " +
          $"up to {_largestOverrun} blocks; set max_blocks_in_memory to at least {(long)Math.Ceiling(_largestOverrun / _options.EvictionLowWaterFraction)} to stay within budget";

    /// <summary>Spill-file size above which superseded records are compacted away (tests lower it).</summary>
    internal long StoreCompactionMinBytes { get; init; } = 64L << 20;

    internal int StoreCompactions => _store?.Compactions ?? 0;

    public long ReloadCount => _reloads;

    /// <summary>Bytes of the spill file (including superseded records).</summary>
    public long EvictedStoreBytes => _store?.FileBytes ?? 0;

    /// <summary>
    /// The last change stamp handed out: a counter that grows with every integration, never with time. Remember it,
    /// then ask <see cref="ChangedBlocksSince"/> for what changed afterwards.
    /// </summary>
    public long Stamp => Volatile.Read(ref _stamp);

    internal long NextStamp() => Interlocked.Increment(ref _stamp);

    internal void RestoreStamp(long stamp) => _stamp = Math.Max(_stamp, stamp);

    public bool Contains(BlockIndex index) => _blocks.ContainsKey(index) || (_store?.Contains(index) ?? false);

    /// <summary>Every block index, in RAM or on disk, in no particular order.</summary>
    public List<BlockIndex> GetBlockIndices()
    {
        var list = new List<BlockIndex>(BlockCount);
        GetBlockIndices(list);
        return list;
    }

    /// <summary>Replaces the contents of <paramref name="destination"/> with every block index (a reused list allocates nothing per call).</summary>
    public void GetBlockIndices(List<BlockIndex> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        destination.EnsureCapacity(BlockCount);
        foreach (var index in _blocks.Keys) destination.Add(index);
        if (_store is not null) destination.AddRange(_store.Indices);
    }

    /// <summary>The resident blocks; callers may read them concurrently while nothing writes the memory.</summary>
    internal Dictionary<BlockIndex, VoxelBlock>.ValueCollection ResidentBlocks => _blocks.Values;

    /// <summary>Indices of the blocks spilled to disk.</summary>
    internal IEnumerable<BlockIndex> EvictedIndices => _store?.Indices ?? [];

    /// <summary>Blocks (in RAM or on disk) whose voxels changed after <paramref name="stamp"/>.</summary>
    /// <remarks>Surface extraction of a block reads a border from its neighbours, so an incremental extractor redoes
    /// <see cref="SurfaceExtractor.BlocksToReextract"/> of these.</remarks>
    public List<BlockIndex> ChangedBlocksSince(long stamp)
    {
        var list = new List<BlockIndex>();
        foreach (var (index, block) in _blocks)
            if (block.ChangedStamp > stamp) list.Add(index);
        if (_store is not null)
            foreach (var index in _store.Indices)
                if (_store.TryGetStamp(index, out long s) && s > stamp) list.Add(index);
        return list;
    }

    /// <summary>Reads one voxel by global voxel coordinates; false when its block does not exist.</summary>
    public bool TryGetVoxel(int x, int y, int z, out VoxelSample sample)
    {
        if (!TryGetBlock(BlockIndex.FromVoxel(x, y, z), out var block))
        {
            sample = default;
            return false;
        }
        int i = BlockIndex.Linear(x & 7, y & 7, z & 7);
        sample = VoxelSample.From(block, i, SettledObservedWeight);
        return true;
    }

    /// <summary>The block if it exists, reloading it from disk when it was evicted.</summary>
    internal bool TryGetBlock(BlockIndex index, out VoxelBlock block) => TryGetBlock(index, usedBy: 0, out block);

    private bool TryGetBlock(BlockIndex index, long usedBy, out VoxelBlock block)
    {
        if (!_blocks.TryGetValue(index, out block!))
        {
            if (_store is null || !_store.Contains(index)) return false;
            MakeRoomForOne();
            block = Rent(index);
            _store.TryTake(index, block);
            AddResident(block);
            _reloads++;
        }
        if (usedBy != 0) block.LastUsedStamp = usedBy;
        return true;
    }

    /// <summary>
    /// The block, reloaded or allocated if needed. With <paramref name="markUsed"/> it joins the work list of the
    /// frame about to be integrated (stamp <see cref="Stamp"/> + 1, the one <see cref="NextStamp"/> hands out next),
    /// and the budget will not evict it until a later frame has started: callers may hold the reference until then.
    /// </summary>
    internal VoxelBlock GetOrAllocate(BlockIndex index, bool markUsed = true) => GetOrAllocate(index, markUsed, out _);

    /// <inheritdoc cref="GetOrAllocate(BlockIndex, bool)"/>
    internal VoxelBlock GetOrAllocate(BlockIndex index, out bool allocated) => GetOrAllocate(index, markUsed: true, out allocated);

    private VoxelBlock GetOrAllocate(BlockIndex index, bool markUsed, out bool allocated)
    {
        allocated = false;
        long usedBy = markUsed ? _stamp + 1 : 0;
        if (TryGetBlock(index, usedBy, out var block)) return block;
        MakeRoomForOne();
        block = Rent(index);
        block.LastUsedStamp = usedBy;
        AddResident(block);
        allocated = true;
        return block;
    }

    internal bool IsResident(BlockIndex index) => _blocks.ContainsKey(index);

    /// <summary>The block if it is in RAM; never reloads or allocates, so threads may call it together while nothing writes.</summary>
    internal bool TryGetResident(BlockIndex index, out VoxelBlock block) => _blocks.TryGetValue(index, out block!);

    private void AddResident(VoxelBlock block)
    {
        _blocks.Add(block.Index, block);
        int count = _blocks.Count;
        if (count > _peakResident) _peakResident = count;
        if (count > _options.MaxBlocksInMemory) NoteOverrun(_stamp + 1, count);
    }

    private void NoteOverrun(long frame, int resident)
    {
        if (_overrunFrame != frame)
        {
            _overrunFrame = frame;
            _budgetOverruns++;
        }
        _largestOverrun = Math.Max(_largestOverrun, resident);
    }

    /// <summary>Reads a block for extraction without making it resident: evicted blocks are copied into <paramref name="scratch"/>.</summary>
    internal VoxelBlock? PeekBlock(BlockIndex index, VoxelBlock scratch)
    {
        if (_blocks.TryGetValue(index, out var block)) return block;
        if (_store is not null && _store.TryRead(index, scratch)) return scratch;
        return null;
    }

    /// <summary>Removes a block entirely (e.g. when carving has emptied it).</summary>
    public bool Remove(BlockIndex index)
    {
        if (_blocks.Remove(index, out var block))
        {
            _pool.Push(block);
            return true;
        }
        if (_store is not null && _store.Contains(index))
        {
            var scratch = Rent(index);
            _store.TryTake(index, scratch);
            _pool.Push(scratch);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Brings RAM back within <see cref="MaxBlocksInMemory"/> after a frame and remembers
    /// <paramref name="cameraPositionWorld"/> for later evictions. Returns how many blocks went to disk. Call it
    /// between frames, never while an integrator or extractor runs.
    /// </summary>
    /// <remarks>
    /// Blocks also make room for themselves when they become resident, so RAM holds the budget during a frame too;
    /// this call only acts when the last frame overran, and then again keeps that frame's blocks. Either way one
    /// pass spills down to <see cref="VoxelMemoryOptions.EvictionLowWaterFraction"/> of the budget, least recently
    /// used first, then farthest from the camera, then by index, so eviction is deterministic.
    /// </remarks>
    public int EnforceBudget(Vector3d cameraPositionWorld)
    {
        _camera = cameraPositionWorld;
        int count = _blocks.Count;
        if (count <= _options.MaxBlocksInMemory) return 0;
        // The last integrated frame took stamp _stamp; its blocks stay.
        long frame = Math.Max(1, _stamp);
        int evicted = Evict(frame, count - _lowWater);
        if (_blocks.Count > _options.MaxBlocksInMemory) NoteOverrun(frame, _blocks.Count);
        return evicted;
    }

    /// <summary>
    /// Before a block becomes resident at the budget: one batch down to the low-water mark, sparing the frame being
    /// built and the last integrated one (the frame being built has probably not marked all of its blocks yet, and
    /// most of them are the last frame's).
    /// </summary>
    private void MakeRoomForOne()
    {
        int count = _blocks.Count;
        if (count < _options.MaxBlocksInMemory) return;
        Evict(Math.Max(1, _stamp), Math.Max(count - _lowWater, count - _options.MaxBlocksInMemory + 1));
    }

    /// <summary>Spills up to <paramref name="target"/> blocks not used since before frame <paramref name="keepFrom"/>.</summary>
    private int Evict(long keepFrom, int target)
    {
        // Within one frame nothing becomes evictable again (every block it touches is marked), so one fruitless scan suffices.
        if (target <= 0 || _exhaustedFrame == keepFrom) return 0;
        _store ??= new BlockStore(_options.EvictionDirectory!, StoreCompactionMinBytes);
        if (_candidates.Length < _blocks.Count) _candidates = new EvictionCandidate[_blocks.Count + _blocks.Count / 4];
        var candidates = _candidates;
        int n = 0;
        double half = BlockSizeMeters / 2;
        foreach (var block in _blocks.Values)
        {
            if (block.LastUsedStamp >= keepFrom) continue;
            double dx = block.Index.X * BlockSizeMeters + half - _camera.X;
            double dy = block.Index.Y * BlockSizeMeters + half - _camera.Y;
            double dz = block.Index.Z * BlockSizeMeters + half - _camera.Z;
            candidates[n++] = new EvictionCandidate(block.LastUsedStamp, dx * dx + dy * dy + dz * dz, block);
        }
        if (n <= target) _exhaustedFrame = keepFrom;
        int evict = Math.Min(n, target);
        if (evict == 0) return 0;
        Array.Sort(candidates, 0, n, EvictionCandidate.Order);
        for (int i = 0; i < evict; i++)
        {
            var block = candidates[i].Block;
            _store.Write(block);
            _blocks.Remove(block.Index);
            _pool.Push(block);
        }
        // No references to evicted (pooled) blocks may outlive the pass.
        Array.Clear(candidates, 0, n);
        _evictions += evict;
        _evictionPasses++;
        AssertInvariants();
        return evict;
    }

    private readonly record struct EvictionCandidate(long LastUsed, double DistanceSquared, VoxelBlock Block)
    {
        /// <summary>Least recently used first, then farthest, then by index: a total order, so runs are repeatable.</summary>
        public static readonly IComparer<EvictionCandidate> Order = Comparer<EvictionCandidate>.Create(static (a, b) =>
        {
            int c = a.LastUsed.CompareTo(b.LastUsed);
            if (c != 0) return c;
            c = b.DistanceSquared.CompareTo(a.DistanceSquared);
            if (c != 0) return c;
            c = a.Block.Index.X.CompareTo(b.Block.Index.X);
            if (c != 0) return c;
            c = a.Block.Index.Y.CompareTo(b.Block.Index.Y);
            return c != 0 ? c : a.Block.Index.Z.CompareTo(b.Block.Index.Z);
        });
    }

    private VoxelBlock Rent(BlockIndex index)
    {
        if (_pool.TryPop(out var block))
        {
            block.Reset(index);
            return block;
        }
        return new VoxelBlock(index);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        if (_store is null) return;
        foreach (var index in _blocks.Keys) Debug.Assert(!_store.Contains(index), $"block {index} is both resident and evicted");
    }

    /// <summary>Deletes the spill file; the map's blocks on disk are gone afterwards.</summary>
    public void Dispose()
    {
        _store?.Dispose();
        _store = null;
    }
}

/// <summary>One voxel's two channels and the value extraction would use.</summary>
public readonly record struct VoxelSample(
    float ObservedTsdf, float ObservedWeight, byte ObservedR, byte ObservedG, byte ObservedB,
    float GeneratedTsdf, float GeneratedWeight, byte GeneratedR, byte GeneratedG, byte GeneratedB,
    float EffectiveTsdf, float EffectiveWeight, EvidenceChannel Source)
{
    internal static VoxelSample From(VoxelBlock b, int i, float settled)
    {
        const int n = VoxelBlock.N;
        float gt = b.GeneratedTsdf?[i] ?? 0, gw = b.GeneratedWeight?[i] ?? 0;
        var gc = b.GeneratedColor;
        float t = VoxelFusion.Effective(b.ObservedTsdf[i], b.ObservedWeight[i], gt, gw, settled, out float w, out var source);
        return new VoxelSample(b.ObservedTsdf[i], b.ObservedWeight[i], b.ObservedColor[i], b.ObservedColor[n + i], b.ObservedColor[2 * n + i],
            gt, gw, gc?[i] ?? 0, gc?[n + i] ?? 0, gc?[2 * n + i] ?? 0, t, w, source);
    }
}
