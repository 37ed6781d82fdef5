using AnyRecon.Ros.Checksums;
namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// Reads a Chunk record and produces its uncompressed records in a caller-owned, reused buffer. Holds one zstd and
/// one lz4 context and one buffer for compressed bytes; not thread-safe.
/// </summary>
internal sealed class McapChunkDecoder : IDisposable
{
    // Enough for the fixed fields plus any sane compression name; the records themselves are read separately.
    private const int PrefixBytes = 4096;

    private ZstdDecoder? _zstd;
    private Lz4FrameDecoder? _lz4;
    private byte[] _compressed = [];
    private int _compressedLength;
    private long _recordsStart;
    private bool _lastWasCompressed;

    /// <summary>
    /// Loads the chunk at <paramref name="record"/> into <paramref name="target"/> (grown as needed) and returns its fixed
    /// fields; <paramref name="length"/> is the uncompressed size. Damage throws <see cref="BagFormatException"/> at the chunk offset.
    /// </summary>
    public McapChunkHeader Load(McapFileSource source, in McapRecordHeader record, ref byte[] target, out int length, bool verifyCrc, long maxBytes)
    {
        McapChunkHeader header;
        int recordsOffset;
        ulong recordsLength;
        try
        {
            header = McapRecordParser.ParseChunkPrefix(source.Peek(record.ContentOffset, (int)Math.Min(record.ContentLength, PrefixBytes)), out recordsOffset, out recordsLength);
        }
        catch (McapParseException e)
        {
            throw source.Damage(record.ContentOffset + e.Position, "chunk: " + e.Message);
        }
        if (recordsLength > (ulong)(record.ContentLength - recordsOffset))
            throw source.Damage(record.ContentOffset, $"chunk records of {recordsLength} bytes run past the chunk record's {record.ContentLength} bytes");
        if (header.UncompressedSize > (ulong)maxBytes)
            throw source.Damage(record.Offset, $"chunk declares {header.UncompressedSize} uncompressed bytes, above the limit of {maxBytes} (MaxChunkBytes)");

        length = (int)header.UncompressedSize;
        long recordsStart = record.ContentOffset + recordsOffset;
        _recordsStart = recordsStart;
        _lastWasCompressed = false;
        _compressedLength = 0;
        EnsureCapacity(ref target, length);
        Span<byte> output = target.AsSpan(0, length);
        switch (header.Compression)
        {
            case "":
                if (recordsLength != header.UncompressedSize)
                    throw source.Damage(record.Offset, $"uncompressed chunk holds {recordsLength} bytes but declares {header.UncompressedSize}");
                source.ReadExactly(recordsStart, output);
                break;
            case "zstd":
            case "lz4":
                if (recordsLength > (ulong)Array.MaxLength)
                    throw source.Damage(record.Offset, $"compressed chunk of {recordsLength} bytes is too large to read");
                EnsureCapacity(ref _compressed, (int)recordsLength);
                Span<byte> input = _compressed.AsSpan(0, (int)recordsLength);
                source.ReadExactly(recordsStart, input);
                _lastWasCompressed = true;
                _compressedLength = input.Length;
                int produced;
                try
                {
                    produced = header.Compression == "zstd"
                        ? (_zstd ??= new ZstdDecoder()).Decompress(input, output)
                        : (_lz4 ??= new Lz4FrameDecoder()).Decompress(input, output);
                }
                catch (CompressionException e)
                {
                    throw source.Damage(record.Offset, $"{header.Compression} chunk does not decompress: {e.Message}", e);
                }
                if (produced != length)
                    throw source.Damage(record.Offset, $"{header.Compression} chunk decompressed to {produced} bytes but declares {length}");
                break;
            default:
                throw source.Damage(record.Offset, $"chunk uses unsupported compression '{header.Compression}'");
        }

        if (verifyCrc && header.UncompressedCrc != 0)
        {
            uint actual = Crc32.Compute(output);
            if (actual != header.UncompressedCrc)
                throw source.Damage(record.Offset, $"chunk CRC mismatch: record says {header.UncompressedCrc:x8}, records give {actual:x8}");
        }
        return header;
    }

    /// <summary>
    /// Feeds the last loaded chunk record's bytes, as stored in the file, to <paramref name="crc"/> (for the data section
    /// CRC) without reading the records twice; <paramref name="uncompressed"/> is the buffer the chunk was loaded into.
    /// </summary>
    public void AppendStoredBytes(McapDataCrc crc, McapFileSource source, in McapRecordHeader record, ReadOnlySpan<byte> uncompressed)
    {
        ReadOnlySpan<byte> stored = _lastWasCompressed ? _compressed.AsSpan(0, _compressedLength) : uncompressed;
        crc.AppendRange(source, record.Offset, _recordsStart);
        crc.Append(_recordsStart, stored);
        crc.AppendRange(source, _recordsStart + stored.Length, record.End);
    }

    /// <summary>Grows <paramref name="buffer"/> to hold <paramref name="length"/> bytes, with headroom so slowly growing chunks do not reallocate each time.</summary>
    public static void EnsureCapacity(ref byte[] buffer, int length)
    {
        if (buffer.Length >= length) return;
        long grown = Math.Max(length, Math.Min((long)buffer.Length * 5 / 4, Array.MaxLength));
        buffer = GC.AllocateUninitializedArray<byte>((int)grown);
    }

    public void Dispose()
    {
        _zstd?.Dispose();
        _lz4?.Dispose();
    }
}
