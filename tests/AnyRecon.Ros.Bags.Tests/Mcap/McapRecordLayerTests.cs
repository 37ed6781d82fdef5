using AnyRecon.Ros.Checksums;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>CRC32, field parsing and record skipping, below the reader.</summary>
public sealed class McapRecordLayerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Crc32_CheckValue_IsCbf43926()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Crc32_AnyLengthAndSplit_MatchesBitwiseReference()
    {
        var random = new Random(11);
        byte[] data = new byte[5000];
        random.NextBytes(data);
        for (int length = 0; length <= 1100; length += length < 300 ? 1 : 37)
        {
            ReadOnlySpan<byte> slice = data.AsSpan(length % 13, length);
            uint expected = Crc32.ComputeReference(slice);
            Assert.Equal(expected, Crc32.Compute(slice));
            int split = random.Next(length + 1);
            Assert.Equal(expected, Crc32.Append(Crc32.Compute(slice[..split]), slice[split..]));
        }
        Assert.Equal(Crc32.ComputeReference(data), Crc32.Compute(data));
    }

    [Fact]
    public void Parse_EveryTruncationOfEveryRecordKind_ThrowsParseErrorOrParses()
    {
        // One record of each kind, as our writer serializes them, cut at every length.
        var buffer = new McapRecordBuffer();
        var records = new List<(McapOpcode Opcode, byte[] Content)>();
        void Add(McapOpcode opcode, Action<McapRecordBuffer> fields)
        {
            buffer.Clear();
            fields(buffer);
            records.Add((opcode, buffer.Span.ToArray()));
        }
        var map = new Dictionary<string, string> { ["k"] = "v", ["offered_qos_profiles"] = "- history: 3\n" };
        Add(McapOpcode.Header, b => { b.String("ros2"); b.String("anyrecon"); });
        Add(McapOpcode.Footer, b => { b.U64(1); b.U64(2); b.U32(3); });
        Add(McapOpcode.Schema, b => { b.U16(1); b.String("std_msgs/msg/String"); b.String("ros2msg"); b.Bytes32("string data"u8); });
        Add(McapOpcode.Channel, b => { b.U16(1); b.U16(1); b.String("/chatter"); b.String("cdr"); b.StringMap(map); });
        Add(McapOpcode.Message, b => { b.U16(1); b.U32(2); b.U64(3); b.U64(4); b.Raw([1, 2, 3]); });
        Add(McapOpcode.MessageIndex, b => { b.U16(1); b.U32(32); b.U64(1); b.U64(0); b.U64(2); b.U64(40); });
        Add(McapOpcode.ChunkIndex, b => { b.U64(1); b.U64(2); b.U64(3); b.U64(4); b.U16U64Map([new(1, 5)]); b.U64(6); b.String("zstd"); b.U64(7); b.U64(8); });
        Add(McapOpcode.Attachment, b => { b.U64(1); b.U64(2); b.String("a"); b.String("text/plain"); b.Bytes64("hi"u8); b.U32(0); });
        Add(McapOpcode.AttachmentIndex, b => { b.U64(1); b.U64(2); b.U64(3); b.U64(4); b.U64(5); b.String("a"); b.String("text/plain"); });
        Add(McapOpcode.Statistics, b => { b.U64(1); b.U16(1); b.U32(1); b.U32(0); b.U32(0); b.U32(1); b.U64(3); b.U64(3); b.U16U64Map([new(1, 1)]); });
        Add(McapOpcode.Metadata, b => { b.String("m"); b.StringMap(map); });
        Add(McapOpcode.MetadataIndex, b => { b.U64(1); b.U64(2); b.String("m"); });
        Add(McapOpcode.SummaryOffset, b => { b.U8(3); b.U64(1); b.U64(2); });
        Add(McapOpcode.DataEnd, b => b.U32(5));

        foreach (var (opcode, content) in records)
        {
            Assert.NotNull(McapRecordParser.Parse((byte)opcode, content, verifyCrc: true));
            // Extra trailing bytes (fields from a later spec version) are ignored.
            Assert.NotNull(McapRecordParser.Parse((byte)opcode, [.. content, 0xEE, 0xFF], verifyCrc: true));
            for (int length = 0; length < content.Length; length++)
            {
                try
                {
                    McapRecordParser.Parse((byte)opcode, content.AsSpan(0, length), verifyCrc: true);
                    // Only a message may be cut short and stay valid (its data is "the rest").
                    Assert.True(opcode == McapOpcode.Message && length >= McapRecordParser.MessageHeaderLength, $"{opcode} cut to {length} bytes parsed");
                }
                catch (McapParseException e)
                {
                    Assert.InRange(e.Position, 0, length);
                }
            }
        }
        Assert.Null(McapRecordParser.Parse(0x80, [1, 2, 3], verifyCrc: true));
    }

    [Fact]
    public void Readers_PrivateAndUnknownRecords_AreSkippedInsideAndOutsideChunks()
    {
        // Header, private record, chunk [schema, channel, private record, message], reserved-opcode record, Data End, Footer.
        var file = new McapRecordBuffer();
        file.Raw(McapRecordParser.Magic);
        int at = file.BeginRecord(McapOpcode.Header);
        file.String("");
        file.String("handmade");
        file.EndRecord(at);
        file.U8(0x80);
        file.Bytes64("private"u8);

        var records = new McapRecordBuffer();
        at = records.BeginRecord(McapOpcode.Schema);
        records.U16(1);
        records.String("S");
        records.String("ros2msg");
        records.Bytes32([]);
        records.EndRecord(at);
        at = records.BeginRecord(McapOpcode.Channel);
        records.U16(7);
        records.U16(1);
        records.String("/t");
        records.String("cdr");
        records.StringMap([]);
        records.EndRecord(at);
        records.U8(0xFE);
        records.Bytes64([9, 9, 9]);
        at = records.BeginRecord(McapOpcode.Message);
        records.U16(7);
        records.U32(1);
        records.U64(100);
        records.U64(99);
        records.Raw([0, 1, 0, 0, 42]);
        records.EndRecord(at);

        at = file.BeginRecord(McapOpcode.Chunk);
        file.U64(100);
        file.U64(100);
        file.U64((ulong)records.Length);
        file.U32(Crc32.Compute(records.Span));
        file.String("");
        file.Bytes64(records.Span);
        file.EndRecord(at);
        file.U8(0x50);
        file.Bytes64([1]);
        uint dataCrc = Crc32.Compute(file.Span);
        at = file.BeginRecord(McapOpcode.DataEnd);
        file.U32(dataCrc);
        file.EndRecord(at);
        at = file.BeginRecord(McapOpcode.Footer);
        file.U64(0);
        file.U64(0);
        file.U32(0);
        file.EndRecord(at);
        file.Raw(McapRecordParser.Magic);
        string path = _temp.Combine("private.mcap");
        File.WriteAllBytes(path, file.Span.ToArray());

        foreach (McapSummaryPolicy policy in new[] { McapSummaryPolicy.UseSummaryElseLinear, McapSummaryPolicy.UseSummaryElseRebuild, McapSummaryPolicy.ForceLinear })
        {
            var problems = new List<McapProblem>();
            using McapReader reader = McapReader.Open(path, new McapReaderOptions { SummaryPolicy = policy, OnProblem = problems.Add });
            Assert.Equal(
                ["Header", "Schema", "Channel", "Message", "DataEnd", "Footer"],
                reader.ReadRecords().Select(r => r.Opcode.ToString()));
            McapMessage message = Assert.Single(reader.ReadMessages());
            Assert.Equal(("/t", 100ul, 99ul, 42), (message.Channel.Topic, message.LogTime, message.PublishTime, (int)message.Data.Span[4]));
            Assert.Equal("S", message.Schema!.Name);
            Assert.DoesNotContain(problems, p => p.Kind == McapProblemKind.DataDamaged);
        }
    }
}
