using AnyRecon.Ros.Checksums;
namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// The streamed view behind <see cref="McapReader.ReadRecords"/>: every record from the Header to the Footer, chunks
/// expanded in place, Message Index and unknown records left out. Holds one chunk's records at a time.
/// </summary>
internal sealed class McapRecordStream(McapReader reader)
{
    private const int CrcBlockBytes = 1 << 20;

    private readonly McapFileSource _source = reader.Source;
    private readonly McapReaderOptions _options = reader.Options;
    private long _position = McapRecordParser.Magic.Length;
    private byte[] _buffer = [];

    public IEnumerable<McapRecord> Read()
    {
        using var decoder = new McapChunkDecoder();
        var batch = new List<McapRecord>();
        BagFormatException? damage = null;
        bool done = false;
        while (!done)
        {
            batch.Clear();
            try
            {
                done = Next(batch, decoder);
            }
            catch (BagFormatException e)
            {
                damage = e;
                done = true;
            }
            foreach (McapRecord record in batch) yield return record;
        }
        if (damage is not null)
        {
            reader.Report(new McapProblem(McapProblemKind.DataDamaged, damage.FilePath, damage.Offset, damage.Reason, damage));
            if (_options.DamagePolicy == McapDamagePolicy.Throw) throw damage;
        }
    }

    /// <summary>Adds the records of the next top-level record to <paramref name="batch"/>; true after the Footer.</summary>
    private bool Next(List<McapRecord> batch, McapChunkDecoder decoder)
    {
        if (!_source.TryReadRecordHeader(_position, _source.Length, out McapRecordHeader record))
            throw _source.Damage(_position, "the file ends without a Footer record (truncated or unfinished recording)");
        if (record.Opcode == 0) throw _source.Damage(_position, "opcode 0x00 is not a valid record (corrupt data)");
        _position = record.End;
        switch ((McapOpcode)record.Opcode)
        {
            case McapOpcode.Chunk:
                decoder.Load(_source, record, ref _buffer, out int length, _options.VerifyCrcs, _options.MaxChunkBytes);
                ExpandChunk(record, _buffer.AsSpan(0, length), batch);
                return false;
            case McapOpcode.MessageIndex:
                return false;
        }

        ReadOnlySpan<byte> content = _source.ReadContent(record, ref _buffer, _options.MaxRecordBytes);
        McapRecord? parsed;
        try
        {
            parsed = McapRecordParser.Parse(record.Opcode, content, _options.VerifyCrcs);
        }
        catch (McapParseException e)
        {
            throw _source.Damage(record.ContentOffset + e.Position, $"{(McapOpcode)record.Opcode} record: {e.Message}");
        }
        if (parsed is null) return false;
        switch (parsed)
        {
            case McapDataEnd dataEnd when _options.VerifyCrcs && dataEnd.DataSectionCrc != 0:
                uint actual = CrcOfRange(0, record.Offset);
                if (actual != dataEnd.DataSectionCrc)
                    throw _source.Damage(record.Offset, $"data section CRC mismatch: Data End says {dataEnd.DataSectionCrc:x8}, data gives {actual:x8}");
                break;
            case McapFooter footer:
                CheckFooter(record, footer);
                batch.Add(footer);
                return true;
        }
        batch.Add(parsed);
        return false;
    }

    private void ExpandChunk(in McapRecordHeader chunk, ReadOnlySpan<byte> records, List<McapRecord> batch)
    {
        int position = 0;
        try
        {
            while (McapRecordWalker.TryNext(records, ref position, out byte opcode, out int offset, out int length))
            {
                if (opcode is (byte)McapOpcode.MessageIndex or (byte)McapOpcode.Chunk) continue;
                if (McapRecordParser.Parse(opcode, records.Slice(offset, length), _options.VerifyCrcs) is { } inner) batch.Add(inner);
            }
        }
        catch (McapParseException e)
        {
            throw _source.Damage(chunk.Offset, $"malformed record in chunk at uncompressed offset {e.Position}: {e.Message}");
        }
    }

    private void CheckFooter(in McapRecordHeader record, McapFooter footer)
    {
        long magicOffset = record.End;
        if (_source.Length - magicOffset < McapRecordParser.Magic.Length
            || !_source.Peek(magicOffset, McapRecordParser.Magic.Length).SequenceEqual(McapRecordParser.Magic))
            throw _source.Damage(magicOffset, "no trailing magic after the Footer");
        if (_source.Length != magicOffset + McapRecordParser.Magic.Length)
            throw _source.Damage(magicOffset + McapRecordParser.Magic.Length, "bytes follow the trailing magic");
        if (_options.VerifyCrcs && footer.SummaryCrc != 0)
        {
            long start = footer.SummaryStart != 0 ? (long)Math.Min(footer.SummaryStart, (ulong)record.Offset) : record.Offset;
            uint actual = CrcOfRange(start, record.ContentOffset + 16);
            if (actual != footer.SummaryCrc)
                throw _source.Damage(start, $"summary CRC mismatch: Footer says {footer.SummaryCrc:x8}, summary gives {actual:x8}");
        }
    }

    private uint CrcOfRange(long start, long end)
    {
        byte[] block = new byte[(int)Math.Min(CrcBlockBytes, Math.Max(1, end - start))];
        uint crc = 0;
        for (long at = start; at < end; at += block.Length)
        {
            int n = (int)Math.Min(block.Length, end - at);
            _source.ReadExactly(at, block.AsSpan(0, n));
            crc = Crc32.Append(crc, block.AsSpan(0, n));
        }
        return crc;
    }
}
