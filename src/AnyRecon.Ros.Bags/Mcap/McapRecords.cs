namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>MCAP record opcodes (spec: https://mcap.dev/spec). 0x80-0xFF are private records, which readers skip.</summary>
public enum McapOpcode : byte
{
    Header = 0x01,
    Footer = 0x02,
    Schema = 0x03,
    Channel = 0x04,
    Message = 0x05,
    Chunk = 0x06,
    MessageIndex = 0x07,
    ChunkIndex = 0x08,
    Attachment = 0x09,
    AttachmentIndex = 0x0A,
    Statistics = 0x0B,
    Metadata = 0x0C,
    MetadataIndex = 0x0D,
    SummaryOffset = 0x0E,
    DataEnd = 0x0F,
}

/// <summary>One parsed MCAP record. Times are nanoseconds as the file stores them (uint64).</summary>
public abstract record McapRecord
{
    public abstract McapOpcode Opcode { get; }
}

/// <summary>First record: the profile (<c>ros2</c> for rosbag2) and the writing library.</summary>
public sealed record McapHeader(string Profile, string Library) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Header;
}

/// <summary>Last record: where the summary and summary-offset sections start (0 = absent) and the summary CRC (0 = not computed).</summary>
public sealed record McapFooter(ulong SummaryStart, ulong SummaryOffsetStart, uint SummaryCrc) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Footer;
}

/// <summary>A message schema; for ROS 2 the name is the type (<c>std_msgs/msg/String</c>) and the encoding <c>ros2msg</c> or <c>ros2idl</c>.</summary>
public sealed record McapSchema(ushort Id, string Name, string Encoding, ReadOnlyMemory<byte> Data) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Schema;
}

/// <summary>A stream of messages on one topic. rosbag2 keeps the QoS YAML and type hash in <see cref="Metadata"/>.</summary>
public sealed record McapChannel(
    ushort Id,
    ushort SchemaId,
    string Topic,
    string MessageEncoding,
    IReadOnlyDictionary<string, string> Metadata) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Channel;
}

/// <summary>A message record as <see cref="McapReader.ReadRecords"/> lists it (its data is a copy, owned by the record).</summary>
public sealed record McapMessageRecord(ushort ChannelId, uint Sequence, ulong LogTime, ulong PublishTime, ReadOnlyMemory<byte> Data) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Message;
}

/// <summary>A batch of records, possibly compressed (<c>""</c>, <c>zstd</c>, <c>lz4</c>). <see cref="McapReader.ReadRecords"/> lists the records inside instead.</summary>
public sealed record McapChunk(
    ulong MessageStartTime,
    ulong MessageEndTime,
    ulong UncompressedSize,
    uint UncompressedCrc,
    string Compression,
    ReadOnlyMemory<byte> Records) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Chunk;
}

/// <summary>Log time and offset (into the uncompressed chunk) of each message of one channel in the preceding chunk.</summary>
public sealed record McapMessageIndex(ushort ChannelId, IReadOnlyList<McapMessageIndexEntry> Records) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.MessageIndex;
}

/// <summary>One entry of a <see cref="McapMessageIndex"/>.</summary>
public readonly record struct McapMessageIndexEntry(ulong LogTime, ulong Offset);

/// <summary>Where a chunk and its message indexes are, and which channels it holds (the keys of <see cref="MessageIndexOffsets"/>).</summary>
public sealed record McapChunkIndex(
    ulong MessageStartTime,
    ulong MessageEndTime,
    ulong ChunkStartOffset,
    ulong ChunkLength,
    IReadOnlyDictionary<ushort, ulong> MessageIndexOffsets,
    ulong MessageIndexLength,
    string Compression,
    ulong CompressedSize,
    ulong UncompressedSize) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.ChunkIndex;
}

/// <summary>An auxiliary file stored in the bag (calibration, logs, ...). <see cref="Crc"/> covers the preceding fields (0 = not computed).</summary>
public sealed record McapAttachment(ulong LogTime, ulong CreateTime, string Name, string MediaType, ReadOnlyMemory<byte> Data, uint Crc) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Attachment;
}

/// <summary>Where an attachment record is; lets readers list attachments without reading them.</summary>
public sealed record McapAttachmentIndex(
    ulong Offset,
    ulong Length,
    ulong LogTime,
    ulong CreateTime,
    ulong DataSize,
    string Name,
    string MediaType) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.AttachmentIndex;
}

/// <summary>Counts and time range of the whole file. An empty <see cref="ChannelMessageCounts"/> means "not available".</summary>
public sealed record McapStatistics(
    ulong MessageCount,
    ushort SchemaCount,
    uint ChannelCount,
    uint AttachmentCount,
    uint MetadataCount,
    uint ChunkCount,
    ulong MessageStartTime,
    ulong MessageEndTime,
    IReadOnlyDictionary<ushort, ulong> ChannelMessageCounts) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Statistics;
}

/// <summary>Named key/value user data.</summary>
public sealed record McapMetadata(string Name, IReadOnlyDictionary<string, string> Metadata) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.Metadata;
}

/// <summary>Where a metadata record is.</summary>
public sealed record McapMetadataIndex(ulong Offset, ulong Length, string Name) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.MetadataIndex;
}

/// <summary>Where the group of summary records with one opcode is.</summary>
public sealed record McapSummaryOffset(McapOpcode GroupOpcode, ulong GroupStart, ulong GroupLength) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.SummaryOffset;
}

/// <summary>End of the data section, with the CRC of every byte before this record (0 = not computed).</summary>
public sealed record McapDataEnd(uint DataSectionCrc) : McapRecord
{
    public override McapOpcode Opcode => McapOpcode.DataEnd;
}
