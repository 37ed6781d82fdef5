using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AnyRecon.Ros.Bags;

/// <summary>
/// Reads one rosbag2 sqlite3 file (.db3) of any schema generation:
/// 2018 (topics without serialization_format), 2019–2022 (offered_qos_profiles optional) and 2023+ (schema, metadata and
/// message_definitions tables, topics.type_description_hash). Opens read-only and never creates files beside the original.
/// Messages stream from one SQL statement in (timestamp, id) order with topic and time filters in the WHERE clause.
/// </summary>
internal sealed class SqliteStorageReader : IStorageReader
{
    public const string Identifier = "sqlite3";

    /// <summary>2018 bags recorded only CDR; the column was added when other formats became possible.</summary>
    private const string FormatWhenColumnMissing = "cdr";

    private readonly SqliteConnection _connection;
    private readonly string? _tempCopyDirectory;
    private readonly Dictionary<long, TopicMetadata> _topicsById = [];
    private readonly List<TopicMetadata> _topics = [];
    private readonly List<MessageDefinition> _definitions = [];
    private readonly bool _hasMetadataTable;
    private bool _disposed;

    public SqliteStorageReader(string filePath)
    {
        FilePath = filePath;
        if (!File.Exists(filePath)) throw new FileNotFoundException($"{filePath}: sqlite3 bag file not found", filePath);
        _connection = SqliteFile.OpenReadOnly(filePath, out _tempCopyDirectory);
        try
        {
            var tables = QueryStrings("SELECT name FROM sqlite_master WHERE type = 'table';").ToHashSet(StringComparer.Ordinal);
            if (!tables.Contains("topics") || !tables.Contains("messages"))
                throw new BagFormatException(filePath, -1, "not a rosbag2 sqlite3 file: the 'topics' or 'messages' table is missing");
            var topicColumns = QueryStrings("SELECT name FROM pragma_table_info('topics');").ToHashSet(StringComparer.Ordinal);
            var messageColumns = QueryStrings("SELECT name FROM pragma_table_info('messages');").ToHashSet(StringComparer.Ordinal);
            foreach (string column in new[] { "id", "topic_id", "timestamp", "data" })
            {
                if (!messageColumns.Contains(column))
                    throw new BagFormatException(filePath, -1, $"not a rosbag2 sqlite3 file: messages has no '{column}' column");
            }
            foreach (string column in new[] { "id", "name", "type" })
            {
                if (!topicColumns.Contains(column))
                    throw new BagFormatException(filePath, -1, $"not a rosbag2 sqlite3 file: topics has no '{column}' column");
            }
            HasSerializationFormatColumn = topicColumns.Contains("serialization_format");
            HasOfferedQosProfilesColumn = topicColumns.Contains("offered_qos_profiles");
            HasTypeDescriptionHashColumn = topicColumns.Contains("type_description_hash");
            _hasMetadataTable = tables.Contains("metadata");

            // rosbag2's own rule: the schema table when present, else 2 with offered_qos_profiles, else 1.
            SchemaVersion = HasOfferedQosProfilesColumn ? 2 : 1;
            if (tables.Contains("schema"))
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT schema_version, ros_distro FROM schema ORDER BY schema_version DESC LIMIT 1;";
                using var row = command.ExecuteReader();
                if (row.Read())
                {
                    SchemaVersion = checked((int)row.GetInt64(0));
                    RosDistro = row.IsDBNull(1) ? "" : row.GetString(1);
                }
            }

            LoadTopics();
            if (tables.Contains("message_definitions")) LoadDefinitions();
        }
        catch (SqliteException e)
        {
            DisposeConnection();
            throw SqliteFile.Wrap(filePath, e);
        }
        catch
        {
            DisposeConnection();
            throw;
        }
    }

    public string StorageIdentifier => Identifier;

    public string FilePath { get; }

    public IReadOnlyList<TopicMetadata> Topics => _topics;

    public IReadOnlyList<MessageDefinition> MessageDefinitions => _definitions;

    /// <summary>rosbag2's database schema version: 1 (no QoS column), 2 (QoS column, no schema table), 3–4 from the schema table.</summary>
    public int SchemaVersion { get; }

    /// <summary>ros_distro from the schema table (schema 3+), else empty.</summary>
    public string RosDistro { get; } = "";

    public bool HasSerializationFormatColumn { get; }

    public bool HasOfferedQosProfilesColumn { get; }

    public bool HasTypeDescriptionHashColumn { get; }

    /// <summary>
    /// The latest bag metadata the recorder stored in the <c>metadata</c> table (schema 3+), or null. rosbag2 takes
    /// custom_data, ros_distro and compression settings from it when no metadata.yaml exists.
    /// </summary>
    public BagMetadata? ReadEmbeddedMetadata()
    {
        ThrowIfDisposed();
        if (!_hasMetadataTable) return null;
        string? text;
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT metadata FROM metadata ORDER BY id DESC LIMIT 1;";
            text = command.ExecuteScalar() as string;
        }
        catch (SqliteException e)
        {
            throw SqliteFile.Wrap(FilePath, e);
        }
        return string.IsNullOrWhiteSpace(text) ? null : MetadataYaml.Parse(text, FilePath + " (metadata table)", requireRootKey: false);
    }

    public StorageStatistics ReadStatistics()
    {
        ThrowIfDisposed();
        var byTopic = _topics.Select(t => t.Name).Distinct().ToDictionary(n => n, _ => 0L, StringComparer.Ordinal);
        long total = 0, start = long.MaxValue, end = long.MinValue;
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT topic_id, COUNT(*), MIN(timestamp), MAX(timestamp) FROM messages GROUP BY topic_id;";
            using var row = command.ExecuteReader();
            while (row.Read())
            {
                // Rows whose topic_id names no topic are invisible to rosbag2's JOIN; they are to us too.
                if (!_topicsById.TryGetValue(row.GetInt64(0), out var topic)) continue;
                long count = row.GetInt64(1);
                byTopic[topic.Name] += count;
                total += count;
                start = Math.Min(start, row.GetInt64(2));
                end = Math.Max(end, row.GetInt64(3));
            }
        }
        catch (SqliteException e)
        {
            throw SqliteFile.Wrap(FilePath, e);
        }
        if (total == 0) (start, end) = (0, 0);
        return new StorageStatistics(total, start, end, byTopic);
    }

    /// <summary>Message count and time range by one pass over the timestamp index (no blobs read); (0, 0, 0) when empty.</summary>
    public (long Count, long Start, long End) ReadTimeRange()
    {
        ThrowIfDisposed();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), MIN(timestamp), MAX(timestamp) FROM messages;";
            using var row = command.ExecuteReader();
            row.Read();
            long count = row.GetInt64(0);
            return count == 0 ? (0, 0, 0) : (count, row.GetInt64(1), row.GetInt64(2));
        }
        catch (SqliteException e)
        {
            throw SqliteFile.Wrap(FilePath, e);
        }
    }

    /// <summary>The first <paramref name="count"/> message blobs' leading bytes in id order (for spotting per-message compression).</summary>
    public IReadOnlyList<byte[]> ReadLeadingBytes(int count, int length)
    {
        ThrowIfDisposed();
        var result = new List<byte[]>();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT substr(data, 1, $len) FROM messages ORDER BY id LIMIT $count;";
            command.Parameters.AddWithValue("$len", length);
            command.Parameters.AddWithValue("$count", count);
            using var row = command.ExecuteReader();
            while (row.Read()) result.Add(row.IsDBNull(0) ? [] : (byte[])row.GetValue(0));
        }
        catch (SqliteException e)
        {
            throw SqliteFile.Wrap(FilePath, e);
        }
        return result;
    }

    public IEnumerable<SerializedBagMessage> ReadMessages(MessageFilter? filter = null)
    {
        ThrowIfDisposed();
        var sql = new StringBuilder("SELECT topic_id, timestamp, data FROM messages");
        var conditions = new List<string>();
        if (filter?.Topics is { } names)
        {
            var ids = _topicsById.Where(kv => names.Contains(kv.Value.Name)).Select(kv => kv.Key.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (ids.Length == 0) return [];
            conditions.Add($"topic_id IN ({string.Join(',', ids)})");
        }
        if (filter?.StartTimeNs is long s) conditions.Add("timestamp >= " + s.ToString(CultureInfo.InvariantCulture));
        if (filter?.EndTimeNs is long e) conditions.Add("timestamp <= " + e.ToString(CultureInfo.InvariantCulture));
        if (conditions.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        // id breaks ties in recording order; the timestamp index stores (timestamp, rowid), so no sort step is needed.
        sql.Append(" ORDER BY timestamp, id;");
        return Stream(sql.ToString());
    }

    private IEnumerable<SerializedBagMessage> Stream(string sql)
    {
        ThrowIfDisposed();
        sqlite3 db = _connection.Handle!;
        int rc = raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            throw SqliteFile.Error(FilePath, db, rc, "preparing the message query");
        }
        byte[] buffer = [];
        using (statement)
        {
            while (true)
            {
                ThrowIfDisposed();
                rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE) yield break;
                if (rc != raw.SQLITE_ROW) throw SqliteFile.Error(FilePath, db, rc, "reading messages");
                if (!_topicsById.TryGetValue(raw.sqlite3_column_int64(statement, 0), out var topic)) continue;
                long timestamp = raw.sqlite3_column_int64(statement, 1);
                int length = CopyBlob(statement, 2, ref buffer);
                yield return new SerializedBagMessage(topic, timestamp, timestamp, buffer.AsMemory(0, length));
            }
        }
    }

    /// <summary>Copies the blob into a buffer reused across rows (grown, never shrunk).</summary>
    private static int CopyBlob(sqlite3_stmt statement, int column, ref byte[] buffer)
    {
        ReadOnlySpan<byte> blob = raw.sqlite3_column_blob(statement, column);
        if (blob.Length > buffer.Length) buffer = GC.AllocateUninitializedArray<byte>(Math.Max(blob.Length, Math.Min(buffer.Length * 2, Array.MaxLength)));
        blob.CopyTo(buffer);
        return blob.Length;
    }

    private void LoadTopics()
    {
        string format = HasSerializationFormatColumn ? "serialization_format" : "NULL";
        string qos = HasOfferedQosProfilesColumn ? "offered_qos_profiles" : "NULL";
        string hash = HasTypeDescriptionHashColumn ? "type_description_hash" : "NULL";
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT id, name, type, {format}, {qos}, {hash} FROM topics ORDER BY id;";
        using var row = command.ExecuteReader();
        while (row.Read())
        {
            var topic = new TopicMetadata(
                Text(row, 1),
                Text(row, 2),
                row.IsDBNull(3) ? FormatWhenColumnMissing : row.GetString(3),
                Text(row, 4),
                Text(row, 5));
            _topicsById[row.GetInt64(0)] = topic;
            _topics.Add(topic);
        }
    }

    private void LoadDefinitions()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT topic_type, encoding, encoded_message_definition, type_description_hash FROM message_definitions ORDER BY id;";
        using var row = command.ExecuteReader();
        while (row.Read()) _definitions.Add(new MessageDefinition(Text(row, 0), Text(row, 1), Text(row, 2), Text(row, 3)));
    }

    private static string Text(SqliteDataReader row, int ordinal) => row.IsDBNull(ordinal) ? "" : row.GetString(ordinal);

    private IEnumerable<string> QueryStrings(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var row = command.ExecuteReader();
        var result = new List<string>();
        while (row.Read()) result.Add(row.GetString(0));
        return result;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void DisposeConnection()
    {
        _connection.Dispose();
        if (_tempCopyDirectory is not null) SqliteFile.TryDeleteDirectory(_tempCopyDirectory);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DisposeConnection();
    }
}
