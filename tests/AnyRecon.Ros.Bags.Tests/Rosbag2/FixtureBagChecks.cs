using System.Globalization;
using Xunit;
using YamlDotNet.RepresentationModel;
using static AnyRecon.Ros.Bags.Tests.FixtureInventory;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>
/// What a fixture bag must look like through <see cref="BagReader"/>, with every expectation taken from the
/// inventory (or, for time ranges, from metadata.yaml read directly with YamlDotNet, not through our parser).
/// </summary>
internal static class FixtureBagChecks
{
    /// <summary>wbag's metadata.yaml (sqlite3 and mcap) states the last file's start and duration only; NOTES.md gives the true span.</summary>
    private static readonly Dictionary<string, (long Start, long End)> s_knownRanges = new(StringComparer.Ordinal)
    {
        ["rosbag2_fixtures/head/rosbag2_py/sqlite3/wbag"] = (1000, 2998),
        ["rosbag2_fixtures/head/rosbag2_py/mcap/wbag"] = (1000, 2998),
    };

    /// <summary>Folders listed in the inventory that are not bags: target_metadata holds expected reindex output only,
    /// and bags_no_metadata holds unrelated single-file bags of two storages (tested file by file).</summary>
    public static bool IsBagFolder(InventoryBag bag) =>
        !bag.Directory.Contains("target_metadata", StringComparison.Ordinal)
        && !bag.Directory.EndsWith("bags_no_metadata", StringComparison.Ordinal);

    public static bool IsSqlite(InventoryBag bag) =>
        bag.Metadata?.Storage == "sqlite3" || (bag.Metadata is null && bag.Files.Count > 0 && bag.Files.All(f => f.Name.Contains(".db3", StringComparison.Ordinal)));

    public static bool IsMcap(InventoryBag bag) =>
        bag.Metadata?.Storage == "mcap" || (bag.Metadata is null && bag.Files.Count > 0 && bag.Files.All(f => f.Name.EndsWith(".mcap", StringComparison.Ordinal)));

    public sealed record Expected(IReadOnlyList<InventoryTopic> Topics, long MessageCount, string CompressionMode, (long Start, long End)? Range);

    public static Expected ExpectedFor(string relativeBagPath)
    {
        var bag = Find(relativeBagPath);
        var metadata = bag.Metadata;
        if (metadata is null)
        {
            // reindex_test_bags_2022 keeps its expected reindex output beside the bags.
            string target = relativeBagPath.Replace("reindex_test_bags_2022/", "reindex_test_bags_2022/target_metadata/", StringComparison.Ordinal);
            if (target != relativeBagPath) metadata = Find(target).Metadata;
        }
        if (metadata is not null)
        {
            (long, long)? range = s_knownRanges.TryGetValue(relativeBagPath, out var known) ? known
                : bag.Metadata is not null ? RangeFromYaml(Path.Combine(TestFiles.Fixture(relativeBagPath), "metadata.yaml"))
                : null;
            return new Expected(metadata.Topics, metadata.MessageCount, metadata.CompressionMode, range);
        }
        // No metadata anywhere: sum the per-file listings (type unknown for MCAP channels, format unknown for sqlite).
        var topics = bag.Files.SelectMany(f => f.Topics)
            .GroupBy(t => t.Name)
            .Select(g => new InventoryTopic(g.Key, g.Select(t => t.Type).FirstOrDefault(t => t.Length > 0) ?? "",
                g.Select(t => t.SerializationFormat).FirstOrDefault(f => f.Length > 0) ?? "", g.Sum(t => t.Count)))
            .ToList();
        (long, long)? fileRange = bag.Files.All(f => f.TimeRange is not null) && bag.Files.Count > 0
            ? (bag.Files.Min(f => f.TimeRange!.Value.Start), bag.Files.Max(f => f.TimeRange!.Value.End))
            : null;
        return new Expected(topics, topics.Sum(t => t.Count), "", fileRange);
    }

    private static (long, long)? RangeFromYaml(string metadataPath)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(metadataPath)));
        var info = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["rosbag2_bagfile_information"];
        long count = long.Parse(((YamlScalarNode)info["message_count"]).Value!, CultureInfo.InvariantCulture);
        if (count == 0) return null;
        long start = long.Parse(((YamlScalarNode)((YamlMappingNode)info["starting_time"])["nanoseconds_since_epoch"]).Value!, CultureInfo.InvariantCulture);
        long duration = long.Parse(((YamlScalarNode)((YamlMappingNode)info["duration"])["nanoseconds"]).Value!, CultureInfo.InvariantCulture);
        return (start, start + duration);
    }

    public static void CheckOpen(BagReader reader, Expected expected)
    {
        Assert.Equal(expected.Topics.Select(t => t.Name).Order(), reader.Topics.Select(t => t.Name).Order());
        foreach (var topic in expected.Topics)
        {
            var actual = reader.Topics.First(t => t.Name == topic.Name);
            if (topic.Type.Length > 0) Assert.Equal(topic.Type, actual.Type);
            if (topic.SerializationFormat.Length > 0) Assert.Equal(topic.SerializationFormat, actual.SerializationFormat);
            Assert.Equal(topic.Count, reader.Metadata.TopicsWithMessageCount.Where(t => t.Topic.Name == topic.Name).Sum(t => t.MessageCount));
        }
        Assert.Equal(expected.MessageCount, reader.Metadata.MessageCount);
        Assert.Equal(expected.CompressionMode, reader.Metadata.CompressionMode);
    }

    public static void CheckMessages(BagReader reader, Expected expected)
    {
        var counts = expected.Topics.ToDictionary(t => t.Name, _ => 0L);
        long previous = long.MinValue, first = 0, last = 0, total = 0;
        foreach (var message in reader.ReadMessages())
        {
            Assert.True(counts.ContainsKey(message.Topic.Name), $"unexpected topic {message.Topic.Name}");
            counts[message.Topic.Name]++;
            Assert.True(message.TimestampNs >= previous, $"timestamp {message.TimestampNs} after {previous}: not in order");
            if (total++ == 0) first = message.TimestampNs;
            previous = last = message.TimestampNs;
        }
        Assert.Equal(expected.Topics.Select(t => (t.Name, t.Count)).Order(), counts.Select(kv => (kv.Key, kv.Value)).Order());
        Assert.Equal(expected.MessageCount, total);
        if (expected.Range is var (start, end))
        {
            Assert.Equal(start, first);
            Assert.Equal(end, last);
        }
    }
}
