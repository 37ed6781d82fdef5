using System.Globalization;
using System.Text.Json.Nodes;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>The foxglove/mcap conformance inputs and their expected streamed-reader output (see the fixture's NOTES.md).</summary>
internal static class McapConformance
{
    public const string DataFolder = "mcap_conformance/data";
    public const string PadFolder = "mcap_conformance/data_pad_variants_2022-12";

    public static TheoryData<string> AllFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Fixtures.Files(DataFolder, "*.mcap").Concat(Fixtures.Files(PadFolder, "*.mcap")).Distinct())
            data.Add(file);
        return data;
    }

    /// <summary>Full path of a theory row's file; an empty row (suite missing) fails or skips through <see cref="Fixtures.Require"/>.</summary>
    public static string Require(string relative) => Fixtures.Require(relative.Length == 0 ? DataFolder : relative);

    /// <summary>The "records" array of the expected JSON beside an input file, keys sorted.</summary>
    public static JsonArray ExpectedRecords(string mcapPath)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(mcapPath, ".json")))!;
        return (JsonArray)Normalize(root["records"]!);
    }

    /// <summary>A record as the conformance JSON writes it: type, then fields sorted by name, integers as strings, bytes as arrays of decimal strings.</summary>
    public static JsonObject ToJson(McapRecord record)
    {
        var fields = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        string type;
        switch (record)
        {
            case McapHeader h:
                type = "Header";
                fields["profile"] = h.Profile;
                fields["library"] = h.Library;
                break;
            case McapFooter f:
                type = "Footer";
                fields["summary_start"] = N(f.SummaryStart);
                fields["summary_offset_start"] = N(f.SummaryOffsetStart);
                fields["summary_crc"] = N(f.SummaryCrc);
                break;
            case McapSchema s:
                type = "Schema";
                fields["id"] = N(s.Id);
                fields["name"] = s.Name;
                fields["encoding"] = s.Encoding;
                fields["data"] = Bytes(s.Data);
                break;
            case McapChannel c:
                type = "Channel";
                fields["id"] = N(c.Id);
                fields["schema_id"] = N(c.SchemaId);
                fields["topic"] = c.Topic;
                fields["message_encoding"] = c.MessageEncoding;
                fields["metadata"] = Map(c.Metadata);
                break;
            case McapMessageRecord m:
                type = "Message";
                fields["channel_id"] = N(m.ChannelId);
                fields["sequence"] = N(m.Sequence);
                fields["log_time"] = N(m.LogTime);
                fields["publish_time"] = N(m.PublishTime);
                fields["data"] = Bytes(m.Data);
                break;
            case McapChunkIndex ci:
                type = "ChunkIndex";
                fields["message_start_time"] = N(ci.MessageStartTime);
                fields["message_end_time"] = N(ci.MessageEndTime);
                fields["chunk_start_offset"] = N(ci.ChunkStartOffset);
                fields["chunk_length"] = N(ci.ChunkLength);
                fields["message_index_offsets"] = Map(ci.MessageIndexOffsets);
                fields["message_index_length"] = N(ci.MessageIndexLength);
                fields["compression"] = ci.Compression;
                fields["compressed_size"] = N(ci.CompressedSize);
                fields["uncompressed_size"] = N(ci.UncompressedSize);
                break;
            case McapAttachment a:
                // The reference serializer has no crc field for attachments.
                type = "Attachment";
                fields["log_time"] = N(a.LogTime);
                fields["create_time"] = N(a.CreateTime);
                fields["name"] = a.Name;
                fields["media_type"] = a.MediaType;
                fields["data"] = Bytes(a.Data);
                break;
            case McapAttachmentIndex ai:
                type = "AttachmentIndex";
                fields["offset"] = N(ai.Offset);
                fields["length"] = N(ai.Length);
                fields["log_time"] = N(ai.LogTime);
                fields["create_time"] = N(ai.CreateTime);
                fields["data_size"] = N(ai.DataSize);
                fields["name"] = ai.Name;
                fields["media_type"] = ai.MediaType;
                break;
            case McapStatistics st:
                type = "Statistics";
                fields["message_count"] = N(st.MessageCount);
                fields["schema_count"] = N(st.SchemaCount);
                fields["channel_count"] = N(st.ChannelCount);
                fields["attachment_count"] = N(st.AttachmentCount);
                fields["metadata_count"] = N(st.MetadataCount);
                fields["chunk_count"] = N(st.ChunkCount);
                fields["message_start_time"] = N(st.MessageStartTime);
                fields["message_end_time"] = N(st.MessageEndTime);
                fields["channel_message_counts"] = Map(st.ChannelMessageCounts);
                break;
            case McapMetadata md:
                type = "Metadata";
                fields["name"] = md.Name;
                fields["metadata"] = Map(md.Metadata);
                break;
            case McapMetadataIndex mi:
                type = "MetadataIndex";
                fields["offset"] = N(mi.Offset);
                fields["length"] = N(mi.Length);
                fields["name"] = mi.Name;
                break;
            case McapSummaryOffset so:
                type = "SummaryOffset";
                fields["group_opcode"] = N((byte)so.GroupOpcode);
                fields["group_start"] = N(so.GroupStart);
                fields["group_length"] = N(so.GroupLength);
                break;
            case McapDataEnd de:
                type = "DataEnd";
                fields["data_section_crc"] = N(de.DataSectionCrc);
                break;
            default:
                throw new InvalidOperationException("record kind not in the conformance format: " + record.GetType().Name);
        }
        var list = new JsonArray();
        foreach (var (name, value) in fields) list.Add(new JsonArray(name, value));
        return new JsonObject { ["type"] = type, ["fields"] = list };
    }

    /// <summary>Sorts object keys recursively so maps compare regardless of order.</summary>
    public static JsonNode Normalize(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Normalize(p.Value!)))),
        JsonArray a => new JsonArray(a.Select(x => (JsonNode?)Normalize(x!)).ToArray()),
        _ => JsonNode.Parse(node.ToJsonString())!,
    };

    private static JsonNode N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonArray Bytes(ReadOnlyMemory<byte> data) => new(data.ToArray().Select(b => (JsonNode?)b.ToString(CultureInfo.InvariantCulture)).ToArray());

    private static JsonObject Map(IReadOnlyDictionary<string, string> map) =>
        new(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    private static JsonObject Map(IReadOnlyDictionary<ushort, ulong> map) =>
        new(map.OrderBy(p => p.Key.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)N(p.Value))));
}
