using AnyRecon.Ros.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(e) Damaged bags through <see cref="BagReader"/>: typed errors naming the damaged path.</summary>
public sealed class CorruptBagTests
{
    private const string Wbag = "rosbag2_fixtures/head/rosbag2_py/sqlite3/wbag";

    [Fact]
    public void Open_MissingSplitFile_ThrowsNamingTheMissingFile()
    {
        using var temp = new TempDirectory();
        string folder = temp.CopyFolder(TestFiles.Fixture(Wbag), "wbag");
        File.Delete(Path.Combine(folder, "wbag_2.db3"));

        var error = Assert.Throws<BagFormatException>(() => BagReader.Open(folder));
        Assert.Equal(Path.Combine(folder, "wbag_2.db3"), error.FilePath);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MalformedMetadataYaml_ThrowsNamingYamlAndLine()
    {
        using var temp = new TempDirectory();
        string folder = temp.CopyFolder(TestFiles.Fixture(Wbag), "wbag");
        string yaml = Path.Combine(folder, "metadata.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("message_count: 6074", "message_count: lots", StringComparison.Ordinal));

        var error = Assert.Throws<BagFormatException>(() => BagReader.Open(folder));
        Assert.Equal(yaml, error.FilePath);
        Assert.StartsWith("line 14,", error.Reason, StringComparison.Ordinal);
        Assert.True(error.Offset > 0);
    }

    [Theory]
    [InlineData("lz4", "FILE", "compression format 'lz4'")]
    [InlineData("zstd", "CHUNK", "compression mode 'CHUNK'")]
    public void Open_UnsupportedCompression_ThrowsNamingMetadata(string format, string mode, string expected)
    {
        using var temp = new TempDirectory();
        string folder = temp.CopyFolder(TestFiles.Fixture(Wbag), "wbag");
        string yaml = Path.Combine(folder, "metadata.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml)
            .Replace("compression_format: \"\"", $"compression_format: {format}", StringComparison.Ordinal)
            .Replace("compression_mode: \"\"", $"compression_mode: {mode}", StringComparison.Ordinal));

        var error = Assert.Throws<BagFormatException>(() => BagReader.Open(folder));
        Assert.Equal(yaml, error.FilePath);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownStorageFile_ThrowsNotSupportedNamingPath()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("recording.bag");
        File.WriteAllText(path, "#ROSBAG V2.0");
        var error = Assert.Throws<NotSupportedException>(() => BagReader.Open(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NothingAtPath_ThrowsFileNotFound()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("nope");
        var error = Assert.Throws<FileNotFoundException>(() => BagReader.Open(path));
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void ReadMessages_TruncatedSplitFile_EarlierFilesReadThenErrorNamesFile()
    {
        using var temp = new TempDirectory();
        string folder = temp.CopyFolder(TestFiles.Fixture(Wbag), "wbag");
        string damaged = Path.Combine(folder, "wbag_3.db3");
        byte[] bytes = File.ReadAllBytes(damaged);
        File.WriteAllBytes(damaged, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        int read = 0;
        var error = Assert.Throws<BagFormatException>(() =>
        {
            using var reader = BagReader.Open(folder);
            foreach (var _ in reader.ReadMessages()) read++;
        });
        Assert.Equal(damaged, error.FilePath);
        // Files 0-2 hold 1246 + 1240 + 1240 messages (inventory); all of them come before file 3's damage.
        Assert.True(read >= 3726, $"only {read} messages before the error");
    }

    [Fact]
    public void ReadMessages_TruncatedCompressedFile_ThrowsNamingZstdFile()
    {
        using var temp = new TempDirectory();
        string folder = temp.CopyFolder(TestFiles.Fixture("rosbag2_fixtures/history/rosbag2_tests/reindex_test_bags_2022/file_compression"), "fc");
        string damaged = Path.Combine(folder, "file_compression_1.db3.zstd");
        byte[] bytes = File.ReadAllBytes(damaged);
        File.WriteAllBytes(damaged, bytes.AsSpan(0, bytes.Length - 100).ToArray());

        var error = Assert.Throws<BagFormatException>(() =>
        {
            using var reader = BagReader.Open(folder);
            foreach (var _ in reader.ReadMessages()) { }
        });
        Assert.Equal(damaged, error.FilePath);
        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadMessages_CorruptMessageFrame_PrefixReadThenErrorNamesFileAndTopic()
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("mc");
        var messages = SampleBags.Messages(SampleBags.Topics, count: 100, seed: 8);
        SampleBags.WriteBag(folder, messages, new BagWriterOptions { Compression = BagCompressionMode.Message });
        string db3 = Path.Combine(folder, "mc_0.db3");
        using (var connection = new SqliteConnection($"Data Source={db3};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // Message 60 keeps the zstd magic but its frame body becomes garbage (seeded, so a failure repeats).
            var garbage = new byte[40];
            new Random(60).NextBytes(garbage);
            command.CommandText = $"UPDATE messages SET data = X'28B52FFD{Convert.ToHexString(garbage)}' WHERE id = 60;";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var read = new List<byte[]>();
        var error = Assert.Throws<BagFormatException>(() =>
        {
            using var reader = BagReader.Open(folder);
            foreach (var m in reader.ReadMessages()) read.Add(m.Data.ToArray());
        });
        Assert.Equal(db3, error.FilePath);
        Assert.Contains($"'{messages[59].Topic.Name}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(59, read.Count);
        for (int i = 0; i < read.Count; i++) Assert.Equal(messages[i].Data.ToArray(), read[i]);
    }

    [Fact]
    public void ReadMessages_FrameDeclaringHugeSize_RejectedBeforeAllocating()
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("big");
        var payload = new byte[10_000];
        using (var writer = BagWriter.Create(folder, new BagWriterOptions { Compression = BagCompressionMode.Message }))
        {
            writer.CreateTopic(SampleBags.Topics[2]);
            writer.Write("chatter", 1, payload);
        }
        using var reader = BagReader.Open(folder, new BagReaderOptions { MaxMessageBytes = 4096 });
        var error = Assert.Throws<BagFormatException>(() => reader.ReadMessages().ToList());
        Assert.Contains("above the limit of 4096", error.Message, StringComparison.Ordinal);
    }
}
