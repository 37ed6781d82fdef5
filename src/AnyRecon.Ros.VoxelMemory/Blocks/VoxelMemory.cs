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
/// With a block budget, <see cref="EnforceBudget"/> spills far blocks to disk; any later access by index reloads
/// them, so callers never see the difference except in RAM and time.
/// </remarks>
public sealed class VoxelMemory : IDisposable
{
    private readonly Dictionary<BlockIndex, VoxelBlock> _blocks = new();
    private readonly Stack<VoxelBlock> _pool = new();
    private readonly VoxelMemoryOptions _options;
    private BlockStore? _store;
    private long _stamp;
    private long _evictions;
    private long _reloads;

    public VoxelMemory(VoxelMemoryOptions? options = null)
    {
        _options = (options ?? new VoxelMemoryOptions()).Clone();
        if (_options.MaxBlocksInMemory != VoxelMemoryOptions.DefaultMaxBlocksInMemory && _options.EvictionDirectory is null)
            throw new ArgumentException($"a block budget of {_options.MaxBlocksInMemory} needs an eviction directory", nameof(options));
        VoxelSizeMeters = _options.VoxelSizeMeters;
        BlockSizeMeters = VoxelSizeMeters * BlockIndex.Size;
        TruncationMeters = VoxelSizeMeters * _options.TruncationVoxels;
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

    /// <summary>Blocks (in RAM or on disk) whose voxels changed after <paramref name="stamp"/>.</summary>
    /// <remarks>Surface extraction of a block reads its +x/+y/+z neighbours, so an incremental extractor should also
    /// redo the −x/−y/−z neighbours of each changed block.</remarks>
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
    internal bool TryGetBlock(BlockIndex index, out VoxelBlock block)
    {
        if (_blocks.TryGetValue(index, out block!)) return true;
        if (_store is null || !_store.Contains(index)) return false;
        block = Rent(index);
        _store.TryTake(index, block);
        _blocks.Add(index, block);
        _reloads++;
        return true;
    }

    internal VoxelBlock GetOrAllocate(BlockIndex index) => GetOrAllocate(index, out _);

    internal VoxelBlock GetOrAllocate(BlockIndex index, out bool allocated)
    {
        allocated = false;
        if (TryGetBlock(index, out var block)) return block;
        block = Rent(index);
        _blocks.Add(index, block);
        allocated = true;
        return block;
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
    /// Keeps at most <see cref="MaxBlocksInMemory"/> blocks in RAM by writing those farthest from
    /// <paramref name="cameraPositionWorld"/> to the on-disk store. Returns how many were evicted. Call it between
    /// frames, never while an integrator or extractor runs.
    /// </summary>
    public int EnforceBudget(Vector3d cameraPositionWorld)
    {
        int excess = _blocks.Count - _options.MaxBlocksInMemory;
        if (excess <= 0) return 0;
        _store ??= new BlockStore(_options.EvictionDirectory!, StoreCompactionMinBytes);

        var candidates = new (double Distance, VoxelBlock Block)[_blocks.Count];
        int n = 0;
        double half = BlockSizeMeters / 2;
        foreach (var block in _blocks.Values)
        {
            double dx = block.Index.X * BlockSizeMeters + half - cameraPositionWorld.X;
            double dy = block.Index.Y * BlockSizeMeters + half - cameraPositionWorld.Y;
            double dz = block.Index.Z * BlockSizeMeters + half - cameraPositionWorld.Z;
            candidates[n++] = (dx * dx + dy * dy + dz * dz, block);
        }
        // Farthest first; ties broken by index so eviction is deterministic.
        Array.Sort(candidates, static (a, b) =>
        {
            int c = b.Distance.CompareTo(a.Distance);
            if (c != 0) return c;
            c = a.Block.Index.X.CompareTo(b.Block.Index.X);
            if (c != 0) return c;
            c = a.Block.Index.Y.CompareTo(b.Block.Index.Y);
            return c != 0 ? c : a.Block.Index.Z.CompareTo(b.Block.Index.Z);
        });
        for (int i = 0; i < excess; i++)
        {
            var block = candidates[i].Block;
            _store.Write(block);
            _blocks.Remove(block.Index);
            _pool.Push(block);
        }
        _evictions += excess;
        AssertInvariants();
        return excess;
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
