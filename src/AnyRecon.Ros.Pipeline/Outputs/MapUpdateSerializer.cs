using System.Diagnostics;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Voxels;
using VoxelBlockMessage = AnyRecon.Ros.Messages.AnyReconMsgs.VoxelBlock;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Serializes the changes of one <see cref="VoxelMemory"/> as a stream of <c>anyrecon/msg/MapUpdate</c> (<see cref="Messages.AnyReconMsgs.MapUpdate"/>): each update holds
/// the blocks that changed since the previous one, fused as extraction sees them (<see cref="BlockReader"/>), and the
/// blocks removed since then; <c>sequence_number</c> is 1 for the first update and grows by one. Applying every update
/// in order to an empty map rebuilds the memory's fused voxels.
/// </summary>
/// <remarks>
/// The CDR is written block by block straight into one reused buffer, so a large update costs its serialized bytes
/// once, never a second copy as message objects. Not thread-safe; call it between integrations, as the pipeline's
/// integrate stage does.
/// </remarks>
public sealed class MapUpdateSerializer
{
    private readonly VoxelMemory _memory;
    private readonly BlockReader _reader;
    private readonly VoxelBlockMessage _block;
    private readonly HashSet<BlockIndex> _published = new();
    private readonly List<BlockIndex> _changed = new();
    private readonly List<int> _removed = new();
    private byte[] _buffer = [];
    private ulong _sequence;

    public MapUpdateSerializer(VoxelMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        _memory = memory;
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

    /// <summary>Sequence number of the last update serialized (0 before the first).</summary>
    public ulong SequenceNumber => _sequence;

    /// <summary>Blocks in the last update.</summary>
    public int ChangedBlockCount { get; private set; }

    /// <summary>Removed blocks in the last update.</summary>
    public int RemovedBlockCount { get; private set; }

    /// <summary>
    /// Serializes the next update: <paramref name="changedBlocks"/> (e.g. <see cref="VoxelMemory.ChangedBlocksSince"/>
    /// the stamp of the previous update) in z, y, x order, plus every block sent earlier that the memory no longer
    /// holds. The bytes (CDR with its encapsulation header) are valid until the next call.
    /// </summary>
    public ReadOnlyMemory<byte> Next(IEnumerable<BlockIndex> changedBlocks, Header header)
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
            if (!_memory.Contains(index)) _removed.AddRange([index.X, index.Y, index.Z]);
        for (int i = 0; i < _removed.Count; i += 3) _published.Remove(new BlockIndex(_removed[i], _removed[i + 1], _removed[i + 2]));
        foreach (var index in _changed) _published.Add(index);
        var removed = CollectionsMarshal.AsSpan(_removed);

        _sequence++;
        var sizer = new CdrSizer();
        header.Measure(ref sizer);
        sizer.WriteUInt64(_sequence);
        sizer.WriteFloat32(0);
        sizer.WriteUInt32(0);
        sizer.WriteSequenceLength(_changed.Count);
        // Every block has the same field sizes, but measure each: CDR alignment depends on where it starts.
        for (int i = 0; i < _changed.Count; i++) _block.Measure(ref sizer);
        sizer.WriteSequenceLength(removed.Length);
        sizer.WritePrimitives<int>(removed);
        if (_buffer.Length < sizer.Position) _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(sizer.Position, (int)Math.Min(int.MaxValue, _buffer.Length * 3L / 2)));

        // The field order of MapUpdate.msg, as the generated MapUpdate.Serialize writes it.
        var writer = new CdrWriter(_buffer.AsSpan(0, sizer.Position));
        header.Serialize(ref writer);
        writer.WriteUInt64(_sequence);
        writer.WriteFloat32((float)_memory.VoxelSizeMeters);
        writer.WriteUInt32(BlockIndex.Size);
        writer.WriteSequenceLength(_changed.Count);
        var source = MemoryMarshal.Cast<byte, EvidenceChannel>(_block.Source.AsSpan());
        foreach (var index in _changed)
        {
            _reader.TryRead(index, _block.Tsdf, _block.Weight, _block.Rgb, source, out var evidence);
            _block.Index[0] = index.X;
            _block.Index[1] = index.Y;
            _block.Index[2] = index.Z;
            _block.Evidence = (byte)evidence;
            _block.Serialize(ref writer);
        }
        writer.WriteSequenceLength(removed.Length);
        writer.WritePrimitives<int>(removed);
        Debug.Assert(writer.Position == sizer.Position, "measured and written sizes differ");
        ChangedBlockCount = _changed.Count;
        RemovedBlockCount = removed.Length / 3;
        return _buffer.AsMemory(0, writer.Position);
    }
}
