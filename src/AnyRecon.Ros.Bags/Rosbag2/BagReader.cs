namespace AnyRecon.Ros.Bags;

/// <summary>
/// Reads a rosbag2 bag: a folder with metadata.yaml, a folder of split files without one (metadata derived as
/// <c>ros2 bag reindex</c> does), or a single .db3/.mcap file. Messages of all split files come merged in timestamp
/// order with bounded memory; FILE-compressed files are decompressed to a temporary folder (deleted on dispose) and
/// MESSAGE-compressed payloads are decompressed one at a time into a reused buffer.
/// </summary>
/// <remarks>
/// Topic information comes from metadata.yaml when there is one (as in rosbag2), so a message's
/// <see cref="SerializedBagMessage.Topic"/> is the metadata's entry for its topic name.
/// Not thread-safe; one enumeration at a time is the intended use, though separate enumerations do not interfere.
/// </remarks>
public sealed class BagReader : IDisposable
{
    private readonly BagReaderOptions _options;
    private readonly List<BagFile> _files;
    private readonly Dictionary<string, TopicMetadata> _topicsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _decompressedCopies = new(StringComparer.Ordinal);
    private readonly object _tempLock = new();
    private string? _tempDirectory;
    private IReadOnlyList<MessageDefinition>? _definitions;
    private bool _disposed;

    private BagReader(string path, string? metadataPath, BagMetadata? metadata, List<BagFile> files, BagReaderOptions options)
    {
        Path = path;
        MetadataPath = metadataPath;
        _files = files;
        _options = options;
        try
        {
            Metadata = metadata ?? MetadataDeriver.Derive(files, OpenStorage);
            CompressionMode = BagCompression.Parse(Metadata.CompressionMode, Metadata.CompressionFormat, metadataPath ?? path);
            Topics = Metadata.TopicsWithMessageCount.Select(t => t.Topic).ToArray();
            foreach (var topic in Topics) _topicsByName.TryAdd(topic.Name, topic);
        }
        catch
        {
            DeleteTemporaryFiles();
            throw;
        }
    }

    /// <summary>
    /// Opens a bag folder (with or without metadata.yaml), a metadata.yaml file, or one .db3/.mcap file (optionally <c>.zstd</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="BagFormatException">Metadata is malformed, a listed file is missing, or a file is not a bag file.</exception>
    /// <exception cref="NotSupportedException">The storage or compression is not one this build reads.</exception>
    public static BagReader Open(string path, BagReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new BagReaderOptions();
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            if (string.Equals(System.IO.Path.GetFileName(full), MetadataYaml.FileName, StringComparison.Ordinal))
                return OpenDirectory(System.IO.Path.GetDirectoryName(full)!, options);
            return new BagReader(full, null, null, BagFileSet.SingleFile(full), options);
        }
        if (Directory.Exists(full)) return OpenDirectory(full, options);
        throw new FileNotFoundException($"{full}: no bag folder or bag file at this path", full);
    }

    private static BagReader OpenDirectory(string directory, BagReaderOptions options)
    {
        string metadataPath = System.IO.Path.Combine(directory, MetadataYaml.FileName);
        if (!File.Exists(metadataPath)) return new BagReader(directory, null, null, BagFileSet.FromDirectory(directory), options);
        var metadata = MetadataYaml.ReadFile(metadataPath);
        return new BagReader(directory, metadataPath, metadata, BagFileSet.FromMetadata(directory, metadata, metadataPath), options);
    }

    /// <summary>The bag folder, or the single file that was opened.</summary>
    public string Path { get; }

    /// <summary>The metadata.yaml the metadata came from, or null when it was derived from the storage files.</summary>
    public string? MetadataPath { get; }

    /// <summary>The bag's metadata: read from metadata.yaml as written, or derived from the files.</summary>
    public BagMetadata Metadata { get; }

    public BagCompressionMode CompressionMode { get; }

    /// <summary>Topics as the metadata lists them.</summary>
    public IReadOnlyList<TopicMetadata> Topics { get; }

    /// <summary>Absolute paths of the storage files in split order.</summary>
    public IReadOnlyList<string> FilePaths => _files.Select(f => f.FullPath).ToArray();

    /// <summary>Message definitions carried by the files (union over files, one per type; empty for bags that predate them).</summary>
    public IReadOnlyList<MessageDefinition> MessageDefinitions
    {
        get
        {
            ThrowIfDisposed();
            if (_definitions is not null) return _definitions;
            var byType = new Dictionary<string, MessageDefinition>(StringComparer.Ordinal);
            var ordered = new List<MessageDefinition>();
            foreach (var file in _files)
            {
                using var reader = OpenStorage(file);
                foreach (var definition in reader.MessageDefinitions)
                {
                    if (byType.TryAdd(definition.TopicType, definition)) ordered.Add(definition);
                }
            }
            return _definitions = ordered;
        }
    }

    /// <summary>
    /// Throws unless every topic (or every topic in <paramref name="topicNames"/>) is recorded in <paramref name="format"/>.
    /// Decoders call this before decoding, e.g. <c>RequireSerializationFormat("cdr")</c>.
    /// </summary>
    /// <exception cref="BagFormatException">Names the first topic with another format, and the format it has.</exception>
    public void RequireSerializationFormat(string format, IEnumerable<string>? topicNames = null)
    {
        ArgumentNullException.ThrowIfNull(format);
        var wanted = topicNames?.ToHashSet(StringComparer.Ordinal);
        foreach (var topic in Topics)
        {
            if (wanted is not null && !wanted.Contains(topic.Name)) continue;
            if (!string.Equals(topic.SerializationFormat, format, StringComparison.Ordinal))
            {
                throw new BagFormatException(MetadataPath ?? Path, -1,
                    $"topic '{topic.Name}' ({topic.Type}) is recorded in serialization format '{topic.SerializationFormat}', but only '{format}' can be decoded");
            }
        }
    }

    /// <summary>
    /// Messages of all files in timestamp order (ties: earlier split file first, then recording order), restricted by
    /// <paramref name="filter"/>. Each message's data is valid until the enumerator advances.
    /// </summary>
    public IEnumerable<SerializedBagMessage> ReadMessages(MessageFilter? filter = null)
    {
        ThrowIfDisposed();
        return Iterate(filter);
    }

    private IEnumerable<SerializedBagMessage> Iterate(MessageFilter? filter)
    {
        var plan = new List<(BagFile File, long Start)>(_files.Count);
        long lowerBound = long.MinValue;
        foreach (var file in _files)
        {
            var range = file.Range;
            if (range is null)
            {
                try
                {
                    range = file.Range = Probe(file);
                }
                catch (BagFormatException)
                {
                    // A damaged file keeps its place in split order (after everything in earlier files; ties go to
                    // earlier files anyway), so its error surfaces only once every message before it has been delivered.
                    plan.Add((file, lowerBound));
                    continue;
                }
            }
            if (!Overlaps(range.Value, filter)) continue;
            plan.Add((file, range.Value.Start));
            lowerBound = Math.Max(lowerBound, range.Value.End == long.MaxValue ? long.MaxValue : range.Value.End + 1);
        }
        using var decompressor = CompressionMode == BagCompressionMode.Message ? new MessageDecompressor(_options.MaxMessageBytes) : null;
        foreach (var (message, file) in MessageMerger.Merge(plan, OpenStorage, filter))
        {
            ThrowIfDisposed();
            var topic = _topicsByName.TryGetValue(message.Topic.Name, out var known) ? known : message.Topic;
            var data = decompressor is null ? message.Data : decompressor.Decompress(message, file.FullPath);
            yield return new SerializedBagMessage(topic, message.TimestampNs, message.PublishTimeNs, data);
        }
    }

    private static bool Overlaps((long Count, long Start, long End) range, MessageFilter? filter) =>
        range.Count > 0
        && (filter?.StartTimeNs is not long s || range.End >= s)
        && (filter?.EndTimeNs is not long e || range.Start <= e);

    private (long, long, long) Probe(BagFile file)
    {
        using var reader = OpenStorage(file);
        if (reader is SqliteStorageReader sqlite) return sqlite.ReadTimeRange();
        var stats = reader.ReadStatistics();
        return (stats.MessageCount, stats.StartTimeNs, stats.EndTimeNs);
    }

    /// <summary>Opens one storage file, decompressing a FILE-compressed one first (once per reader).</summary>
    private IStorageReader OpenStorage(BagFile file)
    {
        if (!file.IsFileCompressed) return StorageFactory.OpenReader(file.FullPath, file.StorageId);
        string copy = Decompressed(file);
        try
        {
            return StorageFactory.OpenReader(copy, file.StorageId);
        }
        catch (BagFormatException e)
        {
            throw new BagFormatException(file.FullPath, e.Offset, $"in the decompressed content (offset is into it): {e.Reason}", e);
        }
    }

    private string Decompressed(BagFile file)
    {
        lock (_tempLock)
        {
            ThrowIfDisposed();
            if (_decompressedCopies.TryGetValue(file.FullPath, out string? existing)) return existing;
            _tempDirectory ??= Directory.CreateDirectory(System.IO.Path.Combine(
                _options.TempDirectory ?? System.IO.Path.GetTempPath(), "anyrecon-bag-" + Guid.NewGuid().ToString("N"))).FullName;
            string name = System.IO.Path.GetFileName(file.FullPath);
            string target = System.IO.Path.Combine(_tempDirectory, $"{file.Index}_{name[..^BagCompression.ZstdExtension.Length]}");
            using (var input = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                try
                {
                    using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                    using var decoder = new ZstdDecoder();
                    decoder.DecompressStream(input, output);
                }
                catch (CompressionException e)
                {
                    File.Delete(target);
                    throw new BagFormatException(file.FullPath, input.Position, $"FILE-compressed storage file does not decompress: {e.Message}", e);
                }
            }
            _decompressedCopies[file.FullPath] = target;
            return target;
        }
    }

    private void DeleteTemporaryFiles()
    {
        lock (_tempLock)
        {
            if (_tempDirectory is not null) SqliteFile.TryDeleteDirectory(_tempDirectory);
            _tempDirectory = null;
            _decompressedCopies.Clear();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Deletes the decompressed copies of FILE-compressed files.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DeleteTemporaryFiles();
    }

    /// <summary>Turns each MESSAGE-compressed payload (one zstd frame) back into the message, in a buffer reused for every message.</summary>
    private sealed class MessageDecompressor(int maxMessageBytes) : IDisposable
    {
        private readonly ZstdDecoder _decoder = new();
        private byte[] _buffer = [];
        private MemoryStream? _spill;

        public ReadOnlyMemory<byte> Decompress(in SerializedBagMessage message, string filePath)
        {
            var frame = message.Data.Span;
            try
            {
                if (ZstdDecoder.GetDeclaredSize(frame) is long declared)
                {
                    if (declared > maxMessageBytes)
                        throw Corrupt(message, filePath, $"zstd frame declares {declared} bytes, above the limit of {maxMessageBytes}");
                    if (_buffer.Length < declared) _buffer = GC.AllocateUninitializedArray<byte>((int)Math.Max(declared, Math.Min(2L * _buffer.Length, maxMessageBytes)));
                    int written = _decoder.Decompress(frame, _buffer.AsSpan(0, (int)declared));
                    if (written != declared) throw Corrupt(message, filePath, $"zstd frame declared {declared} bytes but held {written}");
                    return _buffer.AsMemory(0, written);
                }
                // The frame does not carry its size (streamed writers): decode into a reused growable stream.
                _spill ??= new MemoryStream();
                _spill.SetLength(0);
                _decoder.DecompressStream(frame, _spill, maxMessageBytes);
                return _spill.GetBuffer().AsMemory(0, (int)_spill.Length);
            }
            catch (CompressionException e)
            {
                throw Corrupt(message, filePath, e.Message, e);
            }
        }

        private static BagFormatException Corrupt(in SerializedBagMessage message, string filePath, string reason, Exception? inner = null) =>
            new(filePath, -1, $"MESSAGE-compressed payload on '{message.Topic.Name}' at {message.TimestampNs} ns: {reason}", inner);

        public void Dispose()
        {
            _decoder.Dispose();
            _spill?.Dispose();
        }
    }
}
