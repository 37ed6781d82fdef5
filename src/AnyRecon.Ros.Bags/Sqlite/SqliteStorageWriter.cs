using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AnyRecon.Ros.Bags;

/// <summary>
/// Writes one .db3 file in today's rosbag2 layout (schema version 4: schema, metadata, topics with offered_qos_profiles and
/// type_description_hash, message_definitions, messages + timestamp index). Messages go in batched transactions through
/// one prepared statement bound straight from the caller's span.
/// </summary>
internal sealed class SqliteStorageWriter : IStorageWriter
{
    /// <summary>rosbag2's current database schema version.</summary>
    public const int SchemaVersion = 4;

    /// <summary>rosbag2 counts id, topic_id and timestamp per row when it estimates the file size between commits.</summary>
    private const int RowOverheadBytes = 3 * sizeof(long);

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insertMessage;
    private readonly StorageWriterOptions _options;
    private readonly Dictionary<string, long> _topicIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _definedTypes = new(StringComparer.Ordinal);
    private readonly long _pageSize;
    private long _committedBytes;
    private long _pendingBytes;
    private int _pendingMessages;
    private bool _inTransaction;
    private bool _disposed;

    public SqliteStorageWriter(string filePath, StorageWriterOptions? options = null)
    {
        _options = options ?? new StorageWriterOptions();
        FilePath = filePath;
        if (File.Exists(filePath)) throw new IOException($"{filePath}: file already exists; a bag file is never overwritten");
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        _connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            _connection.Open();
            _db = _connection.Handle!;
            if (_options.SqlitePreset == SqliteWritePreset.Resilient)
            {
                Execute("PRAGMA journal_mode=WAL;");
                Execute("PRAGMA synchronous=NORMAL;");
            }
            else
            {
                Execute("PRAGMA journal_mode=MEMORY;");
                Execute("PRAGMA synchronous=OFF;");
            }
            CreateSchema();
            _pageSize = QueryLong("PRAGMA page_size;");
            _committedBytes = _pageSize * QueryLong("PRAGMA page_count;");
            int rc = raw.sqlite3_prepare_v2(_db, "INSERT INTO messages (timestamp, topic_id, data) VALUES (?, ?, ?);", out _insertMessage);
            if (rc != raw.SQLITE_OK) throw Failure(rc, "preparing the insert statement");
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new IOException($"{filePath}: sqlite3 error {e.SqliteErrorCode} while creating the bag file: {e.Message}", e);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string StorageIdentifier => SqliteStorageReader.Identifier;

    public string FilePath { get; }

    /// <summary>Pages on disk at the last commit plus the bytes waiting in the open transaction.</summary>
    public long BytesWritten => _committedBytes + _pendingBytes;

    public void CreateTopic(TopicMetadata topic, MessageDefinition? definition)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(topic);
        Guard(() =>
        {
            if (!_topicIds.ContainsKey(topic.Name))
            {
                using var command = _connection.CreateCommand();
                command.CommandText =
                    "INSERT INTO topics (name, type, serialization_format, offered_qos_profiles, type_description_hash) VALUES ($n, $t, $f, $q, $h);" +
                    "SELECT last_insert_rowid();";
                command.Parameters.AddWithValue("$n", topic.Name);
                command.Parameters.AddWithValue("$t", topic.Type);
                command.Parameters.AddWithValue("$f", topic.SerializationFormat);
                command.Parameters.AddWithValue("$q", topic.OfferedQosProfiles);
                command.Parameters.AddWithValue("$h", topic.TypeDescriptionHash);
                _topicIds[topic.Name] = (long)command.ExecuteScalar()!;
            }
            // One row per type, as rosbag2 keys message_definitions by topic type.
            if (definition is not null && definition.TopicType.Length > 0 && _definedTypes.Add(definition.TopicType))
            {
                using var command = _connection.CreateCommand();
                command.CommandText =
                    "INSERT INTO message_definitions (topic_type, encoding, encoded_message_definition, type_description_hash) VALUES ($t, $e, $d, $h);";
                command.Parameters.AddWithValue("$t", definition.TopicType);
                command.Parameters.AddWithValue("$e", definition.Encoding);
                command.Parameters.AddWithValue("$d", definition.Text);
                command.Parameters.AddWithValue("$h", definition.TypeDescriptionHash.Length > 0 ? definition.TypeDescriptionHash : topic.TypeDescriptionHash);
                command.ExecuteNonQuery();
            }
        });
    }

    public void Write(string topicName, long timestampNs, ReadOnlySpan<byte> data, long publishTimeNs)
    {
        ThrowIfDisposed();
        if (!_topicIds.TryGetValue(topicName, out long topicId))
            throw new InvalidOperationException($"{FilePath}: topic '{topicName}' has not been created; call CreateTopic first");
        if (!_inTransaction)
        {
            Execute("BEGIN TRANSACTION;");
            _inTransaction = true;
        }
        // sqlite has no publish-time column; rosbag2's sqlite3 plugin drops it too.
        _ = publishTimeNs;
        raw.sqlite3_bind_int64(_insertMessage, 1, timestampNs);
        raw.sqlite3_bind_int64(_insertMessage, 2, topicId);
        raw.sqlite3_bind_blob(_insertMessage, 3, data);
        int rc = raw.sqlite3_step(_insertMessage);
        raw.sqlite3_reset(_insertMessage);
        if (rc != raw.SQLITE_DONE) throw Failure(rc, $"writing a message on '{topicName}'");
        _pendingBytes += data.Length + RowOverheadBytes;
        _pendingMessages++;
        if (_pendingMessages >= _options.SqliteTransactionMessages || _pendingBytes >= _options.SqliteTransactionBytes) Commit();
    }

    /// <summary>Stores the bag's metadata in the <c>metadata</c> table, as rosbag2 does when a file is opened and closed.</summary>
    public void UpdateMetadata(BagMetadata metadata)
    {
        ThrowIfDisposed();
        Commit();
        Guard(() =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO metadata (metadata_version, metadata) VALUES ($v, $m);";
            command.Parameters.AddWithValue("$v", BagMetadata.CurrentVersion);
            command.Parameters.AddWithValue("$m", MetadataYaml.WriteInner(metadata));
            command.ExecuteNonQuery();
        });
        _committedBytes = _pageSize * QueryLong("PRAGMA page_count;");
    }

    private void Commit()
    {
        if (!_inTransaction) return;
        Execute("COMMIT;");
        _inTransaction = false;
        _pendingMessages = 0;
        _pendingBytes = 0;
        _committedBytes = _pageSize * QueryLong("PRAGMA page_count;");
    }

    private void CreateSchema()
    {
        Execute("CREATE TABLE schema(schema_version INTEGER PRIMARY KEY, ros_distro TEXT NOT NULL);");
        Execute("CREATE TABLE metadata(id INTEGER PRIMARY KEY, metadata_version INTEGER NOT NULL, metadata TEXT NOT NULL);");
        Execute("CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, serialization_format TEXT NOT NULL, " +
                "offered_qos_profiles TEXT NOT NULL, type_description_hash TEXT NOT NULL);");
        Execute("CREATE TABLE message_definitions(id INTEGER PRIMARY KEY, topic_type TEXT NOT NULL, encoding TEXT NOT NULL, " +
                "encoded_message_definition TEXT NOT NULL, type_description_hash TEXT NOT NULL);");
        Execute("CREATE TABLE messages(id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, data BLOB NOT NULL);");
        Execute("CREATE INDEX timestamp_idx ON messages (timestamp ASC);");
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT INTO schema (schema_version, ros_distro) VALUES ($v, $d);";
        command.Parameters.AddWithValue("$v", SchemaVersion);
        command.Parameters.AddWithValue("$d", _options.RosDistro);
        command.ExecuteNonQuery();
    }

    private void Execute(string sql) => Guard(() => SqliteFile.Execute(_connection, sql));

    private long QueryLong(string sql)
    {
        long value = 0;
        Guard(() =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            value = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        });
        return value;
    }

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (SqliteException e)
        {
            throw new IOException($"{FilePath}: sqlite3 error {e.SqliteErrorCode}: {e.Message}", e);
        }
    }

    private IOException Failure(int rc, string what) =>
        new($"{FilePath}: sqlite3 error {rc} while {what}: {raw.sqlite3_errmsg(_db).utf8_to_string()}");

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed) return;
        try
        {
            Commit();
        }
        finally
        {
            _disposed = true;
            _insertMessage?.Dispose();
            _connection.Dispose();
        }
    }
}
