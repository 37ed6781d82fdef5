using System.Buffers;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// Evicted blocks on disk: one append-only file of block records plus an in-RAM index of the newest record per
/// block. A block that comes back is dropped from the index (RAM is then authoritative); its bytes stay behind as
/// garbage until the store is disposed, which deletes the file. The store is a spill area for one live map, not a
/// save format: VoxelMapFile writes maps.
/// </summary>
internal sealed class BlockStore : IDisposable
{
    private FileStream _file;
    private readonly Dictionary<BlockIndex, Entry> _index = new();
    private readonly string _directory;
    private long _liveBytes;

    private readonly record struct Entry(long Offset, int Length, long Stamp);

    public BlockStore(string directory, long compactionMinBytes = 64L << 20)
    {
        Directory.CreateDirectory(directory);
        _directory = directory;
        CompactionMinBytes = compactionMinBytes;
        (_file, FilePath) = CreateFile();
    }

    public string FilePath { get; private set; }

    public long CompactionMinBytes { get; }

    public int Compactions { get; private set; }

    private (FileStream, string) CreateFile()
    {
        string path = Path.Combine(_directory, $"blocks-{Environment.ProcessId}-{Guid.NewGuid():N}.store");
        return (new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.RandomAccess | FileOptions.DeleteOnClose), path);
    }

    public int Count => _index.Count;

    public long FileBytes => _file.Length;

    public IEnumerable<BlockIndex> Indices => _index.Keys;

    public bool Contains(BlockIndex index) => _index.ContainsKey(index);

    public bool TryGetStamp(BlockIndex index, out long stamp)
    {
        bool found = _index.TryGetValue(index, out var entry);
        stamp = entry.Stamp;
        return found;
    }

    public void Write(VoxelBlock block)
    {
        int length = block.RecordBytes;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            block.WriteRecord(buffer);
            long offset = _file.Length;
            RandomAccess.Write(_file.SafeFileHandle, buffer.AsSpan(0, length), offset);
            if (_index.TryGetValue(block.Index, out var old)) _liveBytes -= old.Length;
            _index[block.Index] = new Entry(offset, length, block.ChangedStamp);
            _liveBytes += length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a stored block into <paramref name="target"/> (already reset to that index) and forgets it.</summary>
    public bool TryTake(BlockIndex index, VoxelBlock target)
    {
        if (!TryRead(index, target)) return false;
        _index.Remove(index, out var entry);
        _liveBytes -= entry.Length;
        if (_file.Length > CompactionMinBytes && _liveBytes * 3 < _file.Length) Compact();
        return true;
    }

    /// <summary>Reads a stored block into <paramref name="target"/> without taking it out of the store.</summary>
    public bool TryRead(BlockIndex index, VoxelBlock target)
    {
        if (!_index.TryGetValue(index, out var entry)) return false;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(entry.Length);
        try
        {
            var record = buffer.AsSpan(0, entry.Length);
            if (RandomAccess.Read(_file.SafeFileHandle, record, entry.Offset) != entry.Length)
                throw new VoxelMapFormatException(FilePath, entry.Offset, "block store record is truncated");
            if (!VoxelBlock.TryReadRecordHeader(record, out var stored, out long stamp, out bool hasGenerated, out string? problem) || stored != index)
                throw new VoxelMapFormatException(FilePath, entry.Offset, problem ?? $"record holds block {stored}, index says {index}");
            target.Reset(index);
            if (!target.TryReadRecordBody(record, hasGenerated))
                throw new VoxelMapFormatException(FilePath, entry.Offset, "block store record checksum mismatch");
            target.ChangedStamp = stamp;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the live records to a new file and drops the old one (not thread-safe, like all writes).</summary>
    private void Compact()
    {
        var (file, path) = CreateFile();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(VoxelBlock.RecordLength(hasGenerated: true));
        try
        {
            long offset = 0;
            foreach (var (index, entry) in _index.ToArray())
            {
                var record = buffer.AsSpan(0, entry.Length);
                if (RandomAccess.Read(_file.SafeFileHandle, record, entry.Offset) != entry.Length)
                    throw new VoxelMapFormatException(FilePath, entry.Offset, "block store record is truncated");
                RandomAccess.Write(file.SafeFileHandle, record, offset);
                _index[index] = entry with { Offset = offset };
                offset += entry.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _file.Dispose();
        (_file, FilePath) = (file, path);
        Compactions++;
    }

    public void Dispose() => _file.Dispose();
}
