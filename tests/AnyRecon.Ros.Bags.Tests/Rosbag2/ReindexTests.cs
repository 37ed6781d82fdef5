using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(b) Folders without metadata.yaml: the metadata <see cref="BagReader"/> derives, against <c>ros2 bag reindex</c> output.</summary>
public sealed class ReindexTests
{
    private const string Reindex2022 = "rosbag2_fixtures/history/rosbag2_tests/reindex_test_bags_2022";

    public static TheoryData<string> ReindexBags() => new() { "multiple_files", "file_compression", "message_compression" };

    [Theory]
    [MemberData(nameof(ReindexBags))]
    public void Open_FolderWithoutMetadata_TopicsCountsFilesAndCompressionEqualTarget(string name)
    {
        string folder = TestFiles.Fixture($"{Reindex2022}/{name}");
        var target = MetadataYaml.ReadFile(TestFiles.Fixture($"{Reindex2022}/target_metadata/{name}/metadata.yaml"));
        using var reader = BagReader.Open(folder);
        var derived = reader.Metadata;

        Assert.Null(reader.MetadataPath);
        Assert.Equal(target.StorageIdentifier, derived.StorageIdentifier);
        Assert.Equal(target.MessageCount, derived.MessageCount);
        Assert.Equal(target.CompressionFormat, derived.CompressionFormat);
        Assert.Equal(target.CompressionMode, derived.CompressionMode);
        // The target lists paths as the 2022 test saw them (prefixed by the folder in two cases); compare file names.
        Assert.Equal(target.RelativeFilePaths.Select(Path.GetFileName), derived.RelativeFilePaths);
        // Topic order differs between reindexer versions (unordered vs sorted map); the set must match, QoS text included.
        Assert.Equal(
            target.TopicsWithMessageCount.OrderBy(t => t.Topic.Name, StringComparer.Ordinal),
            derived.TopicsWithMessageCount.OrderBy(t => t.Topic.Name, StringComparer.Ordinal));
        if (target.Files.Count > 0) Assert.Equal(target.Files, derived.Files);
    }

    [Theory]
    [MemberData(nameof(ReindexBags))]
    public void Open_FolderWithoutMetadata_TimesSpanAllFiles(string name)
    {
        string folder = TestFiles.Fixture($"{Reindex2022}/{name}");
        var target = MetadataYaml.ReadFile(TestFiles.Fixture($"{Reindex2022}/target_metadata/{name}/metadata.yaml"));
        using var reader = BagReader.Open(folder);
        var derived = reader.Metadata;

        var messages = reader.ReadMessages().Select(m => m.TimestampNs).ToList();
        Assert.Equal(messages.Min(), derived.StartingTimeNs);
        Assert.Equal(messages.Max(), derived.EndTimeNs);
        Assert.Equal(derived.Files.Where(f => f.MessageCount > 0).Min(f => f.StartingTimeNs), derived.StartingTimeNs);
        Assert.Equal(derived.Files.Where(f => f.MessageCount > 0).Max(f => f.StartingTimeNs + f.DurationNs), derived.EndTimeNs);
        // The 2022 reindexer stored one file's start (the last) and one file's duration as the bag's; both must be among ours.
        Assert.Contains(target.StartingTimeNs, derived.Files.Select(f => f.StartingTimeNs));
        Assert.Contains(target.DurationNs, derived.Files.Select(f => f.DurationNs));
    }

    [Fact]
    public void Open_FileCompressedFolder_FilesInfoNamesUncompressedFiles()
    {
        using var reader = BagReader.Open(TestFiles.Fixture($"{Reindex2022}/file_compression"));
        Assert.Equal(
            Enumerable.Range(0, 4).Select(i => $"file_compression_{i}.db3"),
            reader.Metadata.Files.Select(f => f.Path));
        Assert.Equal([249L, 242, 240, 44], reader.Metadata.Files.Select(f => f.MessageCount));
    }

    [Fact]
    public void Open_FolderWithoutMetadata_OrdersFilesBySplitIndexNotName()
    {
        using var temp = new TempDirectory();
        string source = TestFiles.Fixture($"{Reindex2022}/multiple_files");
        string folder = temp.Combine("bag");
        Directory.CreateDirectory(folder);
        // Index 10 sorts before 2 by name; the split index must win.
        File.Copy(Path.Combine(source, "multiple_files_0.db3"), Path.Combine(folder, "bag_2.db3"));
        File.Copy(Path.Combine(source, "multiple_files_1.db3"), Path.Combine(folder, "bag_10.db3"));

        using var reader = BagReader.Open(folder);
        Assert.Equal(["bag_2.db3", "bag_10.db3"], reader.Metadata.RelativeFilePaths);
        Assert.Equal(40, reader.ReadMessages().Count());
    }

    [Fact]
    public void Open_FolderWithTwoUnrelatedBagsWithoutMetadata_ThrowsNamingFolder()
    {
        string folder = TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_cpp/bags_no_metadata");
        var error = Assert.Throws<BagFormatException>(() => BagReader.Open(folder));
        Assert.Equal(folder, error.FilePath);
        Assert.Contains("several storages", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WrittenSplitBagWithMetadataDeleted_DerivesWhatTheWriterWrote()
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("recorded");
        var options = new BagWriterOptions
        {
            MaxBagFileDuration = TimeSpan.FromMilliseconds(50),
            Compression = BagCompressionMode.Message,
            CustomData = new Dictionary<string, string> { ["robot"] = "r2", ["run"] = "7" },
        };
        BagMetadata written;
        using (var writer = BagWriter.Create(folder, options))
        {
            var topics = SampleBags.Topics;
            foreach (var topic in topics) writer.CreateTopic(topic);
            foreach (var message in SampleBags.Messages(topics, count: 600, seed: 3)) writer.Write(message.Topic.Name, message.TimestampNs, message.Data.Span);
            written = writer.Metadata;
        }
        File.Delete(Path.Combine(folder, "metadata.yaml"));

        using var reader = BagReader.Open(folder);
        var derived = reader.Metadata;
        Assert.True(derived.RelativeFilePaths.Count > 2);
        Assert.Equal(written.RelativeFilePaths, derived.RelativeFilePaths);
        Assert.Equal(written.Files, derived.Files);
        Assert.Equal(written.StartingTimeNs, derived.StartingTimeNs);
        Assert.Equal(written.DurationNs, derived.DurationNs);
        Assert.Equal(written.MessageCount, derived.MessageCount);
        Assert.Equal(written.TopicsWithMessageCount.OrderBy(t => t.Topic.Name, StringComparer.Ordinal), derived.TopicsWithMessageCount);
        Assert.Equal("MESSAGE", derived.CompressionMode);
        Assert.Equal(written.CustomData.OrderBy(kv => kv.Key), derived.CustomData.OrderBy(kv => kv.Key));
        Assert.Equal(StorageWriterOptions.DefaultRosDistro, derived.RosDistro);
    }
}
