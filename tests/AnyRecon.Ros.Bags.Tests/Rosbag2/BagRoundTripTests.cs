using System.Diagnostics;
using AnyRecon.Ros.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(d) Bags written by <see cref="BagWriter"/> and read back by <see cref="BagReader"/>: plain, MESSAGE, FILE, split.</summary>
public sealed class BagRoundTripTests
{
    public static TheoryData<BagCompressionMode, long, int> Variants() => new()
    {
        { BagCompressionMode.None, 0, 0 },
        { BagCompressionMode.Message, 0, 0 },
        { BagCompressionMode.File, 0, 0 },
        { BagCompressionMode.None, 200_000, 0 },
        { BagCompressionMode.None, 0, 40 },
        { BagCompressionMode.File, 150_000, 0 },
        { BagCompressionMode.Message, 0, 25 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void WriteThenRead_Variant_SameMessagesAndMetadata(BagCompressionMode compression, long maxBytes, int maxDurationMs)
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("round_trip");
        var messages = SampleBags.Messages(SampleBags.Topics, count: 1500, seed: 11);
        var options = new BagWriterOptions
        {
            Compression = compression,
            MaxBagFileBytes = maxBytes,
            MaxBagFileDuration = TimeSpan.FromMilliseconds(maxDurationMs),
            CustomData = new Dictionary<string, string> { ["experiment"] = "round trip", ["seed"] = "11" },
            Storage = new StorageWriterOptions { SqliteTransactionMessages = 97 },
        };
        using (var writer = BagWriter.Create(folder, options))
        {
            for (int i = 0; i < SampleBags.Topics.Count; i++) writer.CreateTopic(SampleBags.Topics[i], SampleBags.Definitions[i]);
            foreach (var m in messages) writer.Write(m.Topic.Name, m.TimestampNs, m.Data.Span, m.PublishTimeNs);
        }

        using var reader = BagReader.Open(folder);
        var read = reader.ReadMessages().Select(m => (m.Topic, m.TimestampNs, Data: m.Data.ToArray())).ToList();
        Assert.Equal(messages.Count, read.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.Equal(messages[i].Topic, read[i].Topic);
            Assert.Equal(messages[i].TimestampNs, read[i].TimestampNs);
            Assert.Equal(messages[i].Data.ToArray(), read[i].Data);
        }

        // Metadata built here from the messages, independently of the writer's bookkeeping.
        var metadata = reader.Metadata;
        Assert.Equal(folder + Path.DirectorySeparatorChar + "metadata.yaml", reader.MetadataPath);
        Assert.Equal(9, metadata.Version);
        Assert.Equal("sqlite3", metadata.StorageIdentifier);
        Assert.Equal(messages.Count, metadata.MessageCount);
        Assert.Equal(messages[0].TimestampNs, metadata.StartingTimeNs);
        Assert.Equal(messages[^1].TimestampNs - messages[0].TimestampNs, metadata.DurationNs);
        Assert.Equal(
            SampleBags.Topics.Select(t => new TopicInformation(t, messages.Count(m => m.Topic == t))),
            metadata.TopicsWithMessageCount);
        Assert.Equal(compression == BagCompressionMode.None ? "" : "zstd", metadata.CompressionFormat);
        Assert.Equal(compression switch { BagCompressionMode.File => "FILE", BagCompressionMode.Message => "MESSAGE", _ => "" }, metadata.CompressionMode);
        Assert.Equal(options.CustomData.OrderBy(kv => kv.Key), metadata.CustomData.OrderBy(kv => kv.Key));
        Assert.Equal("jazzy", metadata.RosDistro);
        // As rosbag2, a definition without its own hash takes the topic's.
        Assert.Equal(
            SampleBags.Definitions.Select((d, i) => d with { TypeDescriptionHash = SampleBags.Topics[i].TypeDescriptionHash }),
            reader.MessageDefinitions);

        // Files: names, split order, per-file counts and ranges that tile the message sequence.
        string suffix = compression == BagCompressionMode.File ? ".db3.zstd" : ".db3";
        Assert.Equal(Enumerable.Range(0, metadata.RelativeFilePaths.Count).Select(i => $"round_trip_{i}{suffix}"), metadata.RelativeFilePaths);
        Assert.Equal(metadata.RelativeFilePaths.Order(), Directory.EnumerateFiles(folder).Select(Path.GetFileName).Where(n => n != "metadata.yaml").Order());
        Assert.Equal(metadata.RelativeFilePaths.Select(p => p.Replace(".zstd", "", StringComparison.Ordinal)), metadata.Files.Select(f => f.Path));
        bool splits = maxBytes > 0 || maxDurationMs > 0;
        Assert.Equal(splits, metadata.Files.Count > 1);
        int offset = 0;
        foreach (var file in metadata.Files)
        {
            var slice = messages.Skip(offset).Take((int)file.MessageCount).ToList();
            Assert.Equal(slice[0].TimestampNs, file.StartingTimeNs);
            Assert.Equal(slice[^1].TimestampNs - slice[0].TimestampNs, file.DurationNs);
            if (maxDurationMs > 0) Assert.True(file.DurationNs <= maxDurationMs * 1_000_000L, "a file spans more than the split duration");
            offset += slice.Count;
        }
        Assert.Equal(messages.Count, offset);
        if (maxBytes > 0)
        {
            // Every file but the last stopped growing once past the limit (checked before each message, as rosbag2).
            foreach (string plain in metadata.Files.SkipLast(1).Select(f => Path.Combine(folder, f.Path)).Where(File.Exists))
                Assert.True(new FileInfo(plain).Length < maxBytes * 2, $"{plain} is far past the split size");
        }
    }

    [Fact]
    public void Write_MessageCompression_StoresZstdFramesInDb3()
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("msg");
        var messages = SampleBags.Messages(SampleBags.Topics, count: 50, seed: 5);
        SampleBags.WriteBag(folder, messages, new BagWriterOptions { Compression = BagCompressionMode.Message });
        using var storage = new SqliteStorageReader(Path.Combine(folder, "msg_0.db3"));
        var blobs = storage.ReadMessages().Select(m => m.Data.ToArray()).ToList();
        Assert.Equal(50, blobs.Count);
        using var decoder = new ZstdDecoder();
        for (int i = 0; i < blobs.Count; i++)
        {
            Assert.True(blobs[i].AsSpan().StartsWith(BagCompression.ZstdMagic));
            Assert.Equal(messages[i].Data.ToArray(), decoder.Decompress(blobs[i]));
        }
    }

    [Fact]
    public void Write_FileCompression_EveryFileIsValidForTheZstdTool()
    {
        const string Zstd = "/usr/bin/zstd";
        if (!File.Exists(Zstd))
        {
            Fixtures.Unavailable("suite 'zstd tool check' could not run: /usr/bin/zstd missing (.ci/setup installs Debian's zstd)");
        }
        using var temp = new TempDirectory();
        string folder = temp.Combine("file");
        var options = new BagWriterOptions { Compression = BagCompressionMode.File, MaxBagFileBytes = 100_000, FileCompressionChunkBytes = 16_384 };
        SampleBags.WriteBag(folder, SampleBags.Messages(SampleBags.Topics, count: 400, seed: 9), options);
        var files = Directory.EnumerateFiles(folder, "*.zstd").Order().ToList();
        Assert.True(files.Count > 1);
        foreach (string file in files)
        {
            // An independent decoder: the zstd tool restores a database sqlite accepts (integrity_check).
            string restored = temp.Combine(Path.GetFileNameWithoutExtension(file));
            using (var process = Process.Start(new ProcessStartInfo(Zstd, ["-d", "-q", "-o", restored, file]) { RedirectStandardError = true })!)
            {
                process.WaitForExit();
                Assert.Equal(0, process.ExitCode);
            }
            using var connection = new SqliteConnection($"Data Source={restored};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", command.ExecuteScalar());
        }
    }

    [Fact]
    public void Write_EmptyBag_WritesRosbag2EmptyMetadata()
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("empty");
        using (var writer = BagWriter.Create(folder))
        {
            writer.CreateTopic(SampleBags.Topics[2]);
        }
        using var reader = BagReader.Open(folder);
        Assert.Equal(0, reader.Metadata.MessageCount);
        Assert.Equal(BagMetadata.NoMessagesStartingTimeNs, reader.Metadata.StartingTimeNs);
        Assert.Equal(0, reader.Metadata.DurationNs);
        Assert.Equal([new BagFileInformation("empty_0.db3", BagMetadata.NoMessagesStartingTimeNs, 0, 0)], reader.Metadata.Files);
        Assert.Empty(reader.ReadMessages());
        Assert.Equal(["chatter"], reader.Topics.Select(t => t.Name));
    }

    [Fact]
    public void Write_MessagesOutOfOrder_ReadBackSorted()
    {
        using var temp = new TempDirectory();
        string folder = temp.Combine("unordered");
        var messages = SampleBags.Messages(SampleBags.Topics, count: 300, seed: 21);
        var shuffled = messages.OrderBy(_ => Random.Shared.Next()).ToList();
        SampleBags.WriteBag(folder, shuffled);
        using var reader = BagReader.Open(folder);
        var timestamps = reader.ReadMessages().Select(m => m.TimestampNs).ToList();
        Assert.Equal(messages.Select(m => m.TimestampNs), timestamps);
        Assert.Equal(messages[0].TimestampNs, reader.Metadata.StartingTimeNs);
        Assert.Equal(messages[^1].TimestampNs, reader.Metadata.EndTimeNs);
    }

    [Fact]
    public void Create_ExistingFolder_ThrowsAndLeavesItAlone()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("keep.txt"), "x");
        var error = Assert.Throws<IOException>(() => BagWriter.Create(temp.Path));
        Assert.Contains(temp.Path, error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(temp.Combine("keep.txt")));
    }

    [Fact]
    public void Write_UndeclaredTopic_ThrowsNamingTopic()
    {
        using var temp = new TempDirectory();
        using var writer = BagWriter.Create(temp.Combine("b"));
        var error = Assert.Throws<InvalidOperationException>(() => writer.Write("/nope", 1, [1, 2, 3]));
        Assert.Contains("'/nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_FixtureRewrittenThroughWriterMetadata_ReadsBackEqual()
    {
        // Copy a fixture bag message by message into a new bag; topics, QoS text, hashes and counts must survive.
        using var source = BagReader.Open(TestFiles.Fixture("rosbag2_fixtures/head/rosbag2_tests/sqlite3/bag_with_topics_and_service_events"));
        using var temp = new TempDirectory();
        string folder = temp.Combine("copy");
        using (var writer = BagWriter.Create(folder))
        {
            var definitions = source.MessageDefinitions.ToDictionary(d => d.TopicType);
            foreach (var topic in source.Topics) writer.CreateTopic(topic, definitions.GetValueOrDefault(topic.Type));
            foreach (var m in source.ReadMessages()) writer.Write(m);
        }
        using var copy = BagReader.Open(folder);
        var expected = source.Metadata with
        {
            Version = 9,
            RosDistro = "jazzy",
            RelativeFilePaths = ["copy_0.db3"],
            Files = [source.Metadata.Files[0] with { Path = "copy_0.db3" }],
        };
        Assert.Equal(expected, copy.Metadata);
    }
}
