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
/// objects. Not thread-safe; call it between integrations, as the pipeline's integrate stage does.
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
        ArgumentNullException.ThrowIfNull(changedBlocks);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(publish);
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

        var changed = CollectionsMarshal.AsSpan(_changed);
        int updates = 0;
        do
        {
            var part = changed[..Math.Min(changed.Length, MaxBlocksPerUpdate)];
            changed = changed[part.Length..];
            publish(Serialize(part, updates == 0 ? CollectionsMarshal.AsSpan(_removed) : [], header));
            updates++;
        }
        while (!changed.IsEmpty);
        return updates;
    }

    private ReadOnlyMemory<byte> Serialize(ReadOnlySpan<BlockIndex> blocks, ReadOnlySpan<int> removed, Header header)
    {
        _sequence++;
        var sizer = new CdrSizer();
        header.Measure(ref sizer);
        sizer.WriteUInt64(_sequence);
        sizer.WriteFloat32(0);
        sizer.WriteUInt32(0);
        sizer.WriteSequenceLength(blocks.Length);
        // Every block has the same field sizes, but measure each: CDR alignment depends on where it starts.
        for (int i = 0; i < blocks.Length; i++) _block.Measure(ref sizer);
        sizer.WriteSequenceLength(removed.Length);
        sizer.WritePrimitives(removed);
        if (_buffer.Length < sizer.Position) _buffer = GC.AllocateUninitializedArray<byte>(sizer.Position);

        // The field order of MapUpdate.msg, as the generated MapUpdate.Serialize writes it.
        var writer = new CdrWriter(_buffer.AsSpan(0, sizer.Position));
        header.Serialize(ref writer);
        writer.WriteUInt64(_sequence);
        writer.WriteFloat32((float)_memory.VoxelSizeMeters);
        writer.WriteUInt32(BlockIndex.Size);
        writer.WriteSequenceLength(blocks.Length);
        var source = MemoryMarshal.Cast<byte, EvidenceChannel>(_block.Source.AsSpan());
        foreach (var index in blocks)
        {
            _reader.TryRead(index, _block.Tsdf, _block.Weight, _block.Rgb, source, out var evidence);
            _block.Index[0] = index.X;
            _block.Index[1] = index.Y;
            _block.Index[2] = index.Z;
            _block.Evidence = (byte)evidence;
            _block.Serialize(ref writer);
        }
        writer.WriteSequenceLength(removed.Length);
        writer.WritePrimitives(removed);
        Debug.Assert(writer.Position == sizer.Position, "measured and written sizes differ");
        return _buffer.AsMemory(0, writer.Position);
    }
}
