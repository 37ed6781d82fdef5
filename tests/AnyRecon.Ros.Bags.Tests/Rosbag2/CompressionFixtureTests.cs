using System.Buffers.Binary;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(c) rosbag2's FILE and MESSAGE compression fixtures, and the zstd stream decoding they rely on.</summary>
public sealed class CompressionFixtureTests
{
    private const string Reindex2022 = "rosbag2_fixtures/history/rosbag2_tests/reindex_test_bags_2022";

    [Fact]
    public void ReadMessages_FileCompressedBag_Reads775CdrMessagesAndDeletesCopiesOnDispose()
    {
        using var temp = new TempDirectory();
        var reader = BagReader.Open(TestFiles.Fixture($"{Reindex2022}/file_compression"), new BagReaderOptions { TempDirectory = temp.Path });
        try
        {
            Assert.Equal(BagCompressionMode.File, reader.CompressionMode);
            int count = 0;
            foreach (var message in reader.ReadMessages())
            {
                AssertCdrLittleEndian(message.Data.Span);
                count++;
            }
            Assert.Equal(775, count);
            Assert.NotEmpty(Directory.EnumerateFileSystemEntries(temp.Path));
        }
        finally
        {
            reader.Dispose();
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void ReadMessages_MessageCompressedBag_Reads1127DecompressedStrings()
    {
        string folder = TestFiles.Fixture($"{Reindex2022}/message_compression");
        using var reader = BagReader.Open(folder);
        Assert.Equal(BagCompressionMode.Message, reader.CompressionMode);

        int count = 0;
        foreach (var message in reader.ReadMessages())
        {
            var data = message.Data.Span;
            AssertCdrLittleEndian(data);
            if (message.Topic.Name == "/topic")
            {
                // std_msgs/String: uint32 length (with the NUL) then the characters: proves the payload really decoded.
                int length = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
                Assert.InRange(length, 1, data.Length - 8);
                Assert.Equal(0, data[8 + length - 1]);
            }
            count++;
        }
        Assert.Equal(1127, count);

        // The stored blobs themselves are zstd frames (what makes this MESSAGE mode).
        using var storage = new SqliteStorageReader(Path.Combine(folder, "message_compression_0.db3"));
        Assert.All(storage.ReadMessages().Take(20), m => Assert.True(m.Data.Span.StartsWith(BagCompression.ZstdMagic)));
    }

    [Fact]
    public void Open_CompressedBagWithoutMessages_ListsTopicsAndReadsNothing()
    {
        using var reader = BagReader.Open(TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/compressed_bag_zstd_file"));
        Assert.Equal(BagCompressionMode.File, reader.CompressionMode);
        Assert.Equal(["/parameter_events", "/rosout"], reader.Topics.Select(t => t.Name));
        Assert.Empty(reader.ReadMessages());
        Assert.Empty(reader.MessageDefinitions);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(128 * 1024)]
    [InlineData(256 * 1024)]
    [InlineData(256 * 1024 + 17)]
    [InlineData(3 * 1024 * 1024 + 5)]
    public void DecompressStream_ConcatenatedFramesEndingOnBufferBoundaries_RestoresInput(int length)
    {
        // Sizes on the decoder's 128 KiB buffer boundary are where a complete stream used to be reported as truncated.
        var random = new Random(length);
        var original = new byte[length];
        random.NextBytes(original);
        original.AsSpan(0, length / 2).Fill(7);
        using var encoder = new ZstdEncoder();
        var compressed = new MemoryStream();
        const int Chunk = 100_000;
        for (int offset = 0; offset < length || offset == 0; offset += Chunk)
        {
            compressed.Write(encoder.Compress(original.AsSpan(offset, Math.Min(Chunk, length - offset))));
            if (length == 0) break;
        }
        compressed.Position = 0;

        var restored = new MemoryStream();
        using var decoder = new ZstdDecoder();
        decoder.DecompressStream(compressed, restored);
        Assert.Equal(original, restored.ToArray());
    }

    [Fact]
    public void DecompressStream_TruncatedStream_Throws()
    {
        using var encoder = new ZstdEncoder();
        var data = new byte[300_000];
        new Random(1).NextBytes(data);
        byte[] frame = encoder.Compress(data);
        using var decoder = new ZstdDecoder();
        Assert.Throws<CompressionException>(() => decoder.DecompressStream(new MemoryStream(frame[..^10]), new MemoryStream()));
    }

    private static void AssertCdrLittleEndian(ReadOnlySpan<byte> data)
    {
        Assert.True(data.Length >= 4, "payload shorter than a CDR header");
        Assert.Equal(0, data[0]);
        Assert.Equal(1, data[1]);
    }
}
