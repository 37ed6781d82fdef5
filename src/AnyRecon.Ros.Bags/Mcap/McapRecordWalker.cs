using System.Buffers.Binary;

namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>Steps through records laid out back to back in memory (uncompressed chunk contents, raw runs).</summary>
internal static class McapRecordWalker
{
    /// <summary>
    /// Reads the record header at <paramref name="position"/> and moves past the record. Returns false at the end;
    /// throws <see cref="McapParseException"/> (position relative to <paramref name="records"/>) when a record overruns.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> records, ref int position, out byte opcode, out int contentOffset, out int contentLength)
    {
        int start = position;
        if (start >= records.Length)
        {
            opcode = 0; contentOffset = 0; contentLength = 0;
            return false;
        }
        if (records.Length - start < McapRecordParser.RecordHeaderLength)
            throw new McapParseException($"{records.Length - start} trailing bytes are too few for a record header", start);
        opcode = records[start];
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(records[(start + 1)..]);
        int room = records.Length - start - McapRecordParser.RecordHeaderLength;
        if (length > (ulong)room)
            throw new McapParseException($"record (opcode 0x{opcode:x2}) declares {length} bytes but only {room} remain", start);
        if (opcode == 0) throw new McapParseException("opcode 0x00 is not a valid record", start);
        contentOffset = start + McapRecordParser.RecordHeaderLength;
        contentLength = (int)length;
        position = contentOffset + contentLength;
        return true;
    }
}
