using AnyRecon.Ros.Checksums;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// One 8³ block in structure-of-arrays layout: a contiguous float[512] per quantity and one byte[1536] of colour
/// planes (R, then G, then B), so a row of 8 voxels is 8 adjacent floats for SIMD. The generated channel is allocated
/// only when generated evidence first arrives, which keeps observed-only maps at half the size.
/// </summary>
internal sealed class VoxelBlock
{
    public const int N = BlockIndex.VoxelCount;
    private const int ChannelBytes = N * 4 * 2 + N * 3;

    /// <summary>Bytes of a serialized block record before the checksum (index, stamp, flags, padding).</summary>
    public const int RecordHeaderBytes = 12 + 8 + 4;

    public VoxelBlock(BlockIndex index) => Index = index;

    public BlockIndex Index { get; internal set; }

    /// <summary>Value of <see cref="VoxelMemory.Stamp"/> when any voxel last changed.</summary>
    public long ChangedStamp;

    /// <summary>
    /// Stamp of the frame whose work list last held this block (set by <see cref="VoxelMemory.GetOrAllocate(BlockIndex, bool)"/>). The
    /// eviction policy keeps the current frame's blocks resident and evicts least recently used ones first. RAM only:
    /// never written to disk.
    /// </summary>
    public long LastUsedStamp;

    /// <summary>
    /// The frame (stamp it will take) whose integration work list holds this block: lets the integrator merge its
    /// per-thread block sets and the carving set with one map lookup per block and no set of its own. RAM only.
    /// </summary>
    public long WorkListStamp;

    public readonly float[] ObservedTsdf = new float[N];
    public readonly float[] ObservedWeight = new float[N];
    public readonly byte[] ObservedColor = new byte[N * 3];

    public float[]? GeneratedTsdf;
    public float[]? GeneratedWeight;
    public byte[]? GeneratedColor;

    public bool HasGenerated => GeneratedTsdf is not null;

    public void EnsureGenerated()
    {
        if (GeneratedTsdf is not null) return;
        GeneratedColor = new byte[N * 3];
        GeneratedWeight = new float[N];
        GeneratedTsdf = new float[N];
    }

    /// <summary>Empties the block for reuse from the pool (keeps the generated arrays allocated but zeroed).</summary>
    public void Reset(BlockIndex index)
    {
        Index = index;
        ChangedStamp = 0;
        LastUsedStamp = 0;
        WorkListStamp = 0;
        Array.Clear(ObservedTsdf);
        Array.Clear(ObservedWeight);
        Array.Clear(ObservedColor);
        if (GeneratedTsdf is not null)
        {
            Array.Clear(GeneratedTsdf);
            Array.Clear(GeneratedWeight!);
            Array.Clear(GeneratedColor!);
            GeneratedTsdf = null;
            GeneratedWeight = null;
            GeneratedColor = null;
        }
    }

    public int RecordBytes => RecordLength(HasGenerated);

    public static int RecordLength(bool hasGenerated) => RecordHeaderBytes + ChannelBytes * (hasGenerated ? 2 : 1) + 4;

    /// <summary>Writes the block record (little-endian, CRC32 of the record last) into <paramref name="destination"/>.</summary>
    public void WriteRecord(Span<byte> destination)
    {
        int length = RecordBytes;
        var d = destination[..length];
        BinaryPrimitives.WriteInt32LittleEndian(d, Index.X);
        BinaryPrimitives.WriteInt32LittleEndian(d[4..], Index.Y);
        BinaryPrimitives.WriteInt32LittleEndian(d[8..], Index.Z);
        BinaryPrimitives.WriteInt64LittleEndian(d[12..], ChangedStamp);
        d[20] = (byte)(HasGenerated ? 1 : 0);
        d[21] = d[22] = d[23] = 0;
        int offset = WriteChannel(d, RecordHeaderBytes, ObservedTsdf, ObservedWeight, ObservedColor);
        if (HasGenerated) offset = WriteChannel(d, offset, GeneratedTsdf!, GeneratedWeight!, GeneratedColor!);
        BinaryPrimitives.WriteUInt32LittleEndian(d[offset..], Crc32.Compute(d[..offset]));
    }

    private static int WriteChannel(Span<byte> d, int offset, float[] tsdf, float[] weight, byte[] color)
    {
        WriteFloats(tsdf, d.Slice(offset, N * 4));
        WriteFloats(weight, d.Slice(offset + N * 4, N * 4));
        color.CopyTo(d.Slice(offset + N * 8, N * 3));
        return offset + ChannelBytes;
    }

    private static void WriteFloats(float[] source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(source.AsSpan()).CopyTo(destination);
        else for (int i = 0; i < source.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], source[i]);
    }

    private static void ReadFloats(ReadOnlySpan<byte> source, float[] destination)
    {
        if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(destination.AsSpan()));
        else for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
    }

    /// <summary>Reads the fixed record header: index and whether a generated channel follows (so the caller knows the length).</summary>
    public static bool TryReadRecordHeader(ReadOnlySpan<byte> header, out BlockIndex index, out long stamp, out bool hasGenerated, out string? problem)
    {
        index = new BlockIndex(
            BinaryPrimitives.ReadInt32LittleEndian(header),
            BinaryPrimitives.ReadInt32LittleEndian(header[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[8..]));
        stamp = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        byte flags = header[20];
        hasGenerated = (flags & 1) != 0;
        problem = (flags & ~1) != 0 || header[21] != 0 || header[22] != 0 || header[23] != 0 ? $"unknown block flags 0x{flags:x2}" : null;
        return problem is null;
    }

    /// <summary>Fills this block from a whole record whose header has been read; false when the checksum does not match.</summary>
    public bool TryReadRecordBody(ReadOnlySpan<byte> record, bool hasGenerated)
    {
        int crcOffset = record.Length - 4;
        if (Crc32.Compute(record[..crcOffset]) != BinaryPrimitives.ReadUInt32LittleEndian(record[crcOffset..])) return false;
        ReadChannel(record, RecordHeaderBytes, ObservedTsdf, ObservedWeight, ObservedColor);
        if (hasGenerated)
        {
            EnsureGenerated();
            ReadChannel(record, RecordHeaderBytes + ChannelBytes, GeneratedTsdf!, GeneratedWeight!, GeneratedColor!);
        }
        return true;
    }

    private static void ReadChannel(ReadOnlySpan<byte> r, int offset, float[] tsdf, float[] weight, byte[] color)
    {
        ReadFloats(r.Slice(offset, N * 4), tsdf);
        ReadFloats(r.Slice(offset + N * 4, N * 4), weight);
        r.Slice(offset + N * 8, N * 3).CopyTo(color);
    }
}
