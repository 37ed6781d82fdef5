using AnyRecon.Ros.Checksums;
using System.Buffers;
using System.Buffers.Binary;
using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// Saves and loads a whole <see cref="VoxelMemory"/>. Layout (little-endian): a 64-byte header
/// (magic "ARVOXMAP", version, header length, voxel size, truncation, max weight, settle weight, block count, stamp,
/// CRC-32 of the header), one self-checking record per block (index, stamp, flags, observed channel, optional
/// generated channel, CRC-32 of the record), then a 20-byte footer ("ARVOXEND", block count, CRC-32) that proves the
/// file is complete. Saving writes a temp file, flushes it to disk and renames it over the target, so a crash
/// leaves either the old map or the new one.
/// </summary>
public static class VoxelMapFile
{
    public const int CurrentVersion = 1;
    private const int HeaderBytes = 64;
    private const int FooterBytes = 20;
    private static ReadOnlySpan<byte> Magic => "ARVOXMAP"u8;
    private static ReadOnlySpan<byte> FooterMagic => "ARVOXEND"u8;

    /// <summary>Header facts of a saved map, without reading its blocks (for <c>anyrecon map info</c>).</summary>
    public readonly record struct MapInfo(int Version, double VoxelSizeMeters, int TruncationVoxels, float MaxWeight, float SettledObservedWeight, long BlockCount, long Stamp, long FileBytes);

    public static void Save(VoxelMemory memory, string path)
    {
        ArgumentNullException.ThrowIfNull(memory);
        string temp = path + ".tmp";
        var indices = memory.GetBlockIndices();
        // Sorted, so the same map always gives the same bytes.
        indices.Sort(static (a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.Z.CompareTo(b.Z));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(VoxelBlock.RecordLength(hasGenerated: true));
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> header = stackalloc byte[HeaderBytes];
                header.Clear();
                Magic.CopyTo(header);
                BinaryPrimitives.WriteInt32LittleEndian(header[8..], CurrentVersion);
                BinaryPrimitives.WriteInt32LittleEndian(header[12..], HeaderBytes);
                BinaryPrimitives.WriteDoubleLittleEndian(header[16..], memory.VoxelSizeMeters);
                BinaryPrimitives.WriteInt32LittleEndian(header[24..], memory.TruncationVoxels);
                BinaryPrimitives.WriteSingleLittleEndian(header[28..], memory.MaxWeight);
                BinaryPrimitives.WriteSingleLittleEndian(header[32..], memory.SettledObservedWeight);
                BinaryPrimitives.WriteInt64LittleEndian(header[40..], indices.Count);
                BinaryPrimitives.WriteInt64LittleEndian(header[48..], memory.Stamp);
                BinaryPrimitives.WriteUInt32LittleEndian(header[60..], Crc32.Compute(header[..60]));
                file.Write(header);

                var scratch = new VoxelBlock(default);
                foreach (var index in indices)
                {
                    var block = memory.PeekBlock(index, scratch) ?? throw new InvalidOperationException($"block {index} vanished while saving");
                    int length = block.RecordBytes;
                    block.WriteRecord(buffer);
                    file.Write(buffer, 0, length);
                }

                Span<byte> footer = stackalloc byte[FooterBytes];
                FooterMagic.CopyTo(footer);
                BinaryPrimitives.WriteInt64LittleEndian(footer[8..], indices.Count);
                BinaryPrimitives.WriteUInt32LittleEndian(footer[16..], Crc32.Compute(footer[..16]));
                file.Write(footer);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static MapInfo ReadInfo(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return ReadHeader(path, file);
    }

    /// <summary>
    /// Loads a map. Voxel size, truncation and weights come from the file; the block budget and eviction folder from
    /// <paramref name="runtime"/> (when the budget is exceeded during loading, blocks farthest from the world origin
    /// are evicted first).
    /// </summary>
    public static VoxelMemory Load(string path, VoxelMemoryOptions? runtime = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var info = ReadHeader(path, file);
        var options = new VoxelMemoryOptions
        {
            VoxelSizeMeters = info.VoxelSizeMeters,
            TruncationVoxels = info.TruncationVoxels,
            MaxWeight = info.MaxWeight,
            SettledObservedWeight = info.SettledObservedWeight,
            MaxBlocksInMemory = runtime?.MaxBlocksInMemory ?? VoxelMemoryOptions.DefaultMaxBlocksInMemory,
            EvictionDirectory = runtime?.EvictionDirectory,
            EvictionLowWaterFraction = runtime?.EvictionLowWaterFraction ?? VoxelMemoryOptions.DefaultEvictionLowWaterFraction,
        };
        var memory = new VoxelMemory(options);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(VoxelBlock.RecordLength(hasGenerated: true));
        try
        {
            long minRecord = VoxelBlock.RecordLength(hasGenerated: false);
            long remaining = file.Length - file.Position;
            if (info.BlockCount < 0 || info.BlockCount > remaining / minRecord)
                throw new VoxelMapFormatException(path, 40, $"header declares {info.BlockCount} blocks, but only {Math.Max(0, remaining)} bytes of records follow");
            for (long b = 0; b < info.BlockCount; b++)
            {
                long at = file.Position;
                ReadExactly(path, file, buffer.AsSpan(0, VoxelBlock.RecordHeaderBytes), at, "block record header");
                if (!VoxelBlock.TryReadRecordHeader(buffer, out var index, out long stamp, out bool hasGenerated, out string? problem))
                    throw new VoxelMapFormatException(path, at, problem!);
                int length = VoxelBlock.RecordLength(hasGenerated);
                ReadExactly(path, file, buffer.AsSpan(VoxelBlock.RecordHeaderBytes, length - VoxelBlock.RecordHeaderBytes), at, "block record");
                if (memory.Contains(index)) throw new VoxelMapFormatException(path, at, $"block {index} appears twice");
                var block = memory.GetOrAllocate(index, markUsed: false);
                if (!block.TryReadRecordBody(buffer.AsSpan(0, length), hasGenerated))
                    throw new VoxelMapFormatException(path, at, $"checksum mismatch in block {index}");
                block.ChangedStamp = stamp;
                if (memory.ResidentBlockCount > options.MaxBlocksInMemory) memory.EnforceBudget(Vector3d.Zero);
            }
            long footerAt = file.Position;
            Span<byte> footer = stackalloc byte[FooterBytes];
            ReadExactly(path, file, footer, footerAt, "footer");
            if (!footer[..8].SequenceEqual(FooterMagic) || Crc32.Compute(footer[..16]) != BinaryPrimitives.ReadUInt32LittleEndian(footer[16..])
                || BinaryPrimitives.ReadInt64LittleEndian(footer[8..]) != info.BlockCount)
                throw new VoxelMapFormatException(path, footerAt, "footer missing or damaged (file incomplete?)");
            if (file.Position != file.Length) throw new VoxelMapFormatException(path, file.Position, $"{file.Length - file.Position} unexpected bytes after the footer");
            memory.RestoreStamp(info.Stamp);
            return memory;
        }
        catch
        {
            memory.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static MapInfo ReadHeader(string path, FileStream file)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        ReadExactly(path, file, header, 0, "header");
        if (!header[..8].SequenceEqual(Magic)) throw new VoxelMapFormatException(path, 0, "not a voxel map (bad magic)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != CurrentVersion) throw new VoxelMapFormatException(path, 8, $"version {version} is not supported (this build reads {CurrentVersion})");
        if (Crc32.Compute(header[..60]) != BinaryPrimitives.ReadUInt32LittleEndian(header[60..]))
            throw new VoxelMapFormatException(path, 60, "header checksum mismatch");
        if (BinaryPrimitives.ReadInt32LittleEndian(header[12..]) != HeaderBytes) throw new VoxelMapFormatException(path, 12, "unexpected header length");
        double voxelSize = BinaryPrimitives.ReadDoubleLittleEndian(header[16..]);
        int truncation = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        float maxWeight = BinaryPrimitives.ReadSingleLittleEndian(header[28..]);
        float settled = BinaryPrimitives.ReadSingleLittleEndian(header[32..]);
        if (voxelSize is not (>= VoxelMemoryOptions.MinVoxelSizeMeters and <= VoxelMemoryOptions.MaxVoxelSizeMeters) || truncation is < 1 or > 16
            || !(maxWeight > 0) || !(settled > 0))
            throw new VoxelMapFormatException(path, 16, $"implausible parameters: voxel {voxelSize} m, truncation {truncation}, weights {maxWeight}/{settled}");
        return new MapInfo(version, voxelSize, truncation, maxWeight, settled,
            BinaryPrimitives.ReadInt64LittleEndian(header[40..]), BinaryPrimitives.ReadInt64LittleEndian(header[48..]), file.Length);
    }

    private static void ReadExactly(string path, FileStream file, Span<byte> destination, long recordOffset, string what)
    {
        int read = file.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read != destination.Length) throw new VoxelMapFormatException(path, recordOffset, $"file ends inside the {what}");
    }
}
