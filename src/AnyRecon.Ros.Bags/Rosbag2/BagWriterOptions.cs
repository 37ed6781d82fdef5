namespace AnyRecon.Ros.Bags;

/// <summary>Settings of <see cref="BagWriter"/>. Defaults match <c>ros2 bag record</c> without flags.</summary>
public sealed class BagWriterOptions
{
    /// <summary>Default for <see cref="FileCompressionChunkBytes"/>: 4 MiB of input per zstd frame.</summary>
    public const int DefaultFileCompressionChunkBytes = 4 << 20;

    private string _storageId = StorageFactory.SqliteStorageId;
    private int _compressionLevel = ZstdEncoder.DefaultLevel;
    private long _maxBagFileBytes;
    private TimeSpan _maxBagFileDuration;
    private int _fileCompressionChunkBytes = DefaultFileCompressionChunkBytes;
    private StorageWriterOptions _storage = new();
    private IReadOnlyDictionary<string, string> _customData = new Dictionary<string, string>();

    /// <summary><c>sqlite3</c> (default) or <c>mcap</c>.</summary>
    public string StorageId
    {
        get => _storageId;
        set => _storageId = value is StorageFactory.SqliteStorageId or StorageFactory.McapStorageId
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "storage must be sqlite3 or mcap");
    }

    /// <summary>
    /// Compression of a sqlite3 bag (zstd): none (default), each finished file (FILE, files become <c>.db3.zstd</c>), or
    /// each message payload (MESSAGE). FILE costs a second pass over each file when it closes; MESSAGE costs CPU per message.
    /// </summary>
    public BagCompressionMode Compression { get; set; } = BagCompressionMode.None;

    /// <summary>zstd level for either compression mode. Default <see cref="ZstdEncoder.DefaultLevel"/> (1, as rosbag2).</summary>
    public int CompressionLevel
    {
        get => _compressionLevel;
        set => _compressionLevel = value is >= -7 and <= 22 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "zstd levels run from -7 to 22");
    }

    /// <summary>Start a new file before a message once the current file reaches this many bytes. 0 (default) never splits by size.</summary>
    public long MaxBagFileBytes
    {
        get => _maxBagFileBytes;
        set => _maxBagFileBytes = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be 0 (no split) or positive");
    }

    /// <summary>Start a new file before a message more than this much later than the file's first message. Zero (default) never splits by time.</summary>
    public TimeSpan MaxBagFileDuration
    {
        get => _maxBagFileDuration;
        set => _maxBagFileDuration = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be zero (no split) or positive");
    }

    /// <summary>
    /// FILE mode compresses a finished file as a series of independent zstd frames of this much input each, so memory stays
    /// bounded; rosbag2 and the zstd tool decode concatenated frames as one stream. Default <see cref="DefaultFileCompressionChunkBytes"/>.
    /// </summary>
    public int FileCompressionChunkBytes
    {
        get => _fileCompressionChunkBytes;
        set => _fileCompressionChunkBytes = value >= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 4096 bytes");
    }

    /// <summary>Free key/value pairs stored as metadata <c>custom_data</c>.</summary>
    public IReadOnlyDictionary<string, string> CustomData
    {
        get => _customData;
        set => _customData = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Settings of each storage file, including the ROS distribution recorded in the bag.</summary>
    public StorageWriterOptions Storage
    {
        get => _storage;
        set => _storage = value ?? throw new ArgumentNullException(nameof(value));
    }
}
