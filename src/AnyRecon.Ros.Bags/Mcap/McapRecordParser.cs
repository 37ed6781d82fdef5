using AnyRecon.Ros.Checksums;
using System.Buffers.Binary;
using System.Text;

namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>A record's content does not hold the fields its opcode needs. <see cref="Position"/> is relative to the content start.</summary>
internal sealed class McapParseException(string reason, long position) : Exception(reason)
{
    public long Position { get; } = position;
}

/// <summary>
/// Reads the fields of one record's content. Every length is checked against the bytes left before anything is
/// allocated; bytes after the last known field are ignored (records may grow new fields at the end).
/// </summary>
internal ref struct McapFieldReader(ReadOnlySpan<byte> content)
{
    private readonly ReadOnlySpan<byte> _content = content;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _content.Length - _position;

    public byte U8() => Take(1, "uint8")[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, "uint16"));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "uint32"));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "uint64"));

    public string String()
    {
        ReadOnlySpan<byte> bytes = Prefixed32("string");
        return bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Bytes with a uint32 length prefix (a view into the content).</summary>
    public ReadOnlySpan<byte> Prefixed32(string what)
    {
        uint length = U32();
        if (length > (uint)Remaining) throw Fail($"{what} of {length} bytes runs past the record end ({Remaining} left)");
        return Take((int)length, what);
    }

    /// <summary>Bytes with a uint64 length prefix (a view into the content).</summary>
    public ReadOnlySpan<byte> Prefixed64(string what)
    {
        ulong length = U64();
        if (length > (ulong)Remaining) throw Fail($"{what} of {length} bytes runs past the record end ({Remaining} left)");
        return Take((int)length, what);
    }

    /// <summary>The rest of the content (Message data).</summary>
    public ReadOnlySpan<byte> Rest()
    {
        ReadOnlySpan<byte> rest = _content[_position..];
        _position = _content.Length;
        return rest;
    }

    public Dictionary<string, string> StringMap()
    {
        var inner = new McapFieldReader(Prefixed32("map"));
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            while (inner.Remaining > 0)
            {
                string key = inner.String();
                map[key] = inner.String();
            }
        }
        catch (McapParseException e)
        {
            throw Fail("map<string,string>: " + e.Message);
        }
        return map;
    }

    public Dictionary<ushort, ulong> U16U64Map()
    {
        ReadOnlySpan<byte> bytes = Prefixed32("map");
        if (bytes.Length % 10 != 0) throw Fail($"map<uint16,uint64> of {bytes.Length} bytes is not a whole number of 10-byte entries");
        var map = new Dictionary<ushort, ulong>(bytes.Length / 10);
        for (int i = 0; i < bytes.Length; i += 10)
            map[BinaryPrimitives.ReadUInt16LittleEndian(bytes[i..])] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i + 2)..]);
        return map;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining) throw Fail($"{what} needs {count} bytes but the record has {Remaining} left");
        ReadOnlySpan<byte> slice = _content.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly McapParseException Fail(string reason) => new(reason, _position);
}

/// <summary>Turns record content into record objects. Allocation-free helpers for the hot path live beside them.</summary>
internal static class McapRecordParser
{
    /// <summary>Opcode + uint64 content length.</summary>
    public const int RecordHeaderLength = 9;

    /// <summary>Fixed part of a Message record before its data.</summary>
    public const int MessageHeaderLength = 2 + 4 + 8 + 8;

    /// <summary>Footer content: summary_start, summary_offset_start, summary_crc.</summary>
    public const int FooterContentLength = 8 + 8 + 4;

    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'M', (byte)'C', (byte)'A', (byte)'P', (byte)'0', (byte)'\r', (byte)'\n'];

    public static McapHeader ParseHeader(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        string profile = r.String();
        return new McapHeader(profile, r.String());
    }

    public static McapFooter ParseFooter(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        return new McapFooter(r.U64(), r.U64(), r.U32());
    }

    public static McapSchema ParseSchema(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        ushort id = r.U16();
        string name = r.String();
        string encoding = r.String();
        return new McapSchema(id, name, encoding, r.Prefixed32("schema data").ToArray());
    }

    public static McapChannel ParseChannel(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        ushort id = r.U16();
        ushort schemaId = r.U16();
        string topic = r.String();
        string encoding = r.String();
        return new McapChannel(id, schemaId, topic, encoding, r.StringMap());
    }

    public static McapMessageRecord ParseMessage(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        ushort channel = r.U16();
        uint sequence = r.U32();
        ulong logTime = r.U64();
        ulong publishTime = r.U64();
        return new McapMessageRecord(channel, sequence, logTime, publishTime, r.Rest().ToArray());
    }

    /// <summary>Chunk fields up to the records length, from a prefix of the content (the records need not be loaded).</summary>
    public static McapChunkHeader ParseChunkPrefix(ReadOnlySpan<byte> prefix, out int recordsOffset, out ulong recordsLength)
    {
        var r = new McapFieldReader(prefix);
        var header = new McapChunkHeader(r.U64(), r.U64(), r.U64(), r.U32(), ParseCompression(ref r));
        recordsLength = r.U64();
        recordsOffset = r.Position;
        return header;
    }

    private static string ParseCompression(ref McapFieldReader r)
    {
        ReadOnlySpan<byte> name = r.Prefixed32("compression");
        // Interned names: the hot path compares them and must not allocate per chunk.
        if (name.IsEmpty) return "";
        if (name.SequenceEqual("zstd"u8)) return "zstd";
        if (name.SequenceEqual("lz4"u8)) return "lz4";
        return Encoding.UTF8.GetString(name);
    }

    public static McapMessageIndex ParseMessageIndex(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        ushort channel = r.U16();
        ReadOnlySpan<byte> bytes = r.Prefixed32("message index entries");
        if (bytes.Length % 16 != 0) throw new McapParseException($"message index array of {bytes.Length} bytes is not a whole number of 16-byte entries", 2);
        var entries = new McapMessageIndexEntry[bytes.Length / 16];
        for (int i = 0; i < entries.Length; i++)
            entries[i] = new McapMessageIndexEntry(
                BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 16)..]),
                BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 16 + 8)..]));
        return new McapMessageIndex(channel, entries);
    }

    public static McapChunkIndex ParseChunkIndex(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        ulong start = r.U64();
        ulong end = r.U64();
        ulong chunkStart = r.U64();
        ulong chunkLength = r.U64();
        Dictionary<ushort, ulong> offsets = r.U16U64Map();
        ulong indexLength = r.U64();
        string compression = ParseCompression(ref r);
        return new McapChunkIndex(start, end, chunkStart, chunkLength, offsets, indexLength, compression, r.U64(), r.U64());
    }

    public static McapAttachment ParseAttachment(ReadOnlySpan<byte> content, bool verifyCrc)
    {
        var r = new McapFieldReader(content);
        ulong logTime = r.U64();
        ulong createTime = r.U64();
        string name = r.String();
        string mediaType = r.String();
        ReadOnlySpan<byte> data = r.Prefixed64("attachment data");
        int crcPosition = r.Position;
        uint crc = r.U32();
        if (verifyCrc && crc != 0)
        {
            uint actual = Crc32.Compute(content[..crcPosition]);
            if (actual != crc) throw new McapParseException($"attachment '{name}' CRC mismatch: record says {crc:x8}, data gives {actual:x8}", crcPosition);
        }
        return new McapAttachment(logTime, createTime, name, mediaType, data.ToArray(), crc);
    }

    /// <summary>Attachment fields before its data, from a prefix of the content; for indexing without reading the data.</summary>
    public static McapAttachmentIndex ParseAttachmentPrefix(ReadOnlySpan<byte> prefix, ulong offset, ulong recordLength)
    {
        var r = new McapFieldReader(prefix);
        ulong logTime = r.U64();
        ulong createTime = r.U64();
        string name = r.String();
        string mediaType = r.String();
        ulong dataSize = r.U64();
        return new McapAttachmentIndex(offset, recordLength, logTime, createTime, dataSize, name, mediaType);
    }

    public static McapAttachmentIndex ParseAttachmentIndex(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        return new McapAttachmentIndex(r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.String(), r.String());
    }

    public static McapStatistics ParseStatistics(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        return new McapStatistics(r.U64(), r.U16(), r.U32(), r.U32(), r.U32(), r.U32(), r.U64(), r.U64(), r.U16U64Map());
    }

    public static McapMetadata ParseMetadata(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        string name = r.String();
        return new McapMetadata(name, r.StringMap());
    }

    public static McapMetadataIndex ParseMetadataIndex(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        return new McapMetadataIndex(r.U64(), r.U64(), r.String());
    }

    public static McapSummaryOffset ParseSummaryOffset(ReadOnlySpan<byte> content)
    {
        var r = new McapFieldReader(content);
        return new McapSummaryOffset((McapOpcode)r.U8(), r.U64(), r.U64());
    }

    public static McapDataEnd ParseDataEnd(ReadOnlySpan<byte> content) => new(new McapFieldReader(content).U32());

    /// <summary>Parses any known record except Chunk (which <see cref="McapReader.ReadRecords"/> expands instead); null for unknown opcodes.</summary>
    public static McapRecord? Parse(byte opcode, ReadOnlySpan<byte> content, bool verifyCrc) => (McapOpcode)opcode switch
    {
        McapOpcode.Header => ParseHeader(content),
        McapOpcode.Footer => ParseFooter(content),
        McapOpcode.Schema => ParseSchema(content),
        McapOpcode.Channel => ParseChannel(content),
        McapOpcode.Message => ParseMessage(content),
        McapOpcode.MessageIndex => ParseMessageIndex(content),
        McapOpcode.ChunkIndex => ParseChunkIndex(content),
        McapOpcode.Attachment => ParseAttachment(content, verifyCrc),
        McapOpcode.AttachmentIndex => ParseAttachmentIndex(content),
        McapOpcode.Statistics => ParseStatistics(content),
        McapOpcode.Metadata => ParseMetadata(content),
        McapOpcode.MetadataIndex => ParseMetadataIndex(content),
        McapOpcode.SummaryOffset => ParseSummaryOffset(content),
        McapOpcode.DataEnd => ParseDataEnd(content),
        _ => null,
    };

    /// <summary>Message fields without copying the data (hot path).</summary>
    public static bool TryReadMessageHeader(ReadOnlySpan<byte> content, out ushort channelId, out uint sequence, out ulong logTime, out ulong publishTime)
    {
        if (content.Length < MessageHeaderLength)
        {
            channelId = 0; sequence = 0; logTime = 0; publishTime = 0;
            return false;
        }
        channelId = BinaryPrimitives.ReadUInt16LittleEndian(content);
        sequence = BinaryPrimitives.ReadUInt32LittleEndian(content[2..]);
        logTime = BinaryPrimitives.ReadUInt64LittleEndian(content[6..]);
        publishTime = BinaryPrimitives.ReadUInt64LittleEndian(content[14..]);
        return true;
    }
}

/// <summary>The fixed fields of a Chunk record (the records themselves are read separately).</summary>
internal readonly record struct McapChunkHeader(ulong MessageStartTime, ulong MessageEndTime, ulong UncompressedSize, uint UncompressedCrc, string Compression);
