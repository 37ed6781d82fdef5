using System.Globalization;
using System.Text.Json.Nodes;
using AnyRecon.Ros.Bags.Mcap;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>Every conformance input read by every reader mode, checked against the reference JSON (independent truth).</summary>
public sealed class McapConformanceTests
{
    public static TheoryData<string> Files => McapConformance.AllFiles();

    [Theory]
    [MemberData(nameof(Files))]
    public void ReadRecords_ConformanceFile_MatchesReferenceJson(string file)
    {
        string path = McapConformance.Require(file);
        var problems = new List<McapProblem>();
        using McapReader reader = McapReader.Open(path, new McapReaderOptions { OnProblem = problems.Add });

        var actual = new JsonArray(reader.ReadRecords().Select(r => (JsonNode?)McapConformance.Normalize(McapConformance.ToJson(r))).ToArray());
        JsonArray expected = McapConformance.ExpectedRecords(path);

        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i]!.ToJsonString(), actual[i]!.ToJsonString());
        Assert.DoesNotContain(problems, p => p.Kind == McapProblemKind.DataDamaged);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ReadMessages_EveryPolicyAndOrder_YieldsReferenceMessagesInLogTimeOrder(string file)
    {
        string path = McapConformance.Require(file);
        List<string> inFileOrder = ReferenceMessages(path, sortByTime: false);
        List<string> expected = ReferenceMessages(path);

        foreach (McapSummaryPolicy policy in Enum.GetValues<McapSummaryPolicy>())
        {
            var problems = new List<McapProblem>();
            McapReader reader;
            try
            {
                reader = McapReader.Open(path, new McapReaderOptions { SummaryPolicy = policy, OnProblem = problems.Add });
            }
            catch (BagFormatException) when (policy == McapSummaryPolicy.RequireSummary)
            {
                // Files without a usable summary are refused under this policy; the others must still agree.
                continue;
            }
            using (reader)
            {
                List<string> byTime = reader.ReadMessages().Select(Describe).ToList();
                List<string> byFile = reader.ReadMessages(new McapMessageQuery { Order = McapReadOrder.File }).Select(Describe).ToList();
                // A linear read cannot sort without holding the file: it yields file order and says so when that is not time order.
                bool linear = reader.Mode == McapReadMode.Linear;
                Assert.Equal(linear ? inFileOrder : expected, byTime);
                Assert.Equal(inFileOrder, byFile);
                Assert.DoesNotContain(problems, p => p.Kind == McapProblemKind.DataDamaged);
                Assert.Equal(linear && !inFileOrder.SequenceEqual(expected), problems.Any(p => p.Kind == McapProblemKind.OrderNotGuaranteed));
                if (policy == McapSummaryPolicy.ForceLinear) Assert.Equal(McapReadMode.Linear, reader.Mode);
                if (policy == McapSummaryPolicy.UseSummaryElseRebuild) Assert.Equal(McapReadMode.Indexed, reader.Mode);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Open_SummaryWithChunkIndexesAndChannels_ReadsIndexed(string file)
    {
        string path = McapConformance.Require(file);
        string name = Path.GetFileNameWithoutExtension(path);
        string[] features = name.Split('-')[1..];
        using McapReader reader = McapReader.Open(path);
        // Chunk indexes plus schema and channel copies in the summary are what the spec asks of an indexed file.
        bool indexedByWriter = features.Contains("chx") && features.Contains("rch") && features.Contains("rsh");
        if (indexedByWriter) Assert.Equal(McapReadMode.Indexed, reader.Mode);
        if (!features.Contains("ch") && ReferenceMessages(path).Count > 0) Assert.Equal(McapReadMode.Linear, reader.Mode);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Properties_AnyPolicy_MatchReferenceChannelsSchemasMetadataAndAttachments(string file)
    {
        string path = McapConformance.Require(file);
        JsonArray records = McapConformance.ExpectedRecords(path);
        string[] OfType(string type) => records.Where(r => (string)r!["type"]! == type)
            .Select(r => r!.ToJsonString()).Distinct().Order(StringComparer.Ordinal).ToArray();

        foreach (McapSummaryPolicy policy in new[] { McapSummaryPolicy.UseSummaryElseLinear, McapSummaryPolicy.ForceLinear, McapSummaryPolicy.UseSummaryElseRebuild })
        {
            using McapReader reader = McapReader.Open(path, new McapReaderOptions { SummaryPolicy = policy });
            Assert.Equal(OfType("Channel"), Json(reader.Channels.Values));
            Assert.Equal(OfType("Schema"), Json(reader.Schemas.Values));
            Assert.Equal(OfType("Metadata"), Json(reader.ReadMetadata()));
            Assert.Equal(OfType("Attachment"), Json(reader.AttachmentIndexes.Select(reader.ReadAttachment)));

            JsonNode? statistics = records.FirstOrDefault(r => (string)r!["type"]! == "Statistics");
            if (statistics is not null && reader.Mode == McapReadMode.Indexed && policy != McapSummaryPolicy.UseSummaryElseRebuild)
                Assert.Equal(statistics.ToJsonString(), McapConformance.Normalize(McapConformance.ToJson(reader.Statistics!)).ToJsonString());
            if (reader.Statistics is { } stats)
                Assert.Equal((ulong)ReferenceMessages(path).Count, stats.MessageCount);
        }
    }

    private static string[] Json(IEnumerable<McapRecord> records) =>
        records.Select(r => McapConformance.Normalize(McapConformance.ToJson(r)).ToJsonString()).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The Message records of the reference JSON, as "channel/sequence/log/publish/bytes", stably sorted by log time unless asked for file order.</summary>
    private static List<string> ReferenceMessages(string path, bool sortByTime = true)
    {
        var messages = new List<(ulong LogTime, string Text)>();
        foreach (JsonNode? record in McapConformance.ExpectedRecords(path))
        {
            if ((string)record!["type"]! != "Message") continue;
            var f = ((JsonArray)record["fields"]!).ToDictionary(p => (string)p![0]!, p => p![1]!);
            string data = string.Join(",", ((JsonArray)f["data"]).Select(b => (string)b!));
            messages.Add((ulong.Parse((string)f["log_time"]!, CultureInfo.InvariantCulture),
                $"{f["channel_id"]}/{f["sequence"]}/{f["log_time"]}/{f["publish_time"]}/{data}"));
        }
        return (sortByTime ? messages.OrderBy(m => m.LogTime) : messages.AsEnumerable()).Select(m => m.Text).ToList();
    }

    private static string Describe(McapMessage m) =>
        $"{m.Channel.Id}/{m.Sequence}/{m.LogTime}/{m.PublishTime}/{string.Join(",", m.Data.ToArray())}";
}
