using AnyRecon.Ros.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>(e) Damaged .db3 files: typed errors naming the file, and everything before the damage still readable.</summary>
public sealed class SqliteCorruptionTests
{
    private const string Wbag0 = "rosbag2_fixtures/head/rosbag2_py/sqlite3/wbag/wbag_0.db3";

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    public void Open_FileShorterThanHeader_ThrowsAtOffsetOfEnd(int length)
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("short.db3");
        File.WriteAllBytes(path, File.ReadAllBytes(TestFiles.Fixture(Wbag0)).AsSpan(0, length).ToArray());

        var error = Assert.Throws<BagFormatException>(() => new SqliteStorageReader(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(length, error.Offset);
    }

    [Fact]
    public void Open_Garbage_ThrowsNotADatabaseAtOffsetZero()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("garbage.db3");
        var bytes = new byte[8192];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<BagFormatException>(() => new SqliteStorageReader(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(0, error.Offset);
        Assert.Contains("not an sqlite3 database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SqliteDatabaseThatIsNotABag_ThrowsNamingMissingTable()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("other.db3");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE people(name TEXT);";
            command.ExecuteNonQuery();
        }
        var error = Assert.Throws<BagFormatException>(() => new SqliteStorageReader(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("'topics' or 'messages' table is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.75)]
    [InlineData(0.5)]
    [InlineData(0.3)]
    public void ReadMessages_TruncatedFile_PrefixReadableThenTypedError(double keep)
    {
        using var temp = new TempDirectory();
        string original = TestFiles.Fixture(Wbag0);
        string path = temp.Combine("truncated.db3");
        byte[] bytes = File.ReadAllBytes(original);
        int length = (int)(bytes.Length * keep) + 123;
        File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());

        var truth = new List<(long, byte[])>();
        using (var intact = new SqliteStorageReader(original))
            truth.AddRange(intact.ReadMessages().Select(m => (m.TimestampNs, m.Data.ToArray())));

        var read = new List<(long, byte[])>();
        var error = Assert.Throws<BagFormatException>(() =>
        {
            using var reader = new SqliteStorageReader(path);
            foreach (var m in reader.ReadMessages()) read.Add((m.TimestampNs, m.Data.ToArray()));
        });

        Assert.Equal(path, error.FilePath);
        Assert.Equal(length, error.Offset);
        Assert.Contains("ends early", error.Message, StringComparison.Ordinal);
        Assert.True(read.Count < truth.Count);
        for (int i = 0; i < read.Count; i++)
        {
            Assert.Equal(truth[i].Item1, read[i].Item1);
            Assert.Equal(truth[i].Item2, read[i].Item2);
        }
    }

    [Fact]
    public void ReadMessages_CorruptPageInTheMiddle_TypedErrorNamingFile()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("scribbled.db3");
        byte[] bytes = File.ReadAllBytes(TestFiles.Fixture(Wbag0));
        // Overwrite pages 4..9 (b-tree pages of the messages table and index) with noise.
        new Random(5).NextBytes(bytes.AsSpan(4096 * 4, 4096 * 6));
        File.WriteAllBytes(path, bytes);

        var error = Record.Exception(() =>
        {
            using var reader = new SqliteStorageReader(path);
            _ = reader.ReadStatistics();
            foreach (var _ in reader.ReadMessages()) { }
        });
        var typed = Assert.IsType<BagFormatException>(error);
        Assert.Equal(path, typed.FilePath);
        Assert.Contains("sqlite3 error", typed.Message, StringComparison.Ordinal);
    }
}
