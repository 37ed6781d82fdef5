using System.Globalization;
using System.Text.RegularExpressions;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>
/// The machine-made INVENTORY.txt beside each fixture suite (written by another tool from the files themselves), parsed
/// into expected topics, counts, schemas and time ranges. Tests take their truth from here, not from our own readers.
/// </summary>
internal static partial class FixtureInventory
{
    public const string Rosbag2Suite = "rosbag2_fixtures";
    public const string RosbagsRsSuite = "rosbags_rs_all_types_bag";

    public sealed record InventoryTopic(string Name, string Type, string SerializationFormat, long Count);

    public sealed record InventoryMetadata(int Version, string Storage, long MessageCount, string CompressionFormat, string CompressionMode,
        IReadOnlyList<string> Files, IReadOnlyList<InventoryTopic> Topics);

    public sealed class InventoryFile
    {
        public required string Name { get; init; }
        public long Size { get; init; }
        public List<string> Tables { get; } = [];
        public List<string> TopicColumns { get; } = [];
        public int? SchemaVersion { get; set; }
        public string? RosDistro { get; set; }
        public (long Start, long End)? TimeRange { get; set; }
        /// <summary>sqlite: per topic (format empty); mcap: per channel (format = message encoding).</summary>
        public List<InventoryTopic> Topics { get; } = [];
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
            var result = File.Exists(path) ? Parse(suite, File.ReadAllLines(path)) : [];
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

    [GeneratedRegex(@"^  (\S+) \((\d+) B\)(.*)$")]
    private static partial Regex FileLine();

    [GeneratedRegex(@"^    chan \d+: (\S+) msgenc=(\S+) schema=\d+ n=(\d+)")]
    private static partial Regex ChannelLine();

    [GeneratedRegex(@"t=\[(\d+),(\d+)\]")]
    private static partial Regex TimeRange();

    [GeneratedRegex(@"schema=\[\((\d+), '([^']*)'\)\]")]
    private static partial Regex SchemaRow();

    [GeneratedRegex(@"(tables|topics_cols)=\[([^\]]*)\]")]
    private static partial Regex ListField();

    private static List<InventoryBag> Parse(string suite, string[] lines)
    {
        var bags = new List<InventoryBag>();
        InventoryBag? bag = null;
        InventoryFile? file = null;
        List<InventoryTopic>? metadataTopics = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                bag = new InventoryBag { Suite = suite, Directory = line[3..].Trim() };
                bags.Add(bag);
                file = null;
                metadataTopics = null;
                continue;
            }
            if (bag is null || line.Length == 0) continue;
            var meta = MetadataLine().Match(line);
            if (meta.Success)
            {
                metadataTopics = [];
                file = null;
                bag.Metadata = new InventoryMetadata(
                    int.Parse(meta.Groups[1].Value, CultureInfo.InvariantCulture), meta.Groups[2].Value,
                    long.Parse(meta.Groups[3].Value, CultureInfo.InvariantCulture), meta.Groups[4].Value, meta.Groups[5].Value,
                    Quoted(meta.Groups[6].Value), metadataTopics);
                continue;
            }
            var fileMatch = FileLine().Match(line);
            if (fileMatch.Success)
            {
                metadataTopics = null;
                file = new InventoryFile { Name = fileMatch.Groups[1].Value, Size = long.Parse(fileMatch.Groups[2].Value, CultureInfo.InvariantCulture) };
                string rest = fileMatch.Groups[3].Value;
                foreach (Match list in ListField().Matches(rest))
                    (list.Groups[1].Value == "tables" ? file.Tables : file.TopicColumns).AddRange(Quoted(list.Groups[2].Value));
                var schema = SchemaRow().Match(rest);
                if (schema.Success)
                {
                    file.SchemaVersion = int.Parse(schema.Groups[1].Value, CultureInfo.InvariantCulture);
                    file.RosDistro = schema.Groups[2].Value;
                }
                bag.Files.Add(file);
                continue;
            }
            if (metadataTopics is not null && line.StartsWith("    ", StringComparison.Ordinal))
            {
                string[] parts = line.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries);
                metadataTopics.Add(new InventoryTopic(parts[0], parts[1], parts[2]["ser=".Length..], long.Parse(parts[3]["n=".Length..], CultureInfo.InvariantCulture)));
                continue;
            }
            if (file is null) continue;
            var channel = ChannelLine().Match(line);
            if (channel.Success)
            {
                file.Topics.Add(new InventoryTopic(channel.Groups[1].Value, "", channel.Groups[2].Value, long.Parse(channel.Groups[3].Value, CultureInfo.InvariantCulture)));
                continue;
            }
            var range = TimeRange().Match(line);
            if (line.StartsWith("    profile/library=", StringComparison.Ordinal) && range.Success)
            {
                file.TimeRange = (long.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture));
                continue;
            }
            if (line.StartsWith("    ", StringComparison.Ordinal) && line.Contains("  n=", StringComparison.Ordinal))
            {
                string[] parts = line.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries);
                file.Topics.Add(new InventoryTopic(parts[0], parts[1], "", long.Parse(parts[2]["n=".Length..], CultureInfo.InvariantCulture)));
            }
        }
        return bags;
    }

    private static List<string> Quoted(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.Trim('\'')).ToList();

    /// <summary>Theory rows: relative bag paths; one empty row when the suite is missing (the test then skips through Fixtures.Require).</summary>
    public static TheoryData<string> Bags(Func<InventoryBag, bool> select)
    {
        var rows = new TheoryData<string>();
        var all = Load(Rosbag2Suite).Concat(Load(RosbagsRsSuite)).Where(select).Select(b => b.RelativePath).ToList();
        if (all.Count == 0) rows.Add("");
        foreach (string path in all) rows.Add(path);
        return rows;
    }

    /// <summary>Theory rows: relative paths of single storage files listed in the inventories.</summary>
    public static TheoryData<string> StorageFiles(Func<InventoryBag, InventoryFile, bool> select)
    {
        var rows = new TheoryData<string>();
        var all = Load(Rosbag2Suite).Concat(Load(RosbagsRsSuite))
            .SelectMany(b => b.Files.Where(f => select(b, f)).Select(f => Path.Combine(b.RelativePath, f.Name))).ToList();
        if (all.Count == 0) rows.Add("");
        foreach (string path in all) rows.Add(path);
        return rows;
    }

    public static InventoryFile FindFile(string relativeFilePath)
    {
        var bag = Find(Path.GetDirectoryName(relativeFilePath)!);
        return bag.Files.Single(f => f.Name == Path.GetFileName(relativeFilePath));
    }
}
