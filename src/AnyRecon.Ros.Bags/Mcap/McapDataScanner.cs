namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// Builds an index by walking the data section once: what a summary would have said (schemas, channels, chunk and
/// attachment/metadata positions, statistics). Used when a file's summary is missing or damaged. It stops at the first
/// damage to the record framing (everything before it stays indexed) and steps over chunks that fail to decode.
/// </summary>
internal sealed class McapDataScanner
{
    // Raw runs of top-level messages are cut at this size so loading one stays cheap.
    private const long MaxRawRunBytes = 4L << 20;

    private static readonly IReadOnlyDictionary<ushort, ulong> s_noMessageIndexes = new Dictionary<ushort, ulong>();

    private readonly McapFileSource _source;
    private readonly McapReaderOptions _options;
    private readonly McapChunkDecoder _decoder;
    private readonly McapFileIndex _index = new();
    private readonly Dictionary<ushort, ulong> _counts = [];
    private readonly bool[] _inUnit = new bool[ushort.MaxValue + 1];
    private readonly List<ushort> _unitChannels = [];
    private byte[] _buffer = [];
    private ulong _messageCount;
    private ulong _start = ulong.MaxValue;
    private ulong _end;
    private uint _chunkCount;
    private bool _decompress;
    private McapDataCrc? _crc;

    // The open raw run: top-level Schema/Channel/Message records back to back.
    private long _runStart = -1;
    private long _runEnd;
    private ulong _runFirst = ulong.MaxValue;
    private ulong _runLast;

    private readonly Action<BagFormatException> _onDamage;

    private McapDataScanner(McapFileSource source, McapReaderOptions options, McapChunkDecoder decoder, Action<BagFormatException> onDamage)
    {
        _onDamage = onDamage;
        _source = source;
        _options = options;
        _decoder = decoder;
    }

    /// <summary>
    /// Each damage met goes to <paramref name="onDamage"/> as it is found; the first is also kept in the index.
    /// Scans from <paramref name="dataStart"/> (just after the Header record). With <paramref name="decompressChunks"/>
    /// false it walks record headers only: finds chunks, attachments and metadata but no channels inside chunks.
    /// </summary>
    public static McapFileIndex Scan(McapFileSource source, long dataStart, McapReaderOptions options, McapChunkDecoder decoder,
        bool decompressChunks, Action<BagFormatException> onDamage)
    {
        var scanner = new McapDataScanner(source, options, decoder, onDamage);
        scanner.Run(dataStart, decompressChunks);
        return scanner._index;
    }

    private void Run(long position, bool decompressChunks)
    {
        _decompress = decompressChunks;
        try
        {
            if (decompressChunks && _options.VerifyCrcs)
            {
                _crc = new McapDataCrc();
                _crc.AppendRange(_source, 0, position);
            }
            while (true)
            {
                if (!_source.TryReadRecordHeader(position, _source.Length, out McapRecordHeader record))
                    throw _source.Damage(position, "the file ends without a Data End record (truncated or unfinished recording)");
                if (record.Opcode == 0) throw _source.Damage(position, "opcode 0x00 is not a valid record (corrupt data)");
                switch ((McapOpcode)record.Opcode)
                {
                    case McapOpcode.Schema:
                    case McapOpcode.Channel:
                    case McapOpcode.Message:
                        AddTopLevel(record);
                        break;
                    case McapOpcode.Chunk:
                        CloseRun();
                        AddChunk(record, decompressChunks);
                        break;
                    case McapOpcode.Attachment:
                        CloseRun();
                        AddAttachment(record);
                        _crc?.AppendRange(_source, record.Offset, record.End);
                        break;
                    case McapOpcode.Metadata:
                        CloseRun();
                        ReadOnlySpan<byte> content = _source.ReadContent(record, ref _buffer, _options.MaxRecordBytes);
                        _crc?.AppendRange(_source, record.Offset, record.ContentOffset);
                        _crc?.Append(record.ContentOffset, content);
                        string name = Parse(record, content, static c => McapRecordParser.ParseMetadata(c)).Name;
                        _index.MetadataIndexes.Add(new McapMetadataIndex((ulong)record.Offset, (ulong)record.TotalLength, name));
                        break;
                    case McapOpcode.DataEnd:
                        _crc?.Check(_source, record);
                        return;
                    case McapOpcode.Footer:
                        return;
                    default:
                        // Message indexes and unknown or private records carry nothing a reader of messages needs.
                        CloseRun();
                        _crc?.AppendRange(_source, record.Offset, record.End);
                        break;
                }
                position = record.End;
            }
        }
        catch (BagFormatException e)
        {
            _index.Damage ??= e;
            _onDamage(e);
        }
        finally
        {
            CloseRun();
            Finish();
        }
    }

    private void AddTopLevel(in McapRecordHeader record)
    {
        ReadOnlySpan<byte> content = _source.ReadContent(record, ref _buffer, _options.MaxRecordBytes);
        _crc?.AppendRange(_source, record.Offset, record.ContentOffset);
        _crc?.Append(record.ContentOffset, content);
        if (_runStart >= 0 && record.End - _runStart > MaxRawRunBytes) CloseRun();
        if (_runStart < 0) _runStart = record.Offset;
        _runEnd = record.End;
        switch ((McapOpcode)record.Opcode)
        {
            case McapOpcode.Schema:
                _index.Register(Parse(record, content, static c => McapRecordParser.ParseSchema(c)));
                break;
            case McapOpcode.Channel:
                _index.Register(Parse(record, content, static c => McapRecordParser.ParseChannel(c)));
                break;
            default:
                if (!McapRecordParser.TryReadMessageHeader(content, out ushort channelId, out _, out ulong logTime, out _))
                    throw _source.Damage(record.Offset, $"message record of {content.Length} bytes is shorter than its 22-byte header");
                CountMessage(channelId, logTime, ref _runFirst, ref _runLast);
                break;
        }
    }

    private void CloseRun()
    {
        if (_runStart < 0) return;
        if (_unitChannels.Count > 0)
            _index.Units.Add(new McapLoadUnit(_runStart, _runEnd - _runStart, _runFirst, _runLast, TakeUnitChannels(), IsRawRun: true));
        _runStart = -1;
        _runFirst = ulong.MaxValue;
        _runLast = 0;
    }

    private void AddChunk(in McapRecordHeader record, bool decompress)
    {
        _chunkCount++;
        McapChunkHeader header;
        ulong recordsLength;
        try
        {
            header = McapRecordParser.ParseChunkPrefix(_source.Peek(record.ContentOffset, (int)Math.Min(record.ContentLength, 4096)), out _, out recordsLength);
        }
        catch (McapParseException e)
        {
            throw _source.Damage(record.ContentOffset + e.Position, "chunk: " + e.Message);
        }

        ulong first = header.MessageStartTime, last = header.MessageEndTime;
        ushort[]? channels = null;
        if (!decompress) _crc?.AppendRange(_source, record.Offset, record.End);
        if (decompress)
        {
            first = ulong.MaxValue;
            last = 0;
            int length;
            try
            {
                _decoder.Load(_source, record, ref _buffer, out length, _options.VerifyCrcs, _options.MaxChunkBytes);
                if (_crc is not null) _decoder.AppendStoredBytes(_crc, _source, record, _buffer.AsSpan(0, length));
                ValidateChunk(record, _buffer.AsSpan(0, length));
                WalkChunk(record, _buffer.AsSpan(0, length), ref first, ref last);
            }
            catch (BagFormatException e)
            {
                // The chunk's framing is intact, so the records after it can still be read.
                _index.Damage ??= e;
                _onDamage(e);
                _crc?.Invalidate();
                foreach (ushort id in _unitChannels) _inUnit[id] = false;
                _unitChannels.Clear();
                return;
            }
            channels = TakeUnitChannels();
            if (channels.Length == 0) first = last = 0;
        }
        _index.Units.Add(new McapLoadUnit(record.Offset, record.TotalLength, first, last, channels, IsRawRun: false));
        _index.ChunkIndexes.Add(new McapChunkIndex(first, last, (ulong)record.Offset, (ulong)record.TotalLength, s_noMessageIndexes, 0,
            header.Compression, recordsLength, header.UncompressedSize));
    }

    /// <summary>Checks the framing of every record first, so a malformed chunk adds nothing to the counts.</summary>
    private void ValidateChunk(in McapRecordHeader record, ReadOnlySpan<byte> records)
    {
        int position = 0;
        try
        {
            while (McapRecordWalker.TryNext(records, ref position, out byte opcode, out int offset, out int length))
            {
                if (opcode == (byte)McapOpcode.Message && length < McapRecordParser.MessageHeaderLength)
                    throw new McapParseException($"message record of {length} bytes is shorter than its 22-byte header", offset);
            }
        }
        catch (McapParseException e)
        {
            throw _source.Damage(record.Offset, $"chunk records are malformed at uncompressed offset {e.Position}: {e.Message}");
        }
    }

    private void WalkChunk(in McapRecordHeader record, ReadOnlySpan<byte> records, ref ulong first, ref ulong last)
    {
        int position = 0;
        try
        {
            while (McapRecordWalker.TryNext(records, ref position, out byte opcode, out int offset, out int length))
            {
                ReadOnlySpan<byte> content = records.Slice(offset, length);
                switch ((McapOpcode)opcode)
                {
                    case McapOpcode.Schema:
                        _index.Register(McapRecordParser.ParseSchema(content));
                        break;
                    case McapOpcode.Channel:
                        _index.Register(McapRecordParser.ParseChannel(content));
                        break;
                    case McapOpcode.Message:
                        if (!McapRecordParser.TryReadMessageHeader(content, out ushort channelId, out _, out ulong logTime, out _))
                            throw new McapParseException($"message record of {length} bytes is shorter than its 22-byte header", offset);
                        CountMessage(channelId, logTime, ref first, ref last);
                        break;
                }
            }
        }
        catch (McapParseException e)
        {
            throw _source.Damage(record.Offset, $"chunk records are malformed at uncompressed offset {e.Position}: {e.Message}");
        }
    }

    private void CountMessage(ushort channelId, ulong logTime, ref ulong first, ref ulong last)
    {
        _messageCount++;
        _counts[channelId] = _counts.GetValueOrDefault(channelId) + 1;
        if (logTime < _start) _start = logTime;
        if (logTime > _end) _end = logTime;
        if (logTime < first) first = logTime;
        if (logTime > last) last = logTime;
        if (!_inUnit[channelId])
        {
            _inUnit[channelId] = true;
            _unitChannels.Add(channelId);
        }
    }

    private ushort[] TakeUnitChannels()
    {
        ushort[] ids = [.. _unitChannels];
        foreach (ushort id in ids) _inUnit[id] = false;
        _unitChannels.Clear();
        return ids;
    }

    private void AddAttachment(in McapRecordHeader record)
    {
        try
        {
            _index.AttachmentIndexes.Add(McapRecordParser.ParseAttachmentPrefix(
                _source.Peek(record.ContentOffset, (int)Math.Min(record.ContentLength, 16 * 1024)), (ulong)record.Offset, (ulong)record.TotalLength));
        }
        catch (McapParseException e)
        {
            throw _source.Damage(record.ContentOffset + e.Position, "attachment: " + e.Message);
        }
    }

    private T Parse<T>(in McapRecordHeader record, ReadOnlySpan<byte> content, McapParse<T> parse)
    {
        try
        {
            return parse(content);
        }
        catch (McapParseException e)
        {
            throw _source.Damage(record.ContentOffset + e.Position, $"{(McapOpcode)record.Opcode} record: {e.Message}");
        }
    }

    private void Finish()
    {
        _index.IndexesAttachmentsAndMetadata = true;
        if (!_decompress) return;
        bool any = _messageCount > 0;
        _index.Statistics = new McapStatistics(
            _messageCount,
            (ushort)Math.Min(_index.Schemas.Count, ushort.MaxValue),
            (uint)_index.Channels.Count,
            (uint)_index.AttachmentIndexes.Count,
            (uint)_index.MetadataIndexes.Count,
            _chunkCount,
            any ? _start : 0,
            any ? _end : 0,
            new Dictionary<ushort, ulong>(_counts));
        _index.IndexesMessages = true;
    }
}

/// <summary>Parses record content; a delegate type because spans cannot be generic arguments of Func.</summary>
internal delegate T McapParse<T>(ReadOnlySpan<byte> content);
