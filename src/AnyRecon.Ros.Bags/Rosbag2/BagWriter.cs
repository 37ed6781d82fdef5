namespace AnyRecon.Ros.Bags;

/// <summary>
/// Records a rosbag2 bag folder: storage files named <c>&lt;folder&gt;_&lt;n&gt;.db3</c> (or <c>.mcap</c>) written through
/// <see cref="IStorageWriter"/>, optional zstd compression (FILE or MESSAGE, sqlite3 only), optional splitting by size or
/// duration, and metadata.yaml version 9 with per-file information written on <see cref="Dispose"/>.
/// </summary>
/// <remarks>Not thread-safe. As in rosbag2, the split check runs before each message, so a message is never split across files.</remarks>
public sealed class BagWriter : IDisposable
{
    private readonly BagWriterOptions _options;
    private readonly string _baseName;
    private readonly List<TopicState> _topics = [];
    private readonly Dictionary<string, TopicState> _topicsByName = new(StringComparer.Ordinal);
    private readonly List<string> _relativePaths = [];
    private readonly List<BagFileInformation> _closedFiles = [];
    private readonly ZstdEncoder? _messageEncoder;
    private byte[] _compressBuffer = [];
    private IStorageWriter? _storage;
    private FileProgress _current;
    private long _bagStart = long.MaxValue, _bagEnd = long.MinValue, _messageCount;
    private bool _disposed;

    private BagWriter(string directory, BagWriterOptions options)
    {
        Directory = directory;
        _options = options;
        _baseName = System.IO.Path.GetFileName(directory);
        if (_options.Compression != BagCompressionMode.None && _options.StorageId != StorageFactory.SqliteStorageId)
            throw new NotSupportedException($"{directory}: {_options.Compression} compression is implemented for sqlite3 bags only (MCAP compresses its chunks)");
        if (_options.Compression == BagCompressionMode.Message) _messageEncoder = new ZstdEncoder(_options.CompressionLevel);
        OpenNextFile();
    }

    /// <summary>Creates <paramref name="directory"/> (which must not exist, as with <c>ros2 bag record -o</c>) and its first storage file.</summary>
    public static BagWriter Create(string directory, BagWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string full = System.IO.Path.GetFullPath(directory.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));
        if (System.IO.Directory.Exists(full) || File.Exists(full))
            throw new IOException($"{full}: already exists; a bag is never written over an existing path");
        System.IO.Directory.CreateDirectory(full);
        try
        {
            return new BagWriter(full, options ?? new BagWriterOptions());
        }
        catch
        {
            SqliteFile.TryDeleteDirectory(full);
            throw;
        }
    }

    /// <summary>The bag folder.</summary>
    public string Directory { get; }

    /// <summary>What metadata.yaml would say if the bag were closed now.</summary>
    public BagMetadata Metadata => BuildMetadata();

    /// <summary>Declares a topic (again declaring the same name is a no-op). Every split file gets all declared topics.</summary>
    public void CreateTopic(TopicMetadata topic, MessageDefinition? definition = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(topic);
        if (_topicsByName.ContainsKey(topic.Name)) return;
        var state = new TopicState(topic, definition);
        _storage!.CreateTopic(topic, definition);
        _topics.Add(state);
        _topicsByName.Add(topic.Name, state);
    }

    /// <summary>Writes one message; <paramref name="publishTimeNs"/> defaults to the receive time.</summary>
    public void Write(string topicName, long timestampNs, ReadOnlySpan<byte> data, long? publishTimeNs = null)
    {
        ThrowIfDisposed();
        if (!_topicsByName.TryGetValue(topicName, out var topic))
            throw new InvalidOperationException($"{Directory}: topic '{topicName}' has not been created; call CreateTopic first");
        if (ShouldSplit(timestampNs)) Split();

        ReadOnlySpan<byte> payload = data;
        if (_messageEncoder is not null)
        {
            int bound = ZstdEncoder.GetMaxCompressedLength(data.Length);
            if (_compressBuffer.Length < bound) _compressBuffer = GC.AllocateUninitializedArray<byte>(Math.Max(bound, _compressBuffer.Length * 2));
            payload = _compressBuffer.AsSpan(0, _messageEncoder.Compress(data, _compressBuffer));
        }
        _storage!.Write(topicName, timestampNs, payload, publishTimeNs ?? timestampNs);

        topic.Count++;
        _messageCount++;
        _bagStart = Math.Min(_bagStart, timestampNs);
        _bagEnd = Math.Max(_bagEnd, timestampNs);
        _current.Count++;
        _current.Start = Math.Min(_current.Start, timestampNs);
        _current.End = Math.Max(_current.End, timestampNs);
    }

    /// <summary>Writes a message read from another bag, declaring its topic on first use.</summary>
    public void Write(in SerializedBagMessage message)
    {
        ThrowIfDisposed();
        if (!_topicsByName.ContainsKey(message.Topic.Name)) CreateTopic(message.Topic);
        Write(message.Topic.Name, message.TimestampNs, message.Data.Span, message.PublishTimeNs);
    }

    private bool ShouldSplit(long timestampNs)
    {
        // An empty file is never split off, so a limit smaller than an empty file cannot produce endless empty files.
        if (_current.Count == 0) return false;
        if (_options.MaxBagFileBytes > 0 && _storage!.BytesWritten >= _options.MaxBagFileBytes) return true;
        return _options.MaxBagFileDuration > TimeSpan.Zero && timestampNs - _current.Start > _options.MaxBagFileDuration.Ticks * TimeSpan.NanosecondsPerTick;
    }

    private void Split()
    {
        FinishCurrentFile();
        OpenNextFile();
        foreach (var topic in _topics) _storage!.CreateTopic(topic.Metadata, topic.Definition);
    }

    private void OpenNextFile()
    {
        string name = $"{_baseName}_{_relativePaths.Count}{StorageFactory.ExtensionFor(_options.StorageId)}";
        _storage = StorageFactory.CreateWriter(_options.StorageId, System.IO.Path.Combine(Directory, name), _options.Storage);
        _relativePaths.Add(name);
        _current = new FileProgress(name);
        // rosbag2 stores the bag metadata in each new file so a crash still leaves custom data and distro behind.
        if (_storage is SqliteStorageWriter sqlite) sqlite.UpdateMetadata(BuildMetadata());
    }

    private void FinishCurrentFile()
    {
        if (_storage is null) return;
        var storage = _storage;
        _storage = null;
        try
        {
            _closedFiles.Add(_current.ToInformation());
            if (storage is SqliteStorageWriter sqlite) sqlite.UpdateMetadata(BuildMetadata());
        }
        finally
        {
            storage.Dispose();
        }
        if (_options.Compression == BagCompressionMode.File)
        {
            string plain = storage.FilePath;
            CompressFile(plain, plain + BagCompression.ZstdExtension);
            File.Delete(plain);
            _relativePaths[^1] += BagCompression.ZstdExtension;
        }
    }

    /// <summary>Compresses a closed file chunk by chunk into concatenated zstd frames (bounded memory).</summary>
    private void CompressFile(string source, string target)
    {
        using var encoder = new ZstdEncoder(_options.CompressionLevel);
        byte[] input = GC.AllocateUninitializedArray<byte>(_options.FileCompressionChunkBytes);
        byte[] output = GC.AllocateUninitializedArray<byte>(ZstdEncoder.GetMaxCompressedLength(input.Length));
        using var reader = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var writer = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        int read;
        while ((read = reader.ReadAtLeast(input, input.Length, throwOnEndOfStream: false)) > 0)
            writer.Write(output, 0, encoder.Compress(input.AsSpan(0, read), output));
    }

    private BagMetadata BuildMetadata()
    {
        var files = new List<BagFileInformation>(_closedFiles);
        if (_storage is not null) files.Add(_current.ToInformation());
        return new BagMetadata
        {
            Version = BagMetadata.CurrentVersion,
            StorageIdentifier = _options.StorageId,
            RelativeFilePaths = _relativePaths.ToArray(),
            Files = files,
            StartingTimeNs = _messageCount == 0 ? BagMetadata.NoMessagesStartingTimeNs : _bagStart,
            DurationNs = _messageCount == 0 ? 0 : _bagEnd - _bagStart,
            MessageCount = _messageCount,
            TopicsWithMessageCount = _topics.Select(t => new TopicInformation(t.Metadata, t.Count)).ToArray(),
            CompressionFormat = _options.Compression == BagCompressionMode.None ? "" : BagCompression.Zstd,
            CompressionMode = BagCompression.ToMetadataString(_options.Compression),
            CustomData = new Dictionary<string, string>(_options.CustomData),
            RosDistro = _options.Storage.RosDistro,
        };
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Closes (and in FILE mode compresses) the last file, then writes metadata.yaml.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            FinishCurrentFile();
            // Write beside and rename, so a crash never leaves a half-written metadata.yaml.
            string path = System.IO.Path.Combine(Directory, MetadataYaml.FileName);
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, MetadataYaml.Write(BuildMetadata()), new System.Text.UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            _messageEncoder?.Dispose();
        }
    }

    private sealed class TopicState(TopicMetadata metadata, MessageDefinition? definition)
    {
        public TopicMetadata Metadata { get; } = metadata;
        public MessageDefinition? Definition { get; } = definition;
        public long Count { get; set; }
    }

    private struct FileProgress(string path)
    {
        public string Path = path;
        public long Count;
        public long Start = long.MaxValue;
        public long End = long.MinValue;

        public readonly BagFileInformation ToInformation() =>
            Count == 0 ? new(Path, BagMetadata.NoMessagesStartingTimeNs, 0, 0) : new(Path, Start, End - Start, Count);
    }
}
