namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>How <see cref="McapReader"/> finds schemas, channels and chunks, and what it does when the summary cannot be used.</summary>
public enum McapSummaryPolicy
{
    /// <summary>Use the summary when it is intact and indexes the messages; otherwise read messages in one linear pass in file order, and say why through <see cref="McapReaderOptions.OnProblem"/>.</summary>
    UseSummaryElseLinear = 0,

    /// <summary>Use the summary when usable; otherwise scan the data section once at open (decompressing every chunk) to rebuild the index, then read as if indexed: log-time order, chunk skipping.</summary>
    UseSummaryElseRebuild,

    /// <summary>Use the summary; throw <see cref="BagFormatException"/> at open when it is missing, damaged or does not index the messages.</summary>
    RequireSummary,

    /// <summary>Ignore the summary; read in one linear pass in file order.</summary>
    ForceLinear,
}

/// <summary>What a read does when it meets damaged data (truncation, bad CRC, undecodable chunk, malformed record).</summary>
public enum McapDamagePolicy
{
    /// <summary>Yield every message that can still be read, then throw <see cref="BagFormatException"/> for the first damage found.</summary>
    Throw = 0,

    /// <summary>Only report damage through <see cref="McapReaderOptions.OnProblem"/>; the read skips what is damaged and ends normally.</summary>
    Report,
}

/// <summary>Order of <see cref="McapReader.ReadMessages"/>.</summary>
public enum McapReadOrder
{
    /// <summary>By log time, ties in file order. Exact for indexed reads; a linear read yields file order and reports <see cref="McapProblemKind.OrderNotGuaranteed"/> if the file goes back in time.</summary>
    LogTime = 0,

    /// <summary>In the order the messages are stored.</summary>
    File,
}

/// <summary>How messages are located in an open file.</summary>
public enum McapReadMode
{
    /// <summary>Through chunk indexes (from the summary, or rebuilt by a scan): topic and time filters skip whole chunks.</summary>
    Indexed,

    /// <summary>One pass over the data section in file order.</summary>
    Linear,
}

/// <summary>Kinds of problems <see cref="McapReaderOptions.OnProblem"/> receives.</summary>
public enum McapProblemKind
{
    /// <summary>The file has no footer or no summary section (unfinished recording, or a writer that writes none).</summary>
    NoSummary,

    /// <summary>The footer or summary is damaged (bad CRC, offsets outside the file, malformed records); it is not used.</summary>
    SummaryDamaged,

    /// <summary>The summary is intact but does not index the messages (no chunk indexes or missing channels).</summary>
    SummaryNotIndexed,

    /// <summary>Data is damaged; <see cref="McapProblem.Exception"/> says where.</summary>
    DataDamaged,

    /// <summary>A linear read asked for log-time order met a message older than the one before it.</summary>
    OrderNotGuaranteed,
}

/// <summary>A recoverable problem the reader worked around.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="FilePath">The file.</param>
/// <param name="Offset">Byte offset of the problem, or -1 when it has none.</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Exception">For damage: the exception a <see cref="McapDamagePolicy.Throw"/> read would throw.</param>
public sealed record McapProblem(McapProblemKind Kind, string FilePath, long Offset, string Message, BagFormatException? Exception = null);

/// <summary>Options of <see cref="McapReader.Open"/>.</summary>
public sealed class McapReaderOptions
{
    /// <summary>Default of <see cref="MaxChunkBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxChunkBytes = 1L << 30;

    /// <summary>Default of <see cref="MaxRecordBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxRecordBytes = 1L << 30;

    private readonly long _maxChunkBytes = DefaultMaxChunkBytes;
    private readonly long _maxRecordBytes = DefaultMaxRecordBytes;

    /// <summary>What to do without a usable summary. Default <see cref="McapSummaryPolicy.UseSummaryElseLinear"/>.</summary>
    public McapSummaryPolicy SummaryPolicy { get; init; } = McapSummaryPolicy.UseSummaryElseLinear;

    /// <summary>What to do with damaged data. Default <see cref="McapDamagePolicy.Throw"/> (after yielding all readable messages).</summary>
    public McapDamagePolicy DamagePolicy { get; init; } = McapDamagePolicy.Throw;

    /// <summary>
    /// Receives every problem the reader works around (missing summary, damage, order), as it is found, whatever the
    /// policies. Null ignores them. Throwing from the callback aborts the open or read with that exception.
    /// </summary>
    public Action<McapProblem>? OnProblem { get; init; }

    /// <summary>
    /// Check chunk, attachment and summary CRCs (and, in <see cref="McapReader.ReadRecords"/>, the data section CRC).
    /// Default true; costs one CRC pass over the uncompressed chunk data (several GB/s with carry-less multiply).
    /// </summary>
    public bool VerifyCrcs { get; init; } = true;

    /// <summary>Largest uncompressed chunk accepted; bigger declared sizes are damage. Default 1 GiB; at most <see cref="Array.MaxLength"/>.</summary>
    public long MaxChunkBytes
    {
        get => _maxChunkBytes;
        init => _maxChunkBytes = value is >= 1 and <= int.MaxValue && value <= Array.MaxLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxChunkBytes), value, $"must be between 1 and {Array.MaxLength}");
    }

    /// <summary>Largest other record (attachment, metadata, top-level message) or summary section read whole. Default 1 GiB; at most <see cref="Array.MaxLength"/>.</summary>
    public long MaxRecordBytes
    {
        get => _maxRecordBytes;
        init => _maxRecordBytes = value is >= 1 and <= int.MaxValue && value <= Array.MaxLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), value, $"must be between 1 and {Array.MaxLength}");
    }
}

/// <summary>Which messages <see cref="McapReader.ReadMessages"/> yields. Null members mean "no restriction".</summary>
public sealed class McapMessageQuery
{
    /// <summary>Topics to read; null reads all.</summary>
    public IReadOnlyCollection<string>? Topics { get; init; }

    /// <summary>Earliest log time, inclusive.</summary>
    public ulong? StartTime { get; init; }

    /// <summary>Latest log time, inclusive.</summary>
    public ulong? EndTime { get; init; }

    /// <summary>Default <see cref="McapReadOrder.LogTime"/>.</summary>
    public McapReadOrder Order { get; init; } = McapReadOrder.LogTime;

    internal bool AcceptsTime(ulong logTime) =>
        (StartTime is not ulong s || logTime >= s) && (EndTime is not ulong e || logTime <= e);

    internal bool OverlapsTime(ulong start, ulong end) =>
        (StartTime is not ulong s || end >= s) && (EndTime is not ulong e || start <= e);
}

/// <summary>
/// One message. <see cref="Data"/> is a slice of the reader's reused decompression buffer: it is valid only until the
/// enumerator advances (or is disposed). Copy it to keep it.
/// </summary>
public readonly record struct McapMessage(McapChannel Channel, McapSchema? Schema, uint Sequence, ulong LogTime, ulong PublishTime, ReadOnlyMemory<byte> Data);
