using System.Diagnostics;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Voxels;
using VoxelBlockMessage = AnyRecon.Ros.Messages.AnyReconMsgs.VoxelBlock;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Serializes the changes of one <see cref="VoxelMemory"/> as a stream of <c>anyrecon/msg/MapUpdate</c>
/// (<see cref="Messages.AnyReconMsgs.MapUpdate"/>): each update holds blocks that changed since the previous update,
/// fused as extraction sees them (<see cref="BlockReader"/>), and blocks removed since then; <c>sequence_number</c> is 1
/// for the first update and grows by one. Applying every update in order to an empty map rebuilds the memory's fused voxels.
/// </summary>
/// <remarks>
/// One publish may span several updates: at most <see cref="MaxBlocksPerUpdate"/> blocks go in one message, so a
/// message stays a few megabytes however much changed (a whole first map at 1 cm is ~100 MB), which is what DDS and a
/// subscriber's memory can take. The CDR is written block by block straight into one reused buffer, never as message
/// objects. Not thread-safe; call it between integrations (the replay's integrate stage), or step by step through
/// the map's gate (the live node's map-update task).
/// </remarks>
public sealed class MapUpdateSerializer
{
    /// <summary>Default <see cref="MaxBlocksPerUpdate"/>: 1024 blocks, about 6.3 MB of CDR.</summary>
    public const int DefaultMaxBlocksPerUpdate = 1024;

    private readonly VoxelMemory _memory;
    private readonly BlockReader _reader;
    private readonly VoxelBlockMessage _block;
    private readonly HashSet<BlockIndex> _published = new();
    private readonly List<BlockIndex> _changed = new();
    private readonly List<int> _removed = new();
    private byte[] _buffer = [];
    private ulong _sequence;
    // The publish in progress (Begin, then Step): next block to write, end of the current update, where its writer stopped.
    private Header? _header;
    private int _next, _updateEnd, _position, _size;
    private bool _firstUpdate, _pending;

    /// <param name="memory">The map whose changes are published.</param>
    /// <param name="maxBlocksPerUpdate">Blocks per message, at least 1.</param>
    /// <param name="lastSequence">The sequence number to count on from: a map that replaced another (a load, a reset)
    /// continues after a deliberate gap, which tells consumers to fetch the full map.</param>
    public MapUpdateSerializer(VoxelMemory memory, int maxBlocksPerUpdate = DefaultMaxBlocksPerUpdate, ulong lastSequence = 0)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocksPerUpdate, 1);
        _memory = memory;
        _sequence = lastSequence;
        MaxBlocksPerUpdate = maxBlocksPerUpdate;
        _reader = new BlockReader(memory);
        _block = new VoxelBlockMessage
        {
            Index = new int[3],
            VoxelSizeM = (float)memory.VoxelSizeMeters,
            Tsdf = new float[BlockIndex.VoxelCount],
            Weight = new float[BlockIndex.VoxelCount],
            Rgb = new byte[3 * BlockIndex.VoxelCount],
            Source = new byte[BlockIndex.VoxelCount],
        };
    }

    public int MaxBlocksPerUpdate { get; }

    /// <summary>The map this serializer follows.</summary>
    public VoxelMemory Memory => _memory;

    /// <summary>Sequence number of the last update serialized (0 before the first).</summary>
    public ulong SequenceNumber => _sequence;

    /// <summary>
    /// Serializes what changed: <paramref name="changedBlocks"/> (e.g. <see cref="VoxelMemory.ChangedBlocksSince"/> the
    /// stamp of the previous publish) in z, y, x order, and every block sent earlier that the memory no longer holds
    /// (in the first update). Hands each update to <paramref name="publish"/> as CDR with its encapsulation header,
    /// valid only during the call; there is always at least one update, so a subscriber sees every publish. Returns
    /// how many updates were written.
    /// </summary>
    public int Publish(IEnumerable<BlockIndex> changedBlocks, Header header, Action<ReadOnlyMemory<byte>> publish)
    {
        ArgumentNullException.ThrowIfNull(publish);
        Begin(changedBlocks, header);
        int updates = 0;
        while (Step(int.MaxValue, update =>
        {
            updates++;
            publish(update);
        }))
        {
        }
        return updates;
    }

    /// <summary>
    /// Starts a publish that <see cref="Step"/> then writes a few blocks at a time, so the map's writer can run between
    /// two steps. What it decides here, with the map held: which blocks changed, their order, which were removed. A
    /// block that changes after this is written as it is when its step comes, and again by the next publish.
    /// </summary>
    public void Begin(IEnumerable<BlockIndex> changedBlocks, Header header)
    {
        ArgumentNullException.ThrowIfNull(changedBlocks);
        ArgumentNullException.ThrowIfNull(header);
        _changed.Clear();
        foreach (var index in changedBlocks)
            if (_memory.Contains(index)) _changed.Add(index);
        // Deterministic order, so the same run writes the same bytes.
        _changed.Sort(static (a, b) => a.Z != b.Z ? a.Z.CompareTo(b.Z) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X.CompareTo(b.X));

        // A removal is a block sent before that is gone now; set difference, so the memory needs no removal log.
        _removed.Clear();
        foreach (var index in _published)
            if (!_memory.Contains(index))
            {
                _removed.Add(index.X);
                _removed.Add(index.Y);
                _removed.Add(index.Z);
            }
        for (int i = 0; i < _removed.Count; i += 3) _published.Remove(new BlockIndex(_removed[i], _removed[i + 1], _removed[i + 2]));
        foreach (var index in _changed) _published.Add(index);
        _header = header;
        _next = 0;
        _updateEnd = 0;
        _position = 0;
        _firstUpdate = true;
        _pending = true;
    }

    /// <summary>
    /// Writes at most <paramref name="maxBlocks"/> more blocks of the publish <see cref="Begin"/> started, with the map
    /// held; an update that is complete goes to <paramref name="publish"/> (valid only during the call). Returns
    /// whether anything is left to write.
    /// </summary>
    public bool Step(int maxBlocks, Action<ReadOnlyMemory<byte>> publish)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocks, 1);
        ArgumentNullException.ThrowIfNull(publish);
        if (!_pending) return false;
        var removed = _firstUpdate ? CollectionsMarshal.AsSpan(_removed) : [];
        CdrWriter writer;
        if (_position == 0)
        {
            _updateEnd = _next + Math.Min(_changed.Count - _next, MaxBlocksPerUpdate);
            writer = StartUpdate(_updateEnd - _next, removed);
        }
        else writer = new CdrWriter(_buffer.AsSpan(0, _size), _position);

        int end = Math.Min(_updateEnd, _next + Math.Min(maxBlocks, _updateEnd - _next));
        var source = MemoryMarshal.Cast<byte, EvidenceChannel>(_block.Source.AsSpan());
        for (; _next < end; _next++)
        {
            var index = _changed[_next];
            // Removed since Begin: sent empty now, listed as removed by the next publish.
            if (!_reader.TryRead(index, _block.Tsdf, _block.Weight, _block.Rgb, source, out var evidence))
            {
                Array.Clear(_block.Tsdf);
                Array.Clear(_block.Weight);
                Array.Clear(_block.Rgb);
                Array.Clear(_block.Source);
                evidence = default;
            }
            _block.Index[0] = index.X;
            _block.Index[1] = index.Y;
            _block.Index[2] = index.Z;
            _block.Evidence = (byte)evidence;
            _block.Serialize(ref writer);
        }
        if (_next < _updateEnd)
        {
            _position = writer.Position;
            return true;
        }
        writer.WriteSequenceLength(removed.Length);
        writer.WritePrimitives(removed);
        Debug.Assert(writer.Position == _size, "measured and written sizes differ");
        _position = 0;
        _firstUpdate = false;
        _pending = _next < _changed.Count;
        publish(_buffer.AsMemory(0, _size));
        return _pending;
    }

    /// <summary>Sizes the next update, numbers it and writes everything before its blocks.</summary>
    private CdrWriter StartUpdate(int blockCount, ReadOnlySpan<int> removed)
    {
        _sequence++;
        var header = _header!;
        var sizer = new CdrSizer();
        header.Measure(ref sizer);
        sizer.WriteUInt64(_sequence);
        sizer.WriteFloat32(0);
        sizer.WriteUInt32(0);
        sizer.WriteSequenceLength(blockCount);
        // Every block has the same field sizes, but measure each: CDR alignment depends on where it starts.
        for (int i = 0; i < blockCount; i++) _block.Measure(ref sizer);
        sizer.WriteSequenceLength(removed.Length);
        sizer.WritePrimitives(removed);
        _size = sizer.Position;
        if (_buffer.Length < _size) _buffer = GC.AllocateUninitializedArray<byte>(_size);

        // The field order of MapUpdate.msg, as the generated MapUpdate.Serialize writes it.
        var writer = new CdrWriter(_buffer.AsSpan(0, _size));
        header.Serialize(ref writer);
        writer.WriteUInt64(_sequence);
        writer.WriteFloat32((float)_memory.VoxelSizeMeters);
        writer.WriteUInt32(BlockIndex.Size);
        writer.WriteSequenceLength(blockCount);
        return writer;
    }
}
