using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>A .db3 whose newest rows still sit in its -wal file (a recorder that crashed in the resilient preset).</summary>
public sealed class SqliteWalTests
{
    [Fact]
    public void Open_DatabaseWithUncheckpointedWal_ReadsWalRowsWithoutTouchingTheFolder()
    {
        using var temp = new TempDirectory();
        string live = temp.Combine("live.db3");
        string crashed = temp.Combine("crashed");
        Directory.CreateDirectory(crashed);
        var messages = SampleBags.Messages(SampleBags.Topics, count: 120, seed: 2);
        using (var writer = new SqliteStorageWriter(live, new StorageWriterOptions { SqlitePreset = SqliteWritePreset.Resilient, SqliteTransactionMessages = 10 }))
        {
            foreach (var topic in SampleBags.Topics) writer.CreateTopic(topic, null);
            foreach (var m in messages) writer.Write(m.Topic.Name, m.TimestampNs, m.Data.Span, m.PublishTimeNs);
            // Copy while the writer is open: the committed rows are in the WAL, not yet in the main file.
            File.Copy(live, Path.Combine(crashed, "bag_0.db3"));
            File.Copy(live + "-wal", Path.Combine(crashed, "bag_0.db3-wal"));
        }
        Assert.True(new FileInfo(Path.Combine(crashed, "bag_0.db3-wal")).Length > 0);
        var before = TestFiles.Snapshot(crashed);

        int count;
        using (var reader = new SqliteStorageReader(Path.Combine(crashed, "bag_0.db3")))
        {
            Assert.Equal(SampleBags.Topics.Select(t => t.Name), reader.Topics.Select(t => t.Name));
            count = reader.ReadMessages().Count();
            Assert.Equal(count, reader.ReadStatistics().MessageCount);
        }

        Assert.Equal(messages.Count, count);
        Assert.Equal(before, TestFiles.Snapshot(crashed));
    }
}
