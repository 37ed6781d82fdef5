namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// A piece of the data section that holds messages and can be loaded on its own: a Chunk record, or (for messages
/// written outside chunks, found by a scan) a run of top-level records read raw.
/// </summary>
/// <param name="Offset">File offset of the chunk record, or of the first record of the run.</param>
/// <param name="Length">Bytes of the chunk record including its header, or of the whole run.</param>
/// <param name="StartTime">Earliest message log time in it.</param>
/// <param name="EndTime">Latest message log time in it.</param>
/// <param name="ChannelIds">Channels with messages in it; null when unknown (chunk index without message indexes).</param>
/// <param name="IsRawRun">True for a run of top-level records, false for a Chunk record.</param>
internal sealed record McapLoadUnit(long Offset, long Length, ulong StartTime, ulong EndTime, ushort[]? ChannelIds, bool IsRawRun);

/// <summary>What the reader knows about a file's layout, from its summary or from a scan of its data section.</summary>
internal sealed class McapFileIndex
{
    public Dictionary<ushort, McapSchema> Schemas { get; } = [];

    public Dictionary<ushort, McapChannel> Channels { get; } = [];

    public McapStatistics? Statistics { get; set; }

    public List<McapChunkIndex> ChunkIndexes { get; } = [];

    public List<McapAttachmentIndex> AttachmentIndexes { get; } = [];

    public List<McapMetadataIndex> MetadataIndexes { get; } = [];

    /// <summary>Where the messages are; complete when <see cref="IndexesMessages"/>.</summary>
    public List<McapLoadUnit> Units { get; } = [];

    /// <summary>True when <see cref="Units"/> covers every message (a usable summary, or a scan).</summary>
    public bool IndexesMessages { get; set; }

    /// <summary>True when the attachment and metadata lists are known to be complete.</summary>
    public bool IndexesAttachmentsAndMetadata { get; set; }

    /// <summary>The first damage a scan met; everything before it is indexed.</summary>
    public BagFormatException? Damage { get; set; }

    /// <summary>Adds a schema or channel seen in the data, keeping the first record for each id (duplicates must be identical).</summary>
    public void Register(McapSchema schema)
    {
        if (schema.Id != 0) Schemas.TryAdd(schema.Id, schema);
    }

    public void Register(McapChannel channel) => Channels.TryAdd(channel.Id, channel);
}
