using AnyRecon.Ros.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>The .db3 layout the writer produces, checked with plain SQL rather than our reader.</summary>
public sealed class SqliteStorageWriterTests
{
    [Fact]
    public void Create_NewFile_HasRosbag2Schema4Tables()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("a.db3");
        using (var writer = new SqliteStorageWriter(path, new StorageWriterOptions { RosDistro = "rolling" })) { }

        using var connection = Open(path);
        Assert.Equal(
            [
                "CREATE TABLE message_definitions(id INTEGER PRIMARY KEY, topic_type TEXT NOT NULL, encoding TEXT NOT NULL, encoded_message_definition TEXT NOT NULL, type_description_hash TEXT NOT NULL)",
                "CREATE TABLE messages(id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, data BLOB NOT NULL)",
                "CREATE TABLE metadata(id INTEGER PRIMARY KEY, metadata_version INTEGER NOT NULL, metadata TEXT NOT NULL)",
                "CREATE TABLE schema(schema_version INTEGER PRIMARY KEY, ros_distro TEXT NOT NULL)",
                "CREATE INDEX timestamp_idx ON messages (timestamp ASC)",
                "CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, serialization_format TEXT NOT NULL, offered_qos_profiles TEXT NOT NULL, type_description_hash TEXT NOT NULL)",
            ],
            Strings(connection, "SELECT sql FROM sqlite_master ORDER BY name;"));
        Assert.Equal(["4|rolling"], Strings(connection, "SELECT schema_version || '|' || ros_distro FROM schema;"));
        Assert.Equal(["ok"], Strings(connection, "PRAGMA integrity_check;"));
    }

    [Fact]
    public void Write_TopicsDefinitionsAndMessages_StoredAsRosbag2Rows()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("b.db3");
        var messages = SampleBags.Messages(SampleBags.Topics, count: 2500, seed: 4);
        using (var writer = new SqliteStorageWriter(path, new StorageWriterOptions { SqliteTransactionMessages = 333 }))
        {
            for (int i = 0; i < SampleBags.Topics.Count; i++) writer.CreateTopic(SampleBags.Topics[i], SampleBags.Definitions[i]);
            // Declaring again (as after a split) adds nothing.
            writer.CreateTopic(SampleBags.Topics[0], SampleBags.Definitions[0]);
            long before = writer.BytesWritten;
            foreach (var m in messages) writer.Write(m.Topic.Name, m.TimestampNs, m.Data.Span, m.PublishTimeNs);
            Assert.True(writer.BytesWritten > before + messages.Sum(m => (long)m.Data.Length) / 2);
        }

        using var connection = Open(path);
        Assert.Equal(
            SampleBags.Topics.Select((t, i) => $"{i + 1}|{t.Name}|{t.Type}|{t.SerializationFormat}|{t.OfferedQosProfiles}|{t.TypeDescriptionHash}"),
            Strings(connection, "SELECT id || '|' || name || '|' || type || '|' || serialization_format || '|' || offered_qos_profiles || '|' || type_description_hash FROM topics ORDER BY id;"));
        Assert.Equal(
            SampleBags.Definitions.Select((d, i) => $"{d.TopicType}|{d.Encoding}|{d.Text}|{SampleBags.Topics[i].TypeDescriptionHash}"),
            Strings(connection, "SELECT topic_type || '|' || encoding || '|' || encoded_message_definition || '|' || type_description_hash FROM message_definitions ORDER BY id;"));

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT messages.id, topics.name, timestamp, data FROM messages JOIN topics ON topics.id = topic_id ORDER BY messages.id;";
        using var row = command.ExecuteReader();
        int index = 0;
        while (row.Read())
        {
            Assert.Equal(index + 1, row.GetInt64(0));
            Assert.Equal(messages[index].Topic.Name, row.GetString(1));
            Assert.Equal(messages[index].TimestampNs, row.GetInt64(2));
            Assert.Equal(messages[index].Data.ToArray(), (byte[])row.GetValue(3));
            index++;
        }
        Assert.Equal(messages.Count, index);
    }

    [Theory]
    [InlineData(SqliteWritePreset.WriteOptimized, "memory")]
    [InlineData(SqliteWritePreset.Resilient, "wal")]
    public void Create_Preset_UsesRosbag2JournalMode(SqliteWritePreset preset, string journal)
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("c.db3");
        using var writer = new SqliteStorageWriter(path, new StorageWriterOptions { SqlitePreset = preset });
        writer.CreateTopic(SampleBags.Topics[2], null);
        writer.Write("chatter", 5, [0, 1, 0, 0], 5);
        // The journal mode is a property of the open connection, so ask the file header: WAL sets bytes 18-19 to 2.
        byte[] header = new byte[20];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)) file.ReadExactly(header);
        Assert.Equal(journal == "wal" ? 2 : 1, header[18]);
    }

    [Fact]
    public void UpdateMetadata_StoresInnerYamlThatParsesBack()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("d.db3");
        var metadata = new BagMetadata
        {
            StorageIdentifier = "sqlite3",
            RelativeFilePaths = ["d.db3"],
            TopicsWithMessageCount = [new TopicInformation(SampleBags.Topics[1], 3)],
            MessageCount = 3,
            StartingTimeNs = 10,
            DurationNs = 5,
            CustomData = new Dictionary<string, string> { ["a"] = "b" },
            RosDistro = "jazzy",
        };
        using (var writer = new SqliteStorageWriter(path)) writer.UpdateMetadata(metadata);

        using var reader = new SqliteStorageReader(path);
        Assert.Equal(metadata, reader.ReadEmbeddedMetadata());
        using var connection = Open(path);
        Assert.Equal(["9"], Strings(connection, "SELECT metadata_version FROM metadata;"));
    }

    [Fact]
    public void Create_ExistingFile_Throws()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("e.db3");
        File.WriteAllText(path, "keep");
        Assert.Throws<IOException>(() => new SqliteStorageWriter(path));
        Assert.Equal("keep", File.ReadAllText(path));
    }

    [Fact]
    public void Write_UndeclaredTopic_ThrowsNamingFileAndTopic()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("f.db3");
        using var writer = new SqliteStorageWriter(path);
        var error = Assert.Throws<InvalidOperationException>(() => writer.Write("/x", 1, [1], 1));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'/x'", error.Message, StringComparison.Ordinal);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var row = command.ExecuteReader();
        var result = new List<string>();
        while (row.Read()) result.Add(Convert.ToString(row.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return result;
    }
}
