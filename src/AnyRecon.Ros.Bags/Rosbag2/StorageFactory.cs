namespace AnyRecon.Ros.Bags;

/// <summary>How the sqlite3 writer trades speed for crash safety (rosbag2's <c>--storage-preset-profile</c>).</summary>
public enum SqliteWritePreset
{
    /// <summary>rosbag2's default: journal in memory, no fsync. Fastest; a crash mid-transaction can corrupt the file.</summary>
    WriteOptimized,

    /// <summary>rosbag2's "resilient": write-ahead log and synchronous=NORMAL. Slower; survives crashes.</summary>
    Resilient,
}

/// <summary>Settings for one storage file writer (sqlite3 settings here, MCAP ones in <see cref="Mcap"/>).</summary>
public sealed class StorageWriterOptions
{
    /// <summary>Default for <see cref="SqliteTransactionMessages"/>.</summary>
    public const int DefaultSqliteTransactionMessages = 10_000;

    /// <summary>Default for <see cref="SqliteTransactionBytes"/> (4 MiB).</summary>
    public const long DefaultSqliteTransactionBytes = 4L << 20;

    /// <summary>Default for <see cref="RosDistro"/>: Jazzy, the current ROS 2 LTS, whose rosbag2 writes metadata version 9 and db schema 4.</summary>
    public const string DefaultRosDistro = "jazzy";

    private int _sqliteTransactionMessages = DefaultSqliteTransactionMessages;
    private long _sqliteTransactionBytes = DefaultSqliteTransactionBytes;
    private string _rosDistro = DefaultRosDistro;

    /// <summary>Journal and sync settings of sqlite3 files. Default <see cref="SqliteWritePreset.WriteOptimized"/>, as rosbag2.</summary>
    public SqliteWritePreset SqlitePreset { get; set; } = SqliteWritePreset.WriteOptimized;

    /// <summary>Messages per sqlite3 transaction. One transaction per message is ~100x slower; large ones hold more in the journal.</summary>
    public int SqliteTransactionMessages
    {
        get => _sqliteTransactionMessages;
        set => _sqliteTransactionMessages = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1 message per transaction");
    }

    /// <summary>Payload bytes after which the open sqlite3 transaction commits, whatever the message count.</summary>
    public long SqliteTransactionBytes
    {
        get => _sqliteTransactionBytes;
        set => _sqliteTransactionBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    }

    /// <summary>Chunking and compression of MCAP files. Default: 768 KiB zstd chunks, as rosbag2's MCAP plugin writes.</summary>
    public Mcap.McapWriterOptions Mcap { get; set; } = new();

    /// <summary>ROS distribution recorded in the file (sqlite3 <c>schema.ros_distro</c>) and in metadata.yaml. Default <see cref="DefaultRosDistro"/>.</summary>
    public string RosDistro
    {
        get => _rosDistro;
        set => _rosDistro = value ?? throw new ArgumentNullException(nameof(value));
    }
}

/// <summary>Picks the storage implementation for a file extension or a storage identifier.</summary>
public static class StorageFactory
{
    public const string SqliteStorageId = "sqlite3";
    public const string McapStorageId = "mcap";
    public const string SqliteExtension = ".db3";
    public const string McapExtension = ".mcap";

    /// <summary>The storage identifier a file name implies (<c>.db3</c> → sqlite3, <c>.mcap</c> → mcap), ignoring a trailing <c>.zstd</c>; null when unknown.</summary>
    public static string? StorageIdForPath(string path)
    {
        string name = Path.GetFileName(path);
        if (name.EndsWith(".zstd", StringComparison.OrdinalIgnoreCase)) name = name[..^5];
        if (name.EndsWith(SqliteExtension, StringComparison.OrdinalIgnoreCase)) return SqliteStorageId;
        if (name.EndsWith(McapExtension, StringComparison.OrdinalIgnoreCase)) return McapStorageId;
        return null;
    }

    /// <summary>File extension for a storage identifier (<c>.db3</c>, <c>.mcap</c>).</summary>
    public static string ExtensionFor(string storageId) => storageId switch
    {
        SqliteStorageId => SqliteExtension,
        McapStorageId => McapExtension,
        _ => throw new NotSupportedException($"storage '{storageId}' is not supported (known: {SqliteStorageId}, {McapStorageId})"),
    };

    /// <summary>Opens one uncompressed storage file, choosing the reader by extension (or by <paramref name="storageId"/> when given).</summary>
    public static IStorageReader OpenReader(string path, string? storageId = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        storageId ??= StorageIdForPath(path)
            ?? throw new NotSupportedException($"{path}: unknown storage file extension (expected {SqliteExtension} or {McapExtension})");
        return storageId switch
        {
            SqliteStorageId => new SqliteStorageReader(path),
            McapStorageId => new Mcap.McapStorageReader(path),
            _ => throw new NotSupportedException($"{path}: storage '{storageId}' is not supported (known: {SqliteStorageId}, {McapStorageId})"),
        };
    }

    /// <summary>Creates one storage file for writing; <paramref name="path"/> must not exist.</summary>
    public static IStorageWriter CreateWriter(string storageId, string path, StorageWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storageId);
        ArgumentNullException.ThrowIfNull(path);
        return storageId switch
        {
            SqliteStorageId => new SqliteStorageWriter(path, options),
            McapStorageId => new Mcap.McapStorageWriter(path, options?.Mcap),
            _ => throw new NotSupportedException($"{path}: storage '{storageId}' is not supported (known: {SqliteStorageId}, {McapStorageId})"),
        };
    }
}
