namespace AnyRecon.Ros.Voxels;

/// <summary>
/// The map's surface points kept per block and brought up to date incrementally: a refresh extracts again only the
/// blocks changed since the last one (with their neighbours, whose extraction reads them), at most
/// <see cref="BlocksPerStep"/> blocks per map access. So publishing a large map once a second holds the map's writer
/// for a few milliseconds at a time instead of one whole extraction.
/// </summary>
/// <remarks>
/// The points of a block are exact for the map as it was when that block was extracted; a block that changes during
/// a refresh is extracted again by the next one. A replaced map (load, reset) starts the cache over.
/// </remarks>
public sealed class SurfacePointCache
{
    /// <summary>Blocks extracted per map access: a few milliseconds on two cores.</summary>
    public const int BlocksPerStep = 256;

    private readonly Dictionary<BlockIndex, SurfacePoint[]> _points = [];
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly int _blocksPerStep;
    private VoxelMemory? _memory;
    private long _stamp = -1;
    private int _pointCount;

    public SurfacePointCache(int blocksPerStep = BlocksPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocksPerStep);
        _blocksPerStep = blocksPerStep;
    }

    /// <summary>Voxel size of the map the cache last saw (0 before the first refresh).</summary>
    public double VoxelSizeMeters { get; private set; }

    /// <summary>Blocks holding surface points after the last refresh.</summary>
    public int BlockCount => _points.Count;

    /// <summary>
    /// Brings the cache up to date with the map behind <paramref name="withMap"/> and returns every surface point, or
    /// null when <paramref name="onlyIfChanged"/> and nothing changed since the last call. Never call it while holding
    /// the map: it takes the map itself, step by step.
    /// </summary>
    public async Task<List<SurfacePoint>?> SnapshotAsync(MapAccess withMap, bool onlyIfChanged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(withMap);
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool changed = await RefreshAsync(withMap, cancellationToken).ConfigureAwait(false);
            if (!changed && onlyIfChanged) return null;
            var all = new List<SurfacePoint>(_pointCount);
            foreach (var points in _points.Values) all.AddRange(points);
            return all;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<bool> RefreshAsync(MapAccess withMap, CancellationToken cancellationToken)
    {
        VoxelMemory? memory = null;
        BlockIndex[] todo = [];
        long stampAfter = 0;
        bool changed = false;
        await withMap(map =>
        {
            memory = map;
            stampAfter = map.Stamp;
            (todo, changed) = Plan(map);
        }, cancellationToken).ConfigureAwait(false);
        for (int start = 0; start < todo.Length; start += _blocksPerStep)
        {
            var step = new ArraySegment<BlockIndex>(todo, start, Math.Min(_blocksPerStep, todo.Length - start));
            bool replaced = false;
            await withMap(map =>
            {
                if (!ReferenceEquals(map, memory))
                {
                    replaced = true;
                    return;
                }
                Store(step, SurfaceExtractor.ExtractPointsByBlock(map, step));
            }, cancellationToken).ConfigureAwait(false);
            // The map was replaced mid-way: the next refresh starts over on the new one.
            if (replaced)
            {
                _memory = null;
                return true;
            }
        }
        _stamp = stampAfter;
        return changed;
    }

    /// <summary>What to extract again, decided with the map held; the first sight of a map takes every block.</summary>
    private (BlockIndex[] Todo, bool Changed) Plan(VoxelMemory map)
    {
        if (!ReferenceEquals(map, _memory))
        {
            _points.Clear();
            _pointCount = 0;
            _memory = map;
            _stamp = -1;
            VoxelSizeMeters = map.VoxelSizeMeters;
            return (map.GetBlockIndices().ToArray(), true);
        }
        var changed = map.Stamp == _stamp ? [] : map.ChangedBlocksSince(_stamp);
        // Blocks that carving removed lose their points, and their neighbours, which read them, are redone. Removal
        // does not move the map's stamp, so this looks every time.
        List<BlockIndex>? removed = null;
        foreach (var index in _points.Keys)
            if (!map.Contains(index)) (removed ??= []).Add(index);
        if (removed is not null)
            foreach (var index in removed)
            {
                _pointCount -= _points[index].Length;
                _points.Remove(index);
                changed.Add(index);
            }
        return (SurfaceExtractor.BlocksToReextract(map, changed).ToArray(), changed.Count > 0);
    }

    private void Store(ArraySegment<BlockIndex> blocks, List<SurfacePoint>?[] points)
    {
        for (int i = 0; i < blocks.Count; i++)
        {
            if (_points.Remove(blocks[i], out var old)) _pointCount -= old.Length;
            if (points[i] is not { Count: > 0 } fresh) continue;
            _points[blocks[i]] = [.. fresh];
            _pointCount += fresh.Count;
        }
    }
}
