using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(a) Every MCAP fixture bag through <see cref="BagReader"/>, against the fixture inventory.</summary>
public sealed class Rosbag2McapFixtureTests
{
    public static TheoryData<string> McapBags() =>
        FixtureInventory.Bags(b => FixtureBagChecks.IsBagFolder(b) && FixtureBagChecks.IsMcap(b));

    public static TheoryData<string> SingleMcapFiles() =>
        FixtureInventory.StorageFiles((b, f) => b.Directory.EndsWith("bags_no_metadata", StringComparison.Ordinal) && f.Name.EndsWith(".mcap", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(McapBags))]
    public void Open_McapFixtureBag_TopicsTypesFormatsAndCountsMatchInventory(string relativePath)
    {
        using var reader = BagReader.Open(TestFiles.Fixture(relativePath));
        FixtureBagChecks.CheckOpen(reader, FixtureBagChecks.ExpectedFor(relativePath));
    }

    [Theory]
    [MemberData(nameof(McapBags))]
    public void ReadMessages_McapFixtureBag_CountsAndTimeRangeMatch(string relativePath)
    {
        using var reader = BagReader.Open(TestFiles.Fixture(relativePath));
        FixtureBagChecks.CheckMessages(reader, FixtureBagChecks.ExpectedFor(relativePath));
    }

    [Theory]
    [MemberData(nameof(SingleMcapFiles))]
    public void Open_SingleMcapFile_CountsMatchInventory(string relativePath)
    {
        using var reader = BagReader.Open(TestFiles.Fixture(relativePath));
        var expected = FixtureInventory.FindFile(relativePath);
        // The inventory lists the channels that carry messages; the summary also declares topics that never got one
        // (as rosbag2's MCAP reader reports them), and those must count zero.
        var counts = reader.Metadata.TopicsWithMessageCount.ToDictionary(t => t.Topic.Name, t => t.MessageCount);
        foreach (var topic in expected.Topics) Assert.Equal(topic.Count, counts.GetValueOrDefault(topic.Name, -1));
        Assert.All(counts.Where(c => expected.Topics.All(t => t.Name != c.Key)), c => Assert.Equal(0, c.Value));
        var messages = reader.ReadMessages().Select(m => m.TimestampNs).ToList();
        Assert.Equal(expected.Topics.Sum(t => t.Count), messages.Count);
        Assert.Equal(expected.TimeRange!.Value.Start, messages.Min());
        Assert.Equal(expected.TimeRange!.Value.End, messages.Max());
    }
}
