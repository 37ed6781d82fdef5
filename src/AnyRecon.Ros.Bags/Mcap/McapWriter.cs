using AnyRecon.Ros.Checksums;
namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>Chunk compression of <see cref="McapWriter"/>.</summary>
public enum McapCompression
{
    /// <summary>Chunks stored as-is (compression <c>""</c>).</summary>
    None,

    /// <summary>zstd frames (rosbag2's default for MCAP).</summary>
    Zstd,

    /// <summary>LZ4 frames: faster, larger.</summary>
    Lz4,
}

/// <summary>Options of <see cref="McapWriter"/>.</summary>
public sealed class McapWriterOptions
{
    /// <summary>rosbag2's MCAP chunk size: 768 KiB of uncompressed records.</summary>
    public const int DefaultChunkSizeBytes = 768 * 1024;

    /// <summary>Default of <see cref="Library"/>.</summary>
    public const string DefaultLibrary = "anyrecon";

    private readonly int _chunkSizeBytes = DefaultChunkSizeBytes;
    private readonly int _compressionLevel = ZstdEncoder.DefaultLevel;

    /// <summary>Header profile: <c>ros2</c> for rosbag2 files. Default empty.</summary>
    public string Profile { get; init; } = "";

    /// <summary>Header library string. Default <see cref="DefaultLibrary"/>.</summary>
    public string Library { get; init; } = DefaultLibrary;

    /// <summary>Chunk compression. Default <see cref="McapCompression.Zstd"/>.</summary>
    public McapCompression Compression { get; init; } = McapCompression.Zstd;

    /// <summary>zstd level (-7..22; ignored for other compressions). Default <see cref="ZstdEncoder.DefaultLevel"/> (fast, like rosbag2 recording).</summary>
    public int CompressionLevel
    {
        get => _compressionLevel;
        init => _compressionLevel = value is >= -7 and <= 22 ? value : throw new ArgumentOutOfRangeException(nameof(CompressionLevel), value, "zstd levels run from -7 to 22");
    }

    /// <summary>
    /// A chunk is closed once its uncompressed records reach this size (a single larger message makes one larger chunk).
    /// Default <see cref="DefaultChunkSizeBytes"/>; 1 byte to 1 GiB. Bigger chunks compress better but readers hold more at once.
    /// </summary>
    public int ChunkSizeBytes
    {
        get => _chunkSizeBytes;
        init => _chunkSizeBytes = value is >= 1 and <= 1 << 30 ? value : throw new ArgumentOutOfRangeException(nameof(ChunkSizeBytes), value, "must be between 1 byte and 1 GiB");
    }

    /// <summary>Write chunk, attachment, data section and summary CRCs. Default true; costs one CRC pass over the written bytes.</summary>
    public bool ComputeCrcs { get; init; } = true;

    /// <summary>Write Message Index records after each chunk (readers use them to pick chunks by channel). Default true.</summary>
    public bool WriteMessageIndexes { get; init; } = true;

    /// <summary>Write the summary (schemas, channels, statistics, chunk/attachment/metadata indexes, summary offsets). Default true.</summary>
    public bool WriteSummary { get; init; } = true;
}

/// <summary>
/// Writes an MCAP file: Header, Schema and Channel records as they are added, messages in chunks followed by their
/// Message Index records, attachments and metadata, Data End, then the summary and Footer on <see cref="Dispose"/>.
/// Not thread-safe.
/// </summary>
public sealed class McapWriter : IDisposable
{
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly McapWriterOptions _options;
    private readonly McapRecordBuffer _record = new();
    private readonly McapRecordBuffer _chunk = new(64 * 1024);
    private readonly ZstdEncoder? _zstd;
    private readonly string _compressionName;
    private readonly List<McapSchema> _schemas = [];
    private readonly Dictionary<ushort, McapChannel> _channels = [];
    private readonly List<McapChannel> _channelOrder = [];
    private readonly Dictionary<ushort, ulong> _messageCounts = [];
    private readonly List<McapChunkIndex> _chunkIndexes = [];
    private readonly List<McapAttachmentIndex> _attachmentIndexes = [];
    private readonly List<McapMetadataIndex> _metadataIndexes = [];

    // Message index entries of the open chunk, per channel in order of first appearance.
    private readonly Dictionary<ushort, List<McapMessageIndexEntry>> _chunkMessageIndex = [];
    private readonly List<ushort> _chunkChannels = [];
    private ulong _chunkStartTime;
    private ulong _chunkEndTime;
    private byte[] _compressed = [];

    private long _position;
    private bool _dataCrcActive = true;
    private uint _dataCrc;
    private bool _summaryCrcActive;
    private uint _summaryCrc;
    private ulong _messageCount;
    private ulong _startTime = ulong.MaxValue;
    private ulong _endTime;
    private bool _finished;

    /// <summary>Creates (or overwrites) <paramref name="filePath"/>.</summary>
    public McapWriter(string filePath, McapWriterOptions? options = null)
        : this(new FileStream(filePath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20), options, leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="output"/>, which must start empty at position 0 (offsets are counted from the first byte written).</summary>
    public McapWriter(Stream output, McapWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("stream is not writable", nameof(output));
        _output = output;
        _ownsOutput = !leaveOpen;
        _options = options ?? new McapWriterOptions();
        _compressionName = _options.Compression switch
        {
            McapCompression.None => "",
            McapCompression.Zstd => "zstd",
            McapCompression.Lz4 => "lz4",
            _ => throw new ArgumentOutOfRangeException(nameof(options), _options.Compression, "unknown compression"),
        };
        if (_options.Compression == McapCompression.Zstd) _zstd = new ZstdEncoder(_options.CompressionLevel);

        Write(McapRecordParser.Magic);
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.Header);
        _record.String(_options.Profile);
        _record.String(_options.Library);
        _record.EndRecord(at);
        WriteRecordBuffer();
    }

    /// <summary>Bytes in the file so far plus the uncompressed bytes of the open chunk (an estimate for split-by-size).</summary>
    public long BytesWritten => _position + _chunk.Length;

    /// <summary>Adds a schema and returns its id (1, 2, ...). The Schema record goes to the data section at once.</summary>
    public ushort AddSchema(string name, string encoding, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(encoding);
        ThrowIfFinished();
        if (_schemas.Count == ushort.MaxValue) throw new InvalidOperationException("an MCAP file holds at most 65535 schemas");
        var schema = new McapSchema((ushort)(_schemas.Count + 1), name, encoding, data.ToArray());
        _schemas.Add(schema);
        WriteSchema(schema);
        WriteRecordBuffer();
        return schema.Id;
    }

    /// <summary>Adds a channel and returns its id (1, 2, ...). <paramref name="schemaId"/> 0 means "no schema".</summary>
    public ushort AddChannel(ushort schemaId, string topic, string messageEncoding, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(messageEncoding);
        ThrowIfFinished();
        if (schemaId > _schemas.Count) throw new ArgumentException($"schema {schemaId} was not added", nameof(schemaId));
        if (_channels.Count == ushort.MaxValue) throw new InvalidOperationException("an MCAP file holds at most 65535 channels");
        var channel = new McapChannel((ushort)(_channels.Count + 1), schemaId, topic, messageEncoding,
            new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal));
        _channels.Add(channel.Id, channel);
        _channelOrder.Add(channel);
        WriteChannel(channel);
        WriteRecordBuffer();
        return channel.Id;
    }

    /// <summary>Appends a message to the open chunk, closing the chunk once it reaches <see cref="McapWriterOptions.ChunkSizeBytes"/>.</summary>
    public void WriteMessage(ushort channelId, ulong logTime, ulong publishTime, ReadOnlySpan<byte> data, uint sequence = 0)
    {
        ThrowIfFinished();
        if (!_channels.ContainsKey(channelId)) throw new ArgumentException($"channel {channelId} was not added", nameof(channelId));

        if (!_chunkMessageIndex.TryGetValue(channelId, out List<McapMessageIndexEntry>? entries))
            _chunkMessageIndex[channelId] = entries = [];
        if (entries.Count == 0) _chunkChannels.Add(channelId);
        bool firstInChunk = _chunk.Length == 0;
        entries.Add(new McapMessageIndexEntry(logTime, (ulong)_chunk.Length));

        int at = _chunk.BeginRecord(McapOpcode.Message);
        _chunk.U16(channelId);
        _chunk.U32(sequence);
        _chunk.U64(logTime);
        _chunk.U64(publishTime);
        _chunk.Raw(data);
        _chunk.EndRecord(at);

        if (firstInChunk || logTime < _chunkStartTime) _chunkStartTime = logTime;
        if (logTime > _chunkEndTime) _chunkEndTime = logTime;
        _messageCount++;
        _messageCounts[channelId] = _messageCounts.GetValueOrDefault(channelId) + 1;
        if (logTime < _startTime) _startTime = logTime;
        if (logTime > _endTime) _endTime = logTime;

        if (_chunk.Length >= _options.ChunkSizeBytes) FlushChunk();
    }

    /// <summary>Writes an attachment record (outside any chunk) and indexes it.</summary>
    public void WriteAttachment(string name, string mediaType, ulong logTime, ulong createTime, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(mediaType);
        ThrowIfFinished();
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.Attachment);
        _record.U64(logTime);
        _record.U64(createTime);
        _record.String(name);
        _record.String(mediaType);
        _record.Bytes64(data);
        // The CRC covers the fields before it: everything after the 9-byte record header.
        _record.U32(_options.ComputeCrcs ? Crc32.Compute(_record.Span[McapRecordParser.RecordHeaderLength..]) : 0);
        _record.EndRecord(at);
        long offset = _position;
        WriteRecordBuffer();
        _attachmentIndexes.Add(new McapAttachmentIndex((ulong)offset, (ulong)(_position - offset), logTime, createTime, (ulong)data.Length, name, mediaType));
    }

    /// <summary>Writes a metadata record (outside any chunk) and indexes it.</summary>
    public void WriteMetadata(string name, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(metadata);
        ThrowIfFinished();
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.Metadata);
        _record.String(name);
        _record.StringMap(metadata);
        _record.EndRecord(at);
        long offset = _position;
        WriteRecordBuffer();
        _metadataIndexes.Add(new McapMetadataIndex((ulong)offset, (ulong)(_position - offset), name));
    }

    /// <summary>Closes the open chunk, writes Data End, the summary and the Footer. Called by <see cref="Dispose"/>.</summary>
    public void Finish()
    {
        if (_finished) return;
        FlushChunk();

        _dataCrcActive = false;
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.DataEnd);
        _record.U32(_options.ComputeCrcs ? _dataCrc : 0);
        _record.EndRecord(at);
        WriteRecordBuffer();

        long summaryStart = 0, summaryOffsetStart = 0;
        if (_options.WriteSummary)
        {
            summaryStart = _position;
            _summaryCrcActive = true;
            var groups = new List<McapSummaryOffset>();
            WriteGroup(groups, McapOpcode.Schema, _schemas, WriteSchema);
            WriteGroup(groups, McapOpcode.Channel, _channelOrder, WriteChannel);
            WriteGroup(groups, McapOpcode.Statistics, [Statistics()], WriteStatistics);
            WriteGroup(groups, McapOpcode.ChunkIndex, _chunkIndexes, WriteChunkIndex);
            WriteGroup(groups, McapOpcode.AttachmentIndex, _attachmentIndexes, WriteAttachmentIndex);
            WriteGroup(groups, McapOpcode.MetadataIndex, _metadataIndexes, WriteMetadataIndex);
            summaryOffsetStart = _position;
            foreach (McapSummaryOffset group in groups)
            {
                _record.Clear();
                at = _record.BeginRecord(McapOpcode.SummaryOffset);
                _record.U8((byte)group.GroupOpcode);
                _record.U64(group.GroupStart);
                _record.U64(group.GroupLength);
                _record.EndRecord(at);
                WriteRecordBuffer();
            }
        }

        // Without a summary the CRC covers the footer's own fields, as the spec's "start of the summary section" is absent.
        _summaryCrcActive = true;
        _record.Clear();
        _record.U8((byte)McapOpcode.Footer);
        _record.U64(McapRecordParser.FooterContentLength);
        _record.U64((ulong)summaryStart);
        _record.U64((ulong)summaryOffsetStart);
        WriteRecordBuffer();
        _summaryCrcActive = false;
        _record.Clear();
        _record.U32(_options.ComputeCrcs ? _summaryCrc : 0);
        _record.Raw(McapRecordParser.Magic);
        WriteRecordBuffer();
        _output.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        try
        {
            Finish();
        }
        finally
        {
            _zstd?.Dispose();
            if (_ownsOutput) _output.Dispose();
        }
    }

    private void FlushChunk()
    {
        if (_chunk.Length == 0) return;
        ReadOnlySpan<byte> records = _chunk.Span;
        uint crc = _options.ComputeCrcs ? Crc32.Compute(records) : 0;
        ReadOnlySpan<byte> stored = records;
        switch (_options.Compression)
        {
            case McapCompression.Zstd:
                McapChunkDecoder.EnsureCapacity(ref _compressed, ZstdEncoder.GetMaxCompressedLength(records.Length));
                stored = _compressed.AsSpan(0, _zstd!.Compress(records, _compressed));
                break;
            case McapCompression.Lz4:
                McapChunkDecoder.EnsureCapacity(ref _compressed, Lz4FrameEncoder.GetMaxCompressedLength(records.Length));
                stored = _compressed.AsSpan(0, Lz4FrameEncoder.Compress(records, _compressed));
                break;
        }

        long chunkStart = _position;
        // Only the fixed fields pass through _record; the records go straight from their buffer to the output.
        _record.Clear();
        int chunkAt = _record.BeginRecord(McapOpcode.Chunk);
        _record.U64(_chunkStartTime);
        _record.U64(_chunkEndTime);
        _record.U64((ulong)records.Length);
        _record.U32(crc);
        _record.String(_compressionName);
        _record.U64((ulong)stored.Length);
        _record.EndRecord(chunkAt, extra: stored.Length);
        WriteRecordBuffer();
        Write(stored);
        long chunkLength = _position - chunkStart;

        long indexStart = _position;
        var offsets = new Dictionary<ushort, ulong>(_chunkChannels.Count);
        if (_options.WriteMessageIndexes)
        {
            foreach (ushort channelId in _chunkChannels)
            {
                List<McapMessageIndexEntry> entries = _chunkMessageIndex[channelId];
                offsets[channelId] = (ulong)_position;
                _record.Clear();
                int at = _record.BeginRecord(McapOpcode.MessageIndex);
                _record.U16(channelId);
                _record.U32(checked((uint)(entries.Count * 16)));
                foreach (McapMessageIndexEntry entry in entries)
                {
                    _record.U64(entry.LogTime);
                    _record.U64(entry.Offset);
                }
                _record.EndRecord(at);
                WriteRecordBuffer();
            }
        }
        _chunkIndexes.Add(new McapChunkIndex(_chunkStartTime, _chunkEndTime, (ulong)chunkStart, (ulong)chunkLength, offsets,
            (ulong)(_position - indexStart), _compressionName, (ulong)stored.Length, (ulong)records.Length));

        foreach (ushort channelId in _chunkChannels) _chunkMessageIndex[channelId].Clear();
        _chunkChannels.Clear();
        _chunk.Clear();
        _chunkStartTime = _chunkEndTime = 0;
    }

    private McapStatistics Statistics()
    {
        bool any = _messageCount > 0;
        return new McapStatistics(_messageCount, (ushort)_schemas.Count, (uint)_channels.Count, (uint)_attachmentIndexes.Count,
            (uint)_metadataIndexes.Count, (uint)_chunkIndexes.Count, any ? _startTime : 0, any ? _endTime : 0, _messageCounts);
    }

    private void WriteGroup<T>(List<McapSummaryOffset> groups, McapOpcode opcode, IReadOnlyList<T> records, Action<T> serialize)
    {
        if (records.Count == 0) return;
        long start = _position;
        foreach (T record in records)
        {
            serialize(record);
            WriteRecordBuffer();
        }
        groups.Add(new McapSummaryOffset(opcode, (ulong)start, (ulong)(_position - start)));
    }

    private void WriteSchema(McapSchema schema)
    {
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.Schema);
        _record.U16(schema.Id);
        _record.String(schema.Name);
        _record.String(schema.Encoding);
        _record.Bytes32(schema.Data.Span);
        _record.EndRecord(at);
    }

    private void WriteChannel(McapChannel channel)
    {
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.Channel);
        _record.U16(channel.Id);
        _record.U16(channel.SchemaId);
        _record.String(channel.Topic);
        _record.String(channel.MessageEncoding);
        _record.StringMap(channel.Metadata);
        _record.EndRecord(at);
    }

    private void WriteStatistics(McapStatistics s)
    {
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.Statistics);
        _record.U64(s.MessageCount);
        _record.U16(s.SchemaCount);
        _record.U32(s.ChannelCount);
        _record.U32(s.AttachmentCount);
        _record.U32(s.MetadataCount);
        _record.U32(s.ChunkCount);
        _record.U64(s.MessageStartTime);
        _record.U64(s.MessageEndTime);
        _record.U16U64Map(s.ChannelMessageCounts.OrderBy(p => p.Key));
        _record.EndRecord(at);
    }

    private void WriteChunkIndex(McapChunkIndex c)
    {
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.ChunkIndex);
        _record.U64(c.MessageStartTime);
        _record.U64(c.MessageEndTime);
        _record.U64(c.ChunkStartOffset);
        _record.U64(c.ChunkLength);
        _record.U16U64Map(c.MessageIndexOffsets);
        _record.U64(c.MessageIndexLength);
        _record.String(c.Compression);
        _record.U64(c.CompressedSize);
        _record.U64(c.UncompressedSize);
        _record.EndRecord(at);
    }

    private void WriteAttachmentIndex(McapAttachmentIndex a)
    {
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.AttachmentIndex);
        _record.U64(a.Offset);
        _record.U64(a.Length);
        _record.U64(a.LogTime);
        _record.U64(a.CreateTime);
        _record.U64(a.DataSize);
        _record.String(a.Name);
        _record.String(a.MediaType);
        _record.EndRecord(at);
    }

    private void WriteMetadataIndex(McapMetadataIndex m)
    {
        _record.Clear();
        int at = _record.BeginRecord(McapOpcode.MetadataIndex);
        _record.U64(m.Offset);
        _record.U64(m.Length);
        _record.String(m.Name);
        _record.EndRecord(at);
    }

    private void WriteRecordBuffer() => Write(_record.Span);

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
        if (_dataCrcActive && _options.ComputeCrcs) _dataCrc = Crc32.Append(_dataCrc, bytes);
        if (_summaryCrcActive && _options.ComputeCrcs) _summaryCrc = Crc32.Append(_summaryCrc, bytes);
    }

    private void ThrowIfFinished()
    {
        if (_finished) throw new InvalidOperationException("the MCAP file is already finished");
    }
}
