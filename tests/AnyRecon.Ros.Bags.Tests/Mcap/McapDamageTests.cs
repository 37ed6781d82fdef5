using System.Buffers.Binary;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>Truncated and corrupted files: typed errors naming the file and offset, and everything before the damage still read.</summary>
public sealed class McapDamageTests : IDisposable
{
    private static readonly McapSummaryPolicy[] s_policies =
        [McapSummaryPolicy.UseSummaryElseLinear, McapSummaryPolicy.UseSummaryElseRebuild, McapSummaryPolicy.ForceLinear];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.None)]
    public void ReadMessages_TruncatedAnywhere_YieldsCompleteChunksThenThrowsNamingFileAndOffset(McapCompression compression)
    {
        string original = _temp.Combine("whole.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(120, maxSize: 600);
        McapTestFiles.Write(original, written, new McapWriterOptions { Compression = compression, ChunkSizeBytes = 2000 });
        byte[] bytes = File.ReadAllBytes(original);
        Layout layout = Layout.Of(original);

        var cuts = new SortedSet<int>();
        for (int cut = 0; cut < bytes.Length; cut += 13) cuts.Add(cut);
        foreach (long end in layout.ChunkEnds.Append(layout.DataEndEnd))
            for (long d = -10; d <= 10; d++)
                if (end + d >= 0 && end + d < bytes.Length) cuts.Add((int)(end + d));

        string path = _temp.Combine("cut.mcap");
        foreach (int cut in cuts)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, cut).ToArray());
            List<WrittenMessage> expected = written.Take(layout.MessagesInChunksEndingBy(cut)).ToList();
            bool dataComplete = cut >= layout.DataEndEnd;
            foreach (McapSummaryPolicy policy in s_policies)
            {
                var (messages, error) = McapTestFiles.ReadUntilError(path, new McapReaderOptions { SummaryPolicy = policy });
                Assert.True(expected.SequenceEqual(messages), $"cut at {cut}, {policy}: read {messages.Count} messages, expected {expected.Count}");
                if (dataComplete)
                {
                    Assert.Null(error);
                    continue;
                }
                BagFormatException damage = Assert.IsType<BagFormatException>(error);
                Assert.Equal(path, damage.FilePath);
                Assert.InRange(damage.Offset, 0, cut);

                // Reporting instead of throwing yields the same messages and ends normally.
                var problems = new List<McapProblem>();
                var lenient = new McapReaderOptions { SummaryPolicy = policy, DamagePolicy = McapDamagePolicy.Report, OnProblem = problems.Add };
                if (cut < layout.DataStart)
                {
                    Assert.Throws<BagFormatException>(() => McapReader.Open(path, lenient));
                    continue;
                }
                Assert.Equal(expected, McapTestFiles.ReadAll(path, lenient));
                Assert.Contains(problems, p => p.Kind == McapProblemKind.DataDamaged && p.FilePath == path);
            }
        }
    }

    [Theory]
    [InlineData(McapCompression.Zstd, 1)]
    [InlineData(McapCompression.None, 2)]
    [InlineData(McapCompression.Lz4, 3)]
    public void ReadMessages_ByteFlippedAnywhere_NeverYieldsWrongDataSilently(McapCompression compression, int seed)
    {
        string original = _temp.Combine("whole.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(80, maxSize: 400);
        McapTestFiles.Write(original, written, new McapWriterOptions { Compression = compression, ChunkSizeBytes = 1500 });
        byte[] bytes = File.ReadAllBytes(original);
        Layout layout = Layout.Of(original);

        var random = new Random(seed);
        var positions = new SortedSet<int>(Enumerable.Range(0, 400).Select(_ => random.Next(bytes.Length)));
        for (int i = (int)layout.DataEndEnd - 9; i < bytes.Length; i += 3) positions.Add(i);

        string path = _temp.Combine("flipped.mcap");
        foreach (int position in positions)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[position] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, damaged);
            foreach (McapSummaryPolicy policy in s_policies)
            {
                var (messages, error) = McapTestFiles.ReadUntilError(path, new McapReaderOptions { SummaryPolicy = policy });
                string where = $"flip at {position}, {policy}";
                if (error is not null)
                {
                    BagFormatException damage = Assert.IsType<BagFormatException>(error);
                    Assert.Equal(path, damage.FilePath);
                }
                else
                {
                    // No error means every byte that matters was checked (chunk, data section or summary CRC).
                    Assert.True(written.SequenceEqual(messages), $"{where}: read {messages.Count} messages without an error but they differ");
                }
                if (position < layout.DataStart || policy != McapSummaryPolicy.UseSummaryElseLinear) continue;

                // With the summary intact, chunks are independent: only the flipped chunk's messages may be missing.
                Assert.True(IsSubsequence(messages, written), $"{where}: yielded a message that was never written");
                int chunk = layout.ChunkContaining(position);
                List<WrittenMessage> mustHave = written.Where((_, i) => layout.ChunkOfMessage(i) != chunk).ToList();
                Assert.True(IsSubsequence(mustHave, messages), $"{where}: lost messages outside the damaged chunk {chunk}");
            }
        }
    }

    [Fact]
    public void Open_SummaryDamaged_FallsBackToLinearAndReportsIt()
    {
        string path = _temp.Combine("summary.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(50);
        McapTestFiles.Write(path, written, new McapWriterOptions { ChunkSizeBytes = 3000 });
        Layout layout = Layout.Of(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[layout.DataEndEnd + 20] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var problems = new List<McapProblem>();
        using McapReader reader = McapReader.Open(path, new McapReaderOptions { OnProblem = problems.Add });
        Assert.Equal(McapReadMode.Linear, reader.Mode);
        Assert.Equal(McapProblemKind.SummaryDamaged, Assert.Single(problems).Kind);
        Assert.Equal(written, reader.ReadMessages().Select(WrittenMessage.From).ToList());
        var error = Assert.Throws<BagFormatException>(() => McapReader.Open(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.RequireSummary }));
        Assert.Equal(path, error.FilePath);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, (byte)'M', (byte)'C' })]
    [InlineData(new byte[] { (byte)'S', (byte)'Q', (byte)'L', (byte)'i', (byte)'t', (byte)'e', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void Open_NotMcap_ThrowsAtOffsetZero(byte[] content)
    {
        string path = _temp.Combine("not.mcap");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<BagFormatException>(() => McapReader.Open(path));
        Assert.Equal((path, 0L), (error.FilePath, error.Offset));
    }

    [Fact]
    public void ReadMessages_ChunkDeclaringHugeSizes_ThrowsWithoutAllocatingThem()
    {
        // Header, then a chunk claiming 2^40 uncompressed bytes, then one claiming 2^62 content bytes.
        string path = _temp.Combine("huge.mcap");
        var file = new List<byte>(McapRecordParser.Magic.ToArray());
        var header = new McapRecordBuffer();
        int at = header.BeginRecord(McapOpcode.Header);
        header.String("");
        header.String("test");
        header.EndRecord(at);
        file.AddRange(header.Span.ToArray());
        long chunkOffset = file.Count;
        var chunk = new McapRecordBuffer();
        at = chunk.BeginRecord(McapOpcode.Chunk);
        chunk.U64(1);
        chunk.U64(2);
        chunk.U64(1UL << 40);
        chunk.U32(0);
        chunk.String("zstd");
        chunk.Bytes64(new byte[16]);
        chunk.EndRecord(at);
        file.AddRange(chunk.Span.ToArray());
        byte[] liar = new byte[9];
        liar[0] = (byte)McapOpcode.Chunk;
        BinaryPrimitives.WriteUInt64LittleEndian(liar.AsSpan(1), 1UL << 62);
        file.AddRange(liar);
        File.WriteAllBytes(path, file.ToArray());

        foreach (McapSummaryPolicy policy in s_policies)
        {
            var problems = new List<McapProblem>();
            var options = new McapReaderOptions { SummaryPolicy = policy, DamagePolicy = McapDamagePolicy.Report, OnProblem = problems.Add };
            Assert.Empty(McapTestFiles.ReadAll(path, options));
            List<BagFormatException> damage = problems.Where(p => p.Kind == McapProblemKind.DataDamaged).Select(p => p.Exception!).ToList();
            Assert.Contains(damage, e => e.Offset == chunkOffset && e.Reason.Contains("MaxChunkBytes"));
            Assert.Contains(damage, e => e.Offset == chunkOffset + chunk.Length && e.Reason.Contains("remain"));
        }
    }

    private static bool IsSubsequence(List<WrittenMessage> small, List<WrittenMessage> large)
    {
        int j = 0;
        foreach (WrittenMessage m in large)
            if (j < small.Count && small[j].Equals(m)) j++;
        return j == small.Count;
    }

    /// <summary>Where the chunks of an intact file written in order are, and which messages each holds (from its message indexes).</summary>
    private sealed record Layout(long DataStart, long DataEndEnd, long[] ChunkStarts, long[] ChunkEnds, int[] MessagesPerChunk)
    {
        public static Layout Of(string path)
        {
            using McapReader reader = McapReader.Open(path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.RequireSummary });
            List<McapChunkIndex> chunks = reader.ChunkIndexes.OrderBy(c => c.ChunkStartOffset).ToList();
            byte[] bytes = File.ReadAllBytes(path);
            int[] counts = chunks.Select(c => c.MessageIndexOffsets.Values.Sum(offset =>
            {
                var span = bytes.AsSpan((int)offset);
                int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[1..]);
                return McapRecordParser.ParseMessageIndex(span.Slice(9, length)).Records.Count;
            })).ToArray();
            List<McapRecord> records = reader.ReadRecords().ToList();
            long dataEndEnd = (long)((McapFooter)records[^1]).SummaryStart;
            return new Layout(reader.DataStart, dataEndEnd, chunks.Select(c => (long)c.ChunkStartOffset).ToArray(),
                chunks.Select(c => (long)(c.ChunkStartOffset + c.ChunkLength)).ToArray(), counts);
        }

        public int MessagesInChunksEndingBy(long cut)
        {
            int n = 0;
            for (int i = 0; i < ChunkEnds.Length && ChunkEnds[i] <= cut; i++) n += MessagesPerChunk[i];
            return n;
        }

        public int ChunkContaining(long position) => Array.FindIndex(ChunkStarts, s => s <= position && position < ChunkEnds[Array.IndexOf(ChunkStarts, s)]);

        public int ChunkOfMessage(int index)
        {
            for (int i = 0; i < MessagesPerChunk.Length; i++)
            {
                if (index < MessagesPerChunk[i]) return i;
                index -= MessagesPerChunk[i];
            }
            return -1;
        }
    }
}
