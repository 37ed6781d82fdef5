using System.Globalization;
using System.Text.RegularExpressions;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>
/// The machine-made INVENTORY.txt beside each fixture suite (written by another tool from the files themselves), parsed
/// into expected topics, counts, schemas and time ranges (for MCAP files also the header, schema and channel records).
/// Tests take their truth from here, not from our own readers.
/// </summary>
internal static partial class FixtureInventory
{
    public const string Rosbag2Suite = "rosbag2_fixtures";
    public const string RosbagsRsSuite = "rosbags_rs_all_types_bag";

    public sealed record InventoryTopic(string Name, string Type, string SerializationFormat, long Count);

    public sealed record InventoryMetadata(int Version, string Storage, long MessageCount, string CompressionFormat, string CompressionMode,
        IReadOnlyList<string> Files, IReadOnlyList<InventoryTopic> Topics);

    /// <summary>An MCAP file's header line: Header record fields and the summary's attachment and metadata counts.</summary>
    public sealed record InventoryMcapHeader(string Profile, string Library, int AttachmentCount, int MetadataCount);

    /// <summary>An MCAP Schema record; <paramref name="Bytes"/> is the length of its data.</summary>
    public sealed record InventorySchema(int Id, string Name, string Encoding, int Bytes);

    /// <summary>An MCAP Channel record as declared in the data section, with its message count and metadata keys.</summary>
    public sealed record InventoryChannel(int Id, string Topic, string MessageEncoding, int SchemaId, long Count, IReadOnlyList<string> MetadataKeys);

    public sealed class InventoryFile
    {
        public required string Name { get; init; }
        public long Size { get; init; }
        public List<string> Tables { get; } = [];
        public List<string> TopicColumns { get; } = [];
        public int? SchemaVersion { get; set; }
        public string? RosDistro { get; set; }
        /// <summary>mcap: the first and last message log time.</summary>
        public (long Start, long End)? TimeRange { get; set; }
        /// <summary>sqlite: per topic (format empty); mcap: per channel (type = schema name, format = message encoding).</summary>
        public List<InventoryTopic> Topics { get; } = [];
        /// <summary>mcap only, else null.</summary>
        public InventoryMcapHeader? Mcap { get; set; }
        public List<InventorySchema> Schemas { get; } = [];
        public List<InventoryChannel> Channels { get; } = [];
    }

    public sealed class InventoryBag
    {
        public required string Suite { get; init; }
        public required string Directory { get; init; }
        public InventoryMetadata? Metadata { get; set; }
        public List<InventoryFile> Files { get; } = [];
        public string RelativePath => Path.Combine(Suite, Directory);
    }

    private static readonly Dictionary<string, IReadOnlyList<InventoryBag>> s_cache = [];

    public static IReadOnlyList<InventoryBag> Load(string suite)
    {
        lock (s_cache)
        {
            if (s_cache.TryGetValue(suite, out var cached)) return cached;
            string path = Path.Combine(Fixtures.Root, suite, "INVENTORY.txt");
            var result = File.Exists(path) ? Parse(suite, path, File.ReadAllLines(path)) : [];
            s_cache[suite] = result;
            return result;
        }
    }

    public static InventoryBag Find(string relativeBagPath)
    {
        foreach (string suite in new[] { Rosbag2Suite, RosbagsRsSuite })
        {
            var bag = Load(suite).FirstOrDefault(b => b.RelativePath == relativeBagPath);
            if (bag is not null) return bag;
        }
        throw new InvalidOperationException($"{relativeBagPath} is not in any INVENTORY.txt");
    }

    [GeneratedRegex(@"^  metadata\.yaml: version=(\d+) storage=(\S+) msgs=(\d+) compression='([^']*)'/'([^']*)' files=\[(.*)\]$")]
    private static partial Regex MetadataLine();

    [GeneratedRegex(@"^    (\S+)  (\S+)  ser=(\S*)  n=(\d+)$")]
    private static partial Regex MetadataTopicLine();

    [GeneratedRegex(@"^  (\S+) \((\d+) B\)(.*)$")]
    private static partial Regex FileLine();

    [GeneratedRegex(@"(tables|topics_cols)=\[([^\]]*)\]")]
    private static partial Regex ListField();

    [GeneratedRegex(@"schema=\[\((\d+), '([^']*)'\)\]")]
    private static partial Regex SchemaRow();

    [GeneratedRegex(@"^    (\S+)  (\S+)  n=(\d+)$")]
    private static partial Regex SqliteTopicLine();

    [GeneratedRegex(@"^    profile/library=\('([^']*)', '([^']*)'\) chunks=\{.*\} attachments=(\d+) metadata=(\d+) t=\[(\d+),(\d+)\]$")]
    private static partial Regex McapHeaderLine();

    [GeneratedRegex(@"^    schema (\d+): (\S+) enc=(\S*) \((\d+)B\)$")]
    private static partial Regex McapSchemaLine();

    [GeneratedRegex(@"^    chan (\d+): (\S+) msgenc=(\S+) schema=(\d+) n=(\d+) meta_keys=\[(.*)\]$")]
    private static partial Regex McapChannelLine();

    /// <summary>Every line must be understood: a format change should fail loudly, not drop expectations silently.</summary>
    private static List<InventoryBag> Parse(string suite, string path, string[] lines)
    {
        var bags = new List<InventoryBag>();
        InventoryBag? bag = null;
        InventoryFile? file = null;
        List<InventoryTopic>? metadataTopics = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0) continue;
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                bag = new InventoryBag { Suite = suite, Directory = line[3..].Trim() };
                bags.Add(bag);
                (file, metadataTopics) = (null, null);
            }
            else if (bag is not null && MetadataLine().Match(line) is { Success: true } meta)
            {
                (file, metadataTopics) = (null, []);
                bag.Metadata = new InventoryMetadata(Int(meta.Groups[1]), meta.Groups[2].Value, Long(meta.Groups[3]),
                    meta.Groups[4].Value, meta.Groups[5].Value, Quoted(meta.Groups[6].Value), metadataTopics);
            }
            else if (bag is not null && FileLine().Match(line) is { Success: true } fileMatch)
            {
                metadataTopics = null;
                file = new InventoryFile { Name = fileMatch.Groups[1].Value, Size = Long(fileMatch.Groups[2]) };
                string rest = fileMatch.Groups[3].Value;
                foreach (Match list in ListField().Matches(rest))
                    (list.Groups[1].Value == "tables" ? file.Tables : file.TopicColumns).AddRange(Quoted(list.Groups[2].Value));
                if (SchemaRow().Match(rest) is { Success: true } schema)
                    (file.SchemaVersion, file.RosDistro) = (Int(schema.Groups[1]), schema.Groups[2].Value);
                bag.Files.Add(file);
            }
            else if (metadataTopics is not null && MetadataTopicLine().Match(line) is { Success: true } topic)
                metadataTopics.Add(new InventoryTopic(topic.Groups[1].Value, topic.Groups[2].Value, topic.Groups[3].Value, Long(topic.Groups[4])));
            else if (file is not null && !ParseFileDetail(file, line))
                throw new InvalidOperationException($"{path}:{i + 1}: unexpected line under {file.Name}: {line}");
            else if (file is null)
                throw new InvalidOperationException($"{path}:{i + 1}: unexpected line: {line}");
        }
        return bags;
    }

    /// <summary>One indented line under a storage file: a sqlite topic, or an MCAP header, schema or channel.</summary>
    private static bool ParseFileDetail(InventoryFile file, string line)
    {
        if (SqliteTopicLine().Match(line) is { Success: true } topic)
            file.Topics.Add(new InventoryTopic(topic.Groups[1].Value, topic.Groups[2].Value, "", Long(topic.Groups[3])));
        else if (McapHeaderLine().Match(line) is { Success: true } header)
        {
            file.Mcap = new InventoryMcapHeader(header.Groups[1].Value, header.Groups[2].Value, Int(header.Groups[3]), Int(header.Groups[4]));
            file.TimeRange = (Long(header.Groups[5]), Long(header.Groups[6]));
        }
        else if (McapSchemaLine().Match(line) is { Success: true } schema)
            file.Schemas.Add(new InventorySchema(Int(schema.Groups[1]), schema.Groups[2].Value, schema.Groups[3].Value, Int(schema.Groups[4])));
        else if (McapChannelLine().Match(line) is { Success: true } c)
        {
            var channel = new InventoryChannel(Int(c.Groups[1]), c.Groups[2].Value, c.Groups[3].Value, Int(c.Groups[4]), Long(c.Groups[5]),
                Quoted(c.Groups[6].Value));
            file.Channels.Add(channel);
            // Schemas are listed before channels, so the channel's type is known here.
            string type = file.Schemas.FirstOrDefault(s => s.Id == channel.SchemaId)?.Name ?? "";
            file.Topics.Add(new InventoryTopic(channel.Topic, type, channel.MessageEncoding, channel.Count));
        }
        else
            return false;
        return true;
    }

    private static int Int(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

    private static long Long(Group g) => long.Parse(g.Value, CultureInfo.InvariantCulture);

    private static List<string> Quoted(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.Trim('\'')).ToList();

    /// <summary>Theory rows: relative bag paths; one empty row when the suite is missing (the test then skips through Fixtures.Require).</summary>
    public static TheoryData<string> Bags(Func<InventoryBag, bool> select) =>
        Rows(Load(Rosbag2Suite).Concat(Load(RosbagsRsSuite)).Where(select).Select(b => b.RelativePath));

    /// <summary>Theory rows: relative paths of single storage files listed in the inventories (one empty row, as for <see cref="Bags"/>).</summary>
    public static TheoryData<string> StorageFiles(Func<InventoryBag, InventoryFile, bool> select) =>
        Rows(Load(Rosbag2Suite).Concat(Load(RosbagsRsSuite))
            .SelectMany(b => b.Files.Where(f => select(b, f)).Select(f => Path.Combine(b.RelativePath, f.Name))));

    private static TheoryData<string> Rows(IEnumerable<string> paths)
    {
        var rows = new TheoryData<string>();
        foreach (string path in paths) rows.Add(path);
        if (rows.Count == 0) rows.Add("");
        return rows;
    }

    public static InventoryFile FindFile(string relativeFilePath)
    {
        var bag = Find(Path.GetDirectoryName(relativeFilePath)!);
        return bag.Files.Single(f => f.Name == Path.GetFileName(relativeFilePath));
    }
}
