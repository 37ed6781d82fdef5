using AnyRecon.Ros.Checksums;
namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// Reads an MCAP file. With an intact summary it reads through the chunk indexes: a topic filter loads only chunks
/// holding wanted channels, a time range skips chunks outside it, and messages come in log-time order even when chunks
/// overlap. Without one it follows <see cref="McapReaderOptions.SummaryPolicy"/> (by default one linear pass in file order).
/// Memory stays bounded by the chunks that must be held at once, whatever the file size.
/// </summary>
/// <remarks>
/// Not thread-safe. Several enumerations may be open at once on one thread. Damage is handled per
/// <see cref="McapReaderOptions.DamagePolicy"/>: by default every readable message is yielded, then
/// <see cref="BagFormatException"/> names the file and the offset of the first damage.
/// </remarks>
public sealed class McapReader : IDisposable
{
    private static readonly McapMessageQuery s_everything = new();

    private readonly McapFileIndex? _summary;
    private McapFileIndex? _scan;
    private McapFileIndex? _headerWalk;
    private bool _disposed;

    private McapReader(McapFileSource source, McapReaderOptions options)
    {
        Source = source;
        Options = options;
        Header = ReadHeader(out long dataStart);
        DataStart = dataStart;

        if (options.SummaryPolicy == McapSummaryPolicy.ForceLinear)
        {
            Mode = McapReadMode.Linear;
            return;
        }
        _summary = TryReadSummary(out McapProblem? problem);
        if (_summary is not null && problem is null)
        {
            Mode = McapReadMode.Indexed;
            return;
        }
        _summary = null;
        switch (options.SummaryPolicy)
        {
            case McapSummaryPolicy.RequireSummary:
                throw source.Damage(problem!.Offset, problem.Message);
            case McapSummaryPolicy.UseSummaryElseRebuild:
                Report(problem! with { Message = problem.Message + "; rebuilding the index by scanning the data section" });
                _scan = Scan(decompressChunks: true);
                Mode = McapReadMode.Indexed;
                break;
            default:
                Report(problem! with { Message = problem.Message + "; reading the data section linearly" });
                Mode = McapReadMode.Linear;
                break;
        }
    }

    /// <summary>Opens <paramref name="filePath"/> and reads its header and (if usable) its summary.</summary>
    /// <exception cref="BagFormatException">Not an MCAP file, an unreadable header, or (with <see cref="McapSummaryPolicy.RequireSummary"/>) no usable summary.</exception>
    public static McapReader Open(string filePath, McapReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var source = new McapFileSource(filePath);
        try
        {
            return new McapReader(source, options ?? new McapReaderOptions());
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public string FilePath => Source.FilePath;

    /// <summary>File size in bytes when opened.</summary>
    public long FileLength => Source.Length;

    public McapHeader Header { get; }

    /// <summary>How <see cref="ReadMessages"/> locates messages.</summary>
    public McapReadMode Mode { get; }

    /// <summary>Schemas by id. From the summary when usable; otherwise from a scan of the data section made on first use.</summary>
    public IReadOnlyDictionary<ushort, McapSchema> Schemas => Info.Schemas;

    /// <summary>Channels by id. From the summary when usable; otherwise from a scan of the data section made on first use.</summary>
    public IReadOnlyDictionary<ushort, McapChannel> Channels => Info.Channels;

    /// <summary>The Statistics record of a usable summary; otherwise statistics counted by a scan (null if the summary has none).</summary>
    public McapStatistics? Statistics => Info.Statistics;

    /// <summary>Chunk indexes of the summary, or chunk positions found by a scan (those have no message index offsets).</summary>
    public IReadOnlyList<McapChunkIndex> ChunkIndexes => Info.ChunkIndexes;

    /// <summary>Attachments in the file (read one with <see cref="ReadAttachment"/>).</summary>
    public IReadOnlyList<McapAttachmentIndex> AttachmentIndexes => AttachmentAndMetadataInfo.AttachmentIndexes;

    /// <summary>Metadata records in the file (read one with <see cref="ReadMetadata(McapMetadataIndex)"/>).</summary>
    public IReadOnlyList<McapMetadataIndex> MetadataIndexes => AttachmentAndMetadataInfo.MetadataIndexes;

    internal McapFileSource Source { get; }

    internal McapReaderOptions Options { get; }

    /// <summary>Offset just after the Header record.</summary>
    internal long DataStart { get; }

    private McapFileIndex Info
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _summary ?? (_scan ??= Scan(decompressChunks: true));
        }
    }

    private McapFileIndex AttachmentAndMetadataInfo
    {
        get
        {
            McapFileIndex info = Info;
            if (info.IndexesAttachmentsAndMetadata) return info;
            return _headerWalk ??= Scan(decompressChunks: false);
        }
    }

    /// <summary>
    /// Messages matching <paramref name="query"/> (everything by default). Each <see cref="McapMessage.Data"/> is only
    /// valid until the enumerator advances. In <see cref="McapReadMode.Linear"/> mode messages come in file order.
    /// </summary>
    public IEnumerable<McapMessage> ReadMessages(McapMessageQuery? query = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        query ??= s_everything;
        return Enumerate(Mode == McapReadMode.Indexed
            ? () => new McapIndexedCursor(this, _summary ?? _scan!, query)
            : () => new McapLinearCursor(this, query));
    }

    private static IEnumerable<McapMessage> Enumerate(Func<McapMessageCursor> create)
    {
        using McapMessageCursor cursor = create();
        while (cursor.MoveNext()) yield return cursor.Current;
    }

    /// <summary>
    /// Every record in file order, as a streaming reader sees them: chunks are replaced by the records inside them,
    /// Message Index records and unknown opcodes are left out, the Footer comes last. Records own their data.
    /// Checks CRCs (chunk, data section, summary) when <see cref="McapReaderOptions.VerifyCrcs"/> is set.
    /// </summary>
    public IEnumerable<McapRecord> ReadRecords()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new McapRecordStream(this).Read();
    }

    /// <summary>Reads the attachment an index entry points to (and checks its CRC when <see cref="McapReaderOptions.VerifyCrcs"/>).</summary>
    public McapAttachment ReadAttachment(McapAttachmentIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        byte[] buffer = [];
        McapRecordHeader record = ReadIndexedRecord(index.Offset, index.Length, McapOpcode.Attachment, ref buffer, out ReadOnlySpan<byte> content);
        try
        {
            return McapRecordParser.ParseAttachment(content, Options.VerifyCrcs);
        }
        catch (McapParseException e)
        {
            throw Source.Damage(record.ContentOffset + e.Position, "attachment: " + e.Message);
        }
    }

    /// <summary>Reads the metadata record an index entry points to.</summary>
    public McapMetadata ReadMetadata(McapMetadataIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        byte[] buffer = [];
        McapRecordHeader record = ReadIndexedRecord(index.Offset, index.Length, McapOpcode.Metadata, ref buffer, out ReadOnlySpan<byte> content);
        try
        {
            return McapRecordParser.ParseMetadata(content);
        }
        catch (McapParseException e)
        {
            throw Source.Damage(record.ContentOffset + e.Position, "metadata: " + e.Message);
        }
    }

    /// <summary>Every metadata record, in file order.</summary>
    public IEnumerable<McapMetadata> ReadMetadata()
    {
        foreach (McapMetadataIndex index in MetadataIndexes) yield return ReadMetadata(index);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Source.Dispose();
    }

    internal void Report(McapProblem problem) => Options.OnProblem?.Invoke(problem);

    private McapRecordHeader ReadIndexedRecord(ulong offset, ulong length, McapOpcode opcode, ref byte[] buffer, out ReadOnlySpan<byte> content)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset > (ulong)Source.Length || length > (ulong)Source.Length - offset)
            throw Source.Damage(offset > (ulong)Source.Length ? -1 : (long)offset, $"index entry points outside the file ({offset} + {length})");
        if (!Source.TryReadRecordHeader((long)offset, Source.Length, out McapRecordHeader record) || record.Opcode != (byte)opcode || (ulong)record.TotalLength != length)
            throw Source.Damage((long)offset, $"index entry does not point at a {opcode} record of {length} bytes");
        content = Source.ReadContent(record, ref buffer, Options.MaxRecordBytes);
        return record;
    }

    private McapFileIndex Scan(bool decompressChunks)
    {
        using var decoder = new McapChunkDecoder();
        return McapDataScanner.Scan(Source, DataStart, Options, decoder, decompressChunks,
            damage => Report(new McapProblem(McapProblemKind.DataDamaged, FilePath, damage.Offset, damage.Reason, damage)));
    }

    private McapHeader ReadHeader(out long dataStart)
    {
        ReadOnlySpan<byte> magic = Source.Peek(0, McapRecordParser.Magic.Length);
        if (!magic.SequenceEqual(McapRecordParser.Magic))
            throw Source.Damage(0, magic.Length < McapRecordParser.Magic.Length ? "file is too short to be MCAP" : "not an MCAP file (bad magic)");
        long position = McapRecordParser.Magic.Length;
        if (!Source.TryReadRecordHeader(position, Source.Length, out McapRecordHeader record))
            throw Source.Damage(position, "file ends after the magic (no Header record)");
        if (record.Opcode != (byte)McapOpcode.Header)
            throw Source.Damage(position, $"first record has opcode 0x{record.Opcode:x2}, not Header");
        byte[] buffer = [];
        ReadOnlySpan<byte> content = Source.ReadContent(record, ref buffer, Options.MaxRecordBytes);
        dataStart = record.End;
        try
        {
            return McapRecordParser.ParseHeader(content);
        }
        catch (McapParseException e)
        {
            throw Source.Damage(record.ContentOffset + e.Position, "header: " + e.Message);
        }
    }

    /// <summary>Reads and checks footer and summary. Returns the index, and a problem when it cannot be used for messages.</summary>
    private McapFileIndex? TryReadSummary(out McapProblem? problem)
    {
        long magicOffset = Source.Length - McapRecordParser.Magic.Length;
        long footerOffset = magicOffset - McapRecordParser.RecordHeaderLength - McapRecordParser.FooterContentLength;
        problem = null;
        if (footerOffset < DataStart || !Source.Peek(magicOffset, McapRecordParser.Magic.Length).SequenceEqual(McapRecordParser.Magic))
        {
            problem = Problem(McapProblemKind.NoSummary, Source.Length, "the file has no trailing magic (truncated or unfinished recording)");
            return null;
        }
        ReadOnlySpan<byte> footerBytes = Source.Peek(footerOffset, McapRecordParser.RecordHeaderLength + McapRecordParser.FooterContentLength);
        if (footerBytes[0] != (byte)McapOpcode.Footer || BitConverter.ToUInt64(footerBytes[1..]) != McapRecordParser.FooterContentLength)
        {
            problem = Problem(McapProblemKind.SummaryDamaged, footerOffset, "no Footer record before the trailing magic");
            return null;
        }
        McapFooter footer = McapRecordParser.ParseFooter(footerBytes[McapRecordParser.RecordHeaderLength..]);
        if (footer.SummaryStart == 0)
        {
            problem = Problem(McapProblemKind.NoSummary, footerOffset, "the file has no summary section");
            return null;
        }
        if (footer.SummaryStart < (ulong)DataStart || footer.SummaryStart > (ulong)footerOffset
            || (footer.SummaryOffsetStart != 0 && (footer.SummaryOffsetStart < footer.SummaryStart || footer.SummaryOffsetStart > (ulong)footerOffset)))
        {
            problem = Problem(McapProblemKind.SummaryDamaged, footerOffset,
                $"footer offsets (summary {footer.SummaryStart}, summary offsets {footer.SummaryOffsetStart}) lie outside the file's summary area");
            return null;
        }
        long summaryStart = (long)footer.SummaryStart;
        long crcLength = footerOffset + McapRecordParser.RecordHeaderLength + 16 - summaryStart;
        if (crcLength > Options.MaxRecordBytes)
        {
            problem = Problem(McapProblemKind.SummaryDamaged, summaryStart, $"summary of {crcLength} bytes exceeds MaxRecordBytes");
            return null;
        }
        byte[] bytes = GC.AllocateUninitializedArray<byte>((int)crcLength);
        Source.ReadExactly(summaryStart, bytes);
        if (Options.VerifyCrcs && footer.SummaryCrc != 0)
        {
            uint actual = Crc32.Compute(bytes);
            if (actual != footer.SummaryCrc)
            {
                problem = Problem(McapProblemKind.SummaryDamaged, summaryStart, $"summary CRC mismatch: footer says {footer.SummaryCrc:x8}, summary gives {actual:x8}");
                return null;
            }
        }

        long recordsEnd = footer.SummaryOffsetStart != 0 ? (long)footer.SummaryOffsetStart : footerOffset;
        var index = new McapFileIndex();
        var groups = new List<McapSummaryOffset>();
        bool sawAttachmentGroup = false, sawMetadataGroup = false;
        int position = 0;
        try
        {
            ReadOnlySpan<byte> all = bytes.AsSpan(0, (int)(footerOffset - summaryStart));
            int split = (int)(recordsEnd - summaryStart);
            while (McapRecordWalker.TryNext(all, ref position, out byte opcode, out int offset, out int length))
            {
                int recordStart = offset - McapRecordParser.RecordHeaderLength;
                bool inOffsets = recordStart >= split;
                if (!inOffsets && position > split) throw new McapParseException("a summary record runs into the summary offset section", recordStart);
                var kind = (McapOpcode)opcode;
                bool allowed = inOffsets
                    ? kind == McapOpcode.SummaryOffset
                    : kind is McapOpcode.Schema or McapOpcode.Channel or McapOpcode.ChunkIndex or McapOpcode.AttachmentIndex
                        or McapOpcode.MetadataIndex or McapOpcode.Statistics;
                if (!allowed)
                {
                    // Unknown and private records are skipped; a known record in the wrong place means the offsets are wrong.
                    if (opcode <= (byte)McapOpcode.DataEnd)
                        throw new McapParseException($"{kind} record does not belong {(inOffsets ? "among summary offsets" : "in the summary")}", recordStart);
                    continue;
                }
                if (kind == McapOpcode.Statistics && index.Statistics is not null) throw new McapParseException("more than one Statistics record", recordStart);
                try
                {
                    AddSummaryRecord(index, groups, kind, all.Slice(offset, length));
                }
                catch (McapParseException e)
                {
                    throw new McapParseException($"{kind} record: {e.Message}", offset + e.Position);
                }
                sawAttachmentGroup |= kind == McapOpcode.AttachmentIndex;
                sawMetadataGroup |= kind == McapOpcode.MetadataIndex;
            }
        }
        catch (McapParseException e)
        {
            problem = Problem(McapProblemKind.SummaryDamaged, summaryStart + e.Position, "summary: " + e.Message);
            return null;
        }

        if (ValidateSummary(index, groups, bytes, summaryStart, recordsEnd) is { } invalid)
        {
            problem = Problem(McapProblemKind.SummaryDamaged, summaryStart, invalid);
            return null;
        }

        McapStatistics? stats = index.Statistics;
        index.IndexesAttachmentsAndMetadata =
            (sawAttachmentGroup || stats is not null) && (stats is null || stats.AttachmentCount == index.AttachmentIndexes.Count)
            && (sawMetadataGroup || stats is not null) && (stats is null || stats.MetadataCount == index.MetadataIndexes.Count);

        foreach (McapChunkIndex chunk in index.ChunkIndexes)
        {
            ushort[]? channels = chunk.MessageIndexOffsets.Count == 0 ? null : [.. chunk.MessageIndexOffsets.Keys];
            index.Units.Add(new McapLoadUnit((long)chunk.ChunkStartOffset, (long)chunk.ChunkLength, chunk.MessageStartTime, chunk.MessageEndTime, channels, IsRawRun: false));
        }

        if (WhyNotIndexed(index) is { } reason)
        {
            problem = Problem(McapProblemKind.SummaryNotIndexed, summaryStart, reason);
            return index;
        }
        index.IndexesMessages = true;
        return index;
    }

    private static void AddSummaryRecord(McapFileIndex index, List<McapSummaryOffset> groups, McapOpcode kind, ReadOnlySpan<byte> content)
    {
        switch (kind)
        {
            case McapOpcode.Schema: index.Register(McapRecordParser.ParseSchema(content)); break;
            case McapOpcode.Channel: index.Register(McapRecordParser.ParseChannel(content)); break;
            case McapOpcode.ChunkIndex: index.ChunkIndexes.Add(McapRecordParser.ParseChunkIndex(content)); break;
            case McapOpcode.AttachmentIndex: index.AttachmentIndexes.Add(McapRecordParser.ParseAttachmentIndex(content)); break;
            case McapOpcode.MetadataIndex: index.MetadataIndexes.Add(McapRecordParser.ParseMetadataIndex(content)); break;
            case McapOpcode.Statistics: index.Statistics = McapRecordParser.ParseStatistics(content); break;
            case McapOpcode.SummaryOffset: groups.Add(McapRecordParser.ParseSummaryOffset(content)); break;
        }
    }

    private string? ValidateSummary(McapFileIndex index, List<McapSummaryOffset> groups, byte[] bytes, long summaryStart, long recordsEnd)
    {
        foreach (McapChunkIndex chunk in index.ChunkIndexes)
        {
            if (chunk.ChunkStartOffset < (ulong)DataStart || chunk.ChunkLength < McapRecordParser.RecordHeaderLength
                || chunk.ChunkLength > (ulong)summaryStart - chunk.ChunkStartOffset || chunk.ChunkStartOffset > (ulong)summaryStart)
                return $"chunk index points outside the data section ({chunk.ChunkStartOffset} + {chunk.ChunkLength})";
        }
        foreach (McapSummaryOffset group in groups)
        {
            if (group.GroupStart < (ulong)summaryStart || group.GroupStart > (ulong)recordsEnd || group.GroupLength > (ulong)recordsEnd - group.GroupStart)
                return $"summary offset for opcode 0x{(byte)group.GroupOpcode:x2} points outside the summary ({group.GroupStart} + {group.GroupLength})";
            if (group.GroupLength > 0 && bytes[(int)((long)group.GroupStart - summaryStart)] != (byte)group.GroupOpcode)
                return $"summary offset for opcode 0x{(byte)group.GroupOpcode:x2} points at a record of another kind";
        }
        return null;
    }

    /// <summary>Null when the summary locates every message; otherwise why not.</summary>
    private static string? WhyNotIndexed(McapFileIndex index)
    {
        McapStatistics? stats = index.Statistics;
        if (index.ChunkIndexes.Count == 0)
            return stats is { MessageCount: 0 } ? null : "the summary has no chunk indexes";
        if (stats is not null && stats.ChunkCount != index.ChunkIndexes.Count)
            return $"the statistics count {stats.ChunkCount} chunks but the summary indexes {index.ChunkIndexes.Count}";
        if (index.Channels.Count == 0)
            return "the summary has chunk indexes but no channels";
        foreach (McapChannel channel in index.Channels.Values)
            if (channel.SchemaId != 0 && !index.Schemas.ContainsKey(channel.SchemaId))
                return $"schema {channel.SchemaId} of channel {channel.Id} is missing from the summary";
        foreach (McapChunkIndex chunk in index.ChunkIndexes)
            foreach (ushort id in chunk.MessageIndexOffsets.Keys)
                if (!index.Channels.ContainsKey(id)) return $"channel {id} is indexed but missing from the summary";
        if (stats is not null)
            foreach (ushort id in stats.ChannelMessageCounts.Keys)
                if (!index.Channels.ContainsKey(id)) return $"channel {id} is counted but missing from the summary";
        return null;
    }

    private McapProblem Problem(McapProblemKind kind, long offset, string message) => new(kind, FilePath, offset, message);
}
