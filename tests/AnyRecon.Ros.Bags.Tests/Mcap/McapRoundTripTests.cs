using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>Files written by <see cref="McapWriter"/> read back by every reader mode.</summary>
public sealed class McapRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<McapCompression, int> CompressionsAndChunkSizes()
    {
        var data = new TheoryData<McapCompression, int>();
        foreach (McapCompression compression in Enum.GetValues<McapCompression>())
            foreach (int chunkSize in new[] { 1, 5000, 64 * 1024, McapWriterOptions.DefaultChunkSizeBytes })
                data.Add(compression, chunkSize);
        return data;
    }

    [Theory]
    [MemberData(nameof(CompressionsAndChunkSizes))]
    public void WriteThenRead_AnyCompressionAndChunkSize_EveryModeYieldsWhatWasWritten(McapCompression compression, int chunkSize)
    {
        string path = _temp.Combine("roundtrip.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(400);
        McapTestFiles.Write(path, written, new McapWriterOptions { Compression = compression, ChunkSizeBytes = chunkSize, Profile = "ros2" });

        var problems = new List<McapProblem>();
        using (McapReader reader = McapReader.Open(path, new McapReaderOptions { OnProblem = problems.Add }))
        {
            Assert.Equal(McapReadMode.Indexed, reader.Mode);
            Assert.Equal(new McapHeader("ros2", McapWriterOptions.DefaultLibrary), reader.Header);
            Assert.Equal(written, reader.ReadMessages().Select(WrittenMessage.From).ToList());
            Assert.Equal((ulong)written.Count, reader.Statistics!.MessageCount);
            Assert.Equal(written.Min(m => m.LogTime), reader.Statistics.MessageStartTime);
            Assert.Equal(written.Max(m => m.LogTime), reader.Statistics.MessageEndTime);
            Assert.Equal((uint)reader.ChunkIndexes.Count, reader.Statistics.ChunkCount);
            if (chunkSize == 1) Assert.Equal(written.Count, reader.ChunkIndexes.Count);
            Assert.All(reader.ChunkIndexes, c => Assert.Equal(compression switch
            {
                McapCompression.Zstd => "zstd",
                McapCompression.Lz4 => "lz4",
                _ => "",
            }, c.Compression));
            // The streamed view checks every CRC the writer wrote: chunks, data section, summary.
            List<McapRecord> records = reader.ReadRecords().ToList();
            Assert.Equal(written.Count, records.OfType<McapMessageRecord>().Count());
            Assert.IsType<McapFooter>(records[^1]);
            Assert.NotEqual(0u, ((McapFooter)records[^1]).SummaryCrc);
            Assert.NotEqual(0u, records.OfType<McapDataEnd>().Single().DataSectionCrc);
        }
        Assert.Empty(problems);

        foreach (McapSummaryPolicy policy in new[] { McapSummaryPolicy.ForceLinear, McapSummaryPolicy.UseSummaryElseRebuild })
        {
            var options = new McapReaderOptions { SummaryPolicy = policy, OnProblem = problems.Add };
            Assert.Equal(written, McapTestFiles.ReadAll(path, options));
            Assert.Empty(problems);
        }
    }

    [Fact]
    public void ReadMessages_TopicFilter_NeverLoadsChunksWithoutWantedChannels()
    {
        // Topics in separate runs, so each chunk holds one topic; then the "/a" chunks are damaged.
        string path = _temp.Combine("topics.mcap");
        var written = McapTestFiles.Generate(60, topics: ["/a"]).Select((m, i) => m with { LogTime = (ulong)(1000 + i) })
            .Concat(McapTestFiles.Generate(60, seed: 2, topics: ["/b"]).Select((m, i) => m with { LogTime = (ulong)(2000 + i) }))
            .ToList();
        McapTestFiles.Write(path, written, new McapWriterOptions { Compression = McapCompression.None, ChunkSizeBytes = 20_000 });
        DamageChunks(path, (reader, chunk) => chunk.MessageIndexOffsets.Keys.All(id => reader.Channels[id].Topic == "/a"));

        var problems = new List<McapProblem>();
        var options = new McapReaderOptions { OnProblem = problems.Add };
        Assert.Equal(written.Where(m => m.Topic == "/b"), McapTestFiles.ReadAll(path, options, new McapMessageQuery { Topics = ["/b"] }));
        Assert.Empty(problems);

        // Reading "/a" meets the damage: the check above would have seen it had those chunks been loaded.
        Assert.Throws<BagFormatException>(() => McapTestFiles.ReadAll(path, options, new McapMessageQuery { Topics = ["/a"] }));
        Assert.Contains(problems, p => p.Kind == McapProblemKind.DataDamaged);
    }

    [Fact]
    public void ReadMessages_TimeRange_YieldsInclusiveRangeAndSkipsChunksOutsideIt()
    {
        string path = _temp.Combine("time.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(300, maxSize: 500);
        McapTestFiles.Write(path, written, new McapWriterOptions { Compression = McapCompression.Zstd, ChunkSizeBytes = 4000 });
        ulong start = written[100].LogTime, end = written[199].LogTime;
        DamageChunks(path, (_, chunk) => chunk.MessageEndTime < start || chunk.MessageStartTime > end);

        var problems = new List<McapProblem>();
        var query = new McapMessageQuery { StartTime = start, EndTime = end };
        List<WrittenMessage> read = McapTestFiles.ReadAll(path, new McapReaderOptions { OnProblem = problems.Add }, query);
        Assert.Equal(written.Skip(100).Take(100), read);
        Assert.Empty(problems);

        var both = new McapMessageQuery { StartTime = start, EndTime = end, Topics = ["/imu"] };
        Assert.Equal(written.Skip(100).Take(100).Where(m => m.Topic == "/imu"), McapTestFiles.ReadAll(path, query: both));
    }

    [Theory]
    [InlineData(McapCompression.None)]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    public void ReadMessages_LogTimesOutOfOrderAcrossChunks_IndexedReadsComeOutTimeOrdered(McapCompression compression)
    {
        // Interleaved clocks: chunks overlap in time heavily, with many equal log times across chunks.
        string path = _temp.Combine("disorder.mcap");
        var random = new Random(7);
        List<WrittenMessage> written = McapTestFiles.Generate(500, maxSize: 200)
            .Select((m, i) => m with { LogTime = (ulong)(i % 3 == 0 ? 5000 - i : i % 3 == 1 ? i : random.Next(0, 700)) })
            .ToList();
        McapTestFiles.Write(path, written, new McapWriterOptions { Compression = compression, ChunkSizeBytes = 3000 });
        List<WrittenMessage> byTime = McapTestFiles.ByTime(written);

        Assert.Equal(byTime, McapTestFiles.ReadAll(path));
        Assert.Equal(written, McapTestFiles.ReadAll(path, query: new McapMessageQuery { Order = McapReadOrder.File }));
        Assert.Equal(byTime, McapTestFiles.ReadAll(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.UseSummaryElseRebuild }));
        Assert.Equal(byTime.Where(m => m.Topic != "/tf"), McapTestFiles.ReadAll(path, query: new McapMessageQuery { Topics = ["/imu", "/camera/image"] }));
        var range = new McapMessageQuery { StartTime = 300, EndTime = 2000 };
        Assert.Equal(byTime.Where(m => m.LogTime is >= 300 and <= 2000), McapTestFiles.ReadAll(path, query: range));

        // A linear read cannot sort: file order, and it says so.
        var problems = new List<McapProblem>();
        Assert.Equal(written, McapTestFiles.ReadAll(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.ForceLinear, OnProblem = problems.Add }));
        Assert.Contains(problems, p => p.Kind == McapProblemKind.OrderNotGuaranteed);
    }

    [Fact]
    public void ReadMessages_MessageLargerThanChunkSize_GetsAChunkOfItsOwn()
    {
        string path = _temp.Combine("big.mcap");
        var big = new byte[3 << 20];
        new Random(3).NextBytes(big);
        List<WrittenMessage> written = [.. McapTestFiles.Generate(5, maxSize: 100), new WrittenMessage("/imu", 99, 5000, 5000, big), .. McapTestFiles.Generate(5, seed: 9, maxSize: 100).Select(m => m with { LogTime = m.LogTime + 10_000 })];
        McapTestFiles.Write(path, written, new McapWriterOptions { ChunkSizeBytes = 64 * 1024 });
        Assert.Equal(written, McapTestFiles.ReadAll(path));
    }

    [Fact]
    public void WriteThenRead_AttachmentsAndMetadata_ReadBackThroughIndexesAndScan()
    {
        string path = _temp.Combine("extras.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(20);
        byte[] calibration = "K: [525, 0, 320, 0, 525, 240, 0, 0, 1]\n"u8.ToArray();
        McapTestFiles.Write(path, written, extra: w =>
        {
            w.WriteAttachment("camera.yaml", "application/yaml", 42, 41, calibration);
            w.WriteMetadata("rosbag2", new Dictionary<string, string> { ["serialized_metadata"] = "x: 1", ["ros_distro"] = "jazzy" });
            w.WriteAttachment("empty.bin", "application/octet-stream", 43, 0, []);
        });

        foreach (McapSummaryPolicy policy in new[] { McapSummaryPolicy.UseSummaryElseLinear, McapSummaryPolicy.ForceLinear })
        {
            using McapReader reader = McapReader.Open(path, new McapReaderOptions { SummaryPolicy = policy });
            Assert.Equal(2, reader.AttachmentIndexes.Count);
            McapAttachment first = reader.ReadAttachment(reader.AttachmentIndexes[0]);
            Assert.Equal(("camera.yaml", "application/yaml", 42ul, 41ul), (first.Name, first.MediaType, first.LogTime, first.CreateTime));
            Assert.Equal(calibration, first.Data.ToArray());
            Assert.NotEqual(0u, first.Crc);
            Assert.Empty(reader.ReadAttachment(reader.AttachmentIndexes[1]).Data.ToArray());
            McapMetadata metadata = Assert.Single(reader.ReadMetadata());
            Assert.Equal("rosbag2", metadata.Name);
            Assert.Equal("jazzy", metadata.Metadata["ros_distro"]);
            Assert.Equal(2u, reader.Statistics!.AttachmentCount);
            Assert.Equal(written, reader.ReadMessages().Select(WrittenMessage.From).ToList());
        }
    }

    [Fact]
    public void WriteThenRead_NoMessages_HasEmptyStatisticsAndReadsIndexed()
    {
        string path = _temp.Combine("empty.mcap");
        using (var writer = new McapWriter(path))
            writer.AddChannel(writer.AddSchema("std_msgs/msg/Empty", "ros2msg", []), "/nothing", "cdr");
        using McapReader reader = McapReader.Open(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.RequireSummary });
        Assert.Equal(McapReadMode.Indexed, reader.Mode);
        Assert.Empty(reader.ReadMessages());
        Assert.Equal(0ul, reader.Statistics!.MessageCount);
        Assert.Equal("/nothing", Assert.Single(reader.Channels).Value.Topic);
    }

    [Fact]
    public void Write_WithoutSummary_ReadsLinearlyAndRebuildsOnRequest()
    {
        string path = _temp.Combine("nosummary.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(200);
        McapTestFiles.Write(path, written, new McapWriterOptions { WriteSummary = false, ChunkSizeBytes = 10_000 });

        var problems = new List<McapProblem>();
        using (McapReader reader = McapReader.Open(path, new McapReaderOptions { OnProblem = problems.Add }))
        {
            Assert.Equal(McapReadMode.Linear, reader.Mode);
            Assert.Equal(written, reader.ReadMessages().Select(WrittenMessage.From).ToList());
            Assert.Equal(McapTestFiles.Topics.Order(), reader.Channels.Values.Select(c => c.Topic).Order());
            Assert.Equal((ulong)written.Count, reader.Statistics!.MessageCount);
        }
        Assert.Contains(problems, p => p.Kind == McapProblemKind.NoSummary);
        Assert.Throws<BagFormatException>(() => McapReader.Open(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.RequireSummary }));
        Assert.Equal(written, McapTestFiles.ReadAll(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.UseSummaryElseRebuild }));
    }

    [Fact]
    public void ReadMessages_Data_IsValidUntilTheEnumeratorAdvances()
    {
        string path = _temp.Combine("slices.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(50);
        McapTestFiles.Write(path, written, new McapWriterOptions { ChunkSizeBytes = 2000 });
        using McapReader reader = McapReader.Open(path);
        using IEnumerator<McapMessage> e = reader.ReadMessages().GetEnumerator();
        int i = 0;
        while (e.MoveNext())
        {
            // Two reads of the same slice before advancing see the same bytes.
            Assert.Equal(written[i].Data, e.Current.Data.ToArray());
            Assert.Equal(written[i++].Data, e.Current.Data.Span.ToArray());
        }
        Assert.Equal(written.Count, i);
    }

    /// <summary>Flips a byte inside the records of every chunk <paramref name="select"/> picks (the summary stays intact).</summary>
    private static void DamageChunks(string path, Func<McapReader, McapChunkIndex, bool> select)
    {
        List<long> offsets;
        using (McapReader reader = McapReader.Open(path))
            offsets = reader.ChunkIndexes.Where(c => select(reader, c)).Select(c => (long)(c.ChunkStartOffset + c.ChunkLength - 3)).ToList();
        Assert.NotEmpty(offsets);
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        foreach (long offset in offsets)
        {
            file.Position = offset;
            int b = file.ReadByte();
            file.Position = offset;
            file.WriteByte((byte)(b ^ 0x5A));
        }
    }
}
