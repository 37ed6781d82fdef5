using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Checksums;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;
using Microsoft.Win32.SafeHandles;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>
/// Every keyframe, kept on disk in one append-only file in a directory, with its metadata in RAM and an LRU of
/// decoded images within a byte budget. Colour is stored as PNG, depth as zstd-compressed float32 metres: both
/// lossless, depth bit-exact including NaN and 0. The format is described in <see cref="KeyframeRecord"/>.
/// </summary>
/// <remarks>
/// <para><b>Durability.</b> <see cref="Append"/> returns only after the record is written and fsync'd: a returned
/// (acknowledged) keyframe survives kill -9 of the process. A kill during an append leaves at most that one record
/// torn at the end of the file; <see cref="Open"/> cuts it off and reports the bytes in
/// <see cref="CaptureViewCacheStatistics.TornTailBytesDropped"/>. Ids are dense and resume after the last keyframe.</para>
/// <para><b>Damage.</b> A damaged record anywhere but at the end (a bit flip) is never skipped: skipping would break
/// dense ids and hide data loss. Damaged headers or metadata make <see cref="Open"/> throw
/// <see cref="CaptureViewCacheFormatException"/> with the path and offset; damaged images make <see cref="Get"/> throw
/// it for that keyframe only (all others stay readable). A damaged last record cannot be told from a torn append
/// and is cut off like one. An unknown format version is an error, never a guess.</para>
/// <para><b>No index file.</b> The id → offset index is rebuilt by scanning record headers on open. A separate index
/// would save nothing: the metadata of every record must be read at open anyway (<see cref="Infos"/> is all in RAM),
/// and a second file would need its own torn-tail rules, agreement checks with the data file and a second fsync per
/// append.</para>
/// <para><b>Threads.</b> One process owns a directory (the file is opened exclusively; a second
/// <see cref="Open"/> fails with <see cref="IOException"/>). <see cref="Append"/> calls are serialised internally.
/// <see cref="Get"/>, <see cref="Infos"/>, <see cref="Count"/> and <see cref="Statistics"/> may run on any threads
/// concurrently with each other and with an append; they see every keyframe whose append has returned.
/// <see cref="Dispose"/> must not overlap other calls. Keyframes from <see cref="Get"/> share their arrays with
/// the LRU and other readers: treat them as read-only.</para>
/// </remarks>
public sealed class CaptureViewCache : IDisposable
{
    /// <summary>Name of the data file inside the cache directory.</summary>
    public const string DataFileName = "keyframes.arcv";

    private readonly string _path;
    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly object _writeSync = new();
    private readonly ZstdEncoder _encoder;
    private readonly ConcurrentBag<ZstdDecoder> _decoders = [];
    private readonly PngCodec _png = new();
    private readonly DecodedKeyframeLru _lru;
    private readonly long _tornTailBytes;
    private readonly bool _fastColorEncoding;
    private volatile Published _published;
    private long _end;
    private byte[] _headerAndMeta = new byte[4096];
    private byte[] _depthBuffer = [];
    private Exception? _faulted;
    private volatile bool _disposed;

    private CaptureViewCache(string path, FileStream file, CaptureViewCacheOptions options)
    {
        _path = path;
        _file = file;
        _handle = file.SafeFileHandle;
        _lru = new DecodedKeyframeLru(options.DecodedCacheBytes);
        (_published, _end, _tornTailBytes) = Scan(options.VerifyImagesOnOpen);
        _encoder = new ZstdEncoder(options.DepthCompressionLevel);
        _fastColorEncoding = options.FastColorEncoding;
    }

    /// <summary>Opens the cache in <paramref name="directory"/> (created if missing), resuming after its last keyframe.</summary>
    /// <exception cref="CaptureViewCacheFormatException">Not a cache file, unknown version, or damage before the last record.</exception>
    /// <exception cref="IOException">Another process or instance has the cache open.</exception>
    public static CaptureViewCache Open(string directory, CaptureViewCacheOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        string path = Path.GetFullPath(Path.Combine(directory, DataFileName));
        // Unbuffered, so Flush(true) is exactly fsync; FileShare.None takes an exclusive lock (flock on Linux), which
        // the kernel releases when a killed owner dies.
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        try
        {
            return new CaptureViewCache(path, file, options ?? new CaptureViewCacheOptions());
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Full path of the data file.</summary>
    public string FilePath => _path;

    /// <summary>Keyframes in the cache (ids 0..Count-1).</summary>
    public int Count => _published.Count;

    /// <summary>Metadata of every keyframe in id order: an immutable snapshot, safe to keep and enumerate while appends go on.</summary>
    public IReadOnlyList<KeyframeInfo> Infos => _published;

    public CaptureViewCacheStatistics Statistics
    {
        get
        {
            var lru = _lru.Snapshot();
            return new CaptureViewCacheStatistics(_published.Count, Volatile.Read(ref _end), lru.Bytes, lru.Count, lru.Hits, lru.Misses, lru.Evictions, _tornTailBytes);
        }
    }

    /// <summary>
    /// Stores a keyframe durably and returns its metadata with the new id. Returns only once the record is written and
    /// fsync'd. The images are encoded, not kept: the caller may reuse them afterwards.
    /// </summary>
    /// <param name="stampNs">Header stamp of the frame (ROS time, ns).</param>
    /// <param name="intrinsics">Pinhole intrinsics; their size must be the images' size.</param>
    /// <param name="worldFromCamera">Pose of the optical frame in the map frame (finite).</param>
    /// <param name="color">RGB8 colour, registered to the depth.</param>
    /// <param name="depth">Depth in metres; stored bit-exact.</param>
    /// <param name="observedBlocks">Voxel blocks the frame observed (sorted, distinct by the caller's convention; stored as given).</param>
    /// <exception cref="ArgumentException">Sizes disagree, or intrinsics or pose are invalid.</exception>
    /// <exception cref="IOException">The write or fsync failed; nothing was acknowledged and the file is as before.</exception>
    public KeyframeInfo Append(long stampNs, PinholeIntrinsics intrinsics, RigidTransform worldFromCamera, ColorImage color, DepthImage depth,
        ReadOnlySpan<BlockIndex> observedBlocks)
    {
        ArgumentNullException.ThrowIfNull(color);
        ArgumentNullException.ThrowIfNull(depth);
        if (!intrinsics.IsValid || intrinsics.Width > KeyframeRecord.MaxImageSide || intrinsics.Height > KeyframeRecord.MaxImageSide)
            throw new ArgumentException($"intrinsics {intrinsics} are not a valid camera of at most {KeyframeRecord.MaxImageSide} pixels a side", nameof(intrinsics));
        if (color.Width != intrinsics.Width || color.Height != intrinsics.Height || depth.Width != intrinsics.Width || depth.Height != intrinsics.Height)
            throw new ArgumentException($"colour {color.Width}x{color.Height}, depth {depth.Width}x{depth.Height} and intrinsics {intrinsics.Width}x{intrinsics.Height} must share one size", nameof(color));
        if (!worldFromCamera.IsFinite || worldFromCamera.Rotation.Norm < 1e-9)
            throw new ArgumentException("pose must be finite with a non-zero rotation quaternion", nameof(worldFromCamera));

        lock (_writeSync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_faulted is not null) throw new InvalidOperationException($"{_path}: an earlier append failed and its bytes could not be removed; reopen the cache", _faulted);

            byte[] png = _png.Encode(color, _fastColorEncoding);
            var depthBytes = MemoryMarshal.AsBytes(depth.Metres.AsSpan());
            int bound = ZstdEncoder.GetMaxCompressedLength(depthBytes.Length);
            if (_depthBuffer.Length < bound) _depthBuffer = GC.AllocateUninitializedArray<byte>(bound);
            int depthLength = _encoder.Compress(depthBytes, _depthBuffer);

            int metaLength = KeyframeRecord.MetaLength(observedBlocks.Length);
            if (metaLength > KeyframeRecord.MaxMetaLength)
                throw new ArgumentException($"{observedBlocks.Length} observed blocks exceed the record limit", nameof(observedBlocks));
            int headerAndMetaLength = KeyframeRecord.HeaderSize + metaLength;
            if (_headerAndMeta.Length < headerAndMetaLength) _headerAndMeta = new byte[Math.Max(headerAndMetaLength, _headerAndMeta.Length * 2)];
            var meta = _headerAndMeta.AsSpan(KeyframeRecord.HeaderSize, metaLength);
            KeyframeRecord.WriteMeta(meta, stampNs, intrinsics, worldFromCamera, png.Length, depthLength, observedBlocks);
            uint imageCrc = Crc32.Append(Crc32.Compute(png), _depthBuffer.AsSpan(0, depthLength));
            var published = _published;
            long id = published.Count;
            var header = new KeyframeRecord.Header(KeyframeRecord.RecordVersion, id, (uint)metaLength, checked((uint)(png.Length + depthLength)), Crc32.Compute(meta), imageCrc);
            KeyframeRecord.WriteHeader(_headerAndMeta, header);

            long offset = _end;
            try
            {
                RandomAccess.Write(_handle, [_headerAndMeta.AsMemory(0, headerAndMetaLength), png, _depthBuffer.AsMemory(0, depthLength)], offset);
                _file.Flush(flushToDisk: true);
            }
            catch (Exception writeError)
            {
                // A half record followed by a later, shorter one would turn this torn tail into mid-file damage.
                try
                {
                    _file.SetLength(offset);
                    _file.Flush(flushToDisk: true);
                }
                catch (Exception truncateError)
                {
                    _faulted = new AggregateException(writeError, truncateError);
                }
                throw;
            }

            var info = new KeyframeInfo(id, stampNs, intrinsics, worldFromCamera, Array.AsReadOnly(observedBlocks.ToArray()));
            _published = published.With(info, new Location(offset, offset + headerAndMetaLength, png.Length, depthLength, imageCrc));
            Volatile.Write(ref _end, offset + header.RecordLength);
            return info;
        }
    }

    /// <summary>The keyframe with its decoded images, from the LRU or decoded from disk (and then kept in the LRU).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No keyframe has that id.</exception>
    /// <exception cref="CaptureViewCacheFormatException">The keyframe's images are damaged on disk.</exception>
    public Keyframe Get(long id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var published = _published;
        if ((ulong)id >= (ulong)published.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"the cache holds keyframes 0..{published.Count - 1}");
        if (_lru.TryGet(id, out var hit)) return hit;
        return _lru.Add(Decode(published[(int)id], published.LocationOf((int)id)));
    }

    public void Dispose()
    {
        lock (_writeSync)
        {
            if (_disposed) return;
            _disposed = true;
            _file.Dispose();
            _encoder?.Dispose();
            while (_decoders.TryTake(out var decoder)) decoder.Dispose();
        }
    }

    private Keyframe Decode(KeyframeInfo info, Location location)
    {
        int pngLength = location.PngLength, imageLength = location.PngLength + location.DepthLength;
        int width = info.Intrinsics.Width, height = info.Intrinsics.Height;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(imageLength);
        try
        {
            var images = buffer.AsSpan(0, imageLength);
            if (ReadAt(images, location.ImageOffset) != imageLength)
                throw Corrupt(location.RecordOffset, $"keyframe {info.Id}: the file ends inside its images (was it truncated by another program?)");
            if (Crc32.Compute(images) != location.ImageCrc)
                throw Corrupt(location.RecordOffset, $"keyframe {info.Id}: image checksum mismatch");

            ColorImage color;
            try
            {
                color = _png.DecodeRgb(images[..pngLength]);
            }
            catch (ImageFormatException e)
            {
                throw Corrupt(location.RecordOffset, $"keyframe {info.Id}: colour PNG does not decode: {e.Message}", e);
            }
            if (color.Width != width || color.Height != height)
                throw Corrupt(location.RecordOffset, $"keyframe {info.Id}: colour is {color.Width}x{color.Height}, metadata says {width}x{height}");

            var metres = GC.AllocateUninitializedArray<float>(width * height);
            var destination = MemoryMarshal.AsBytes(metres.AsSpan());
            if (!_decoders.TryTake(out var decoder)) decoder = new ZstdDecoder();
            int written;
            try
            {
                written = decoder.Decompress(images[pngLength..], destination);
            }
            catch (CompressionException e)
            {
                throw Corrupt(location.RecordOffset, $"keyframe {info.Id}: depth does not decompress: {e.Message}", e);
            }
            finally
            {
                _decoders.Add(decoder);
            }
            if (written != destination.Length)
                throw Corrupt(location.RecordOffset, $"keyframe {info.Id}: depth holds {written} bytes, {width}x{height} needs {destination.Length}");
            return new Keyframe(info, color, new DepthImage(width, height, metres));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (Published Published, long End, long TornTailBytes) Scan(bool verifyImages)
    {
        long length = _file.Length;
        Span<byte> fileHeader = stackalloc byte[KeyframeRecord.FileHeaderSize];
        if (length < KeyframeRecord.FileHeaderSize)
        {
            // Empty, or a crash while the header was being created: nothing can have been acknowledged yet.
            int n = ReadAt(fileHeader[..(int)length], 0);
            if (!KeyframeRecord.FileMagic[..Math.Min(n, 8)].SequenceEqual(fileHeader[..Math.Min(n, 8)]))
                throw Corrupt(0, "not a capture-view cache file (magic is not \"ARCVCACH\")");
            KeyframeRecord.WriteFileHeader(fileHeader);
            _file.SetLength(0);
            RandomAccess.Write(_handle, fileHeader, 0);
            _file.Flush(flushToDisk: true);
            return (Published.Empty, KeyframeRecord.FileHeaderSize, length);
        }
        ReadAt(fileHeader, 0);
        if (KeyframeRecord.CheckFileHeader(fileHeader) is string problem) throw Corrupt(0, problem);

        var published = Published.Empty;
        long position = KeyframeRecord.FileHeaderSize;
        bool torn = false;
        Span<byte> headerBytes = stackalloc byte[KeyframeRecord.HeaderSize];
        byte[] meta = new byte[4096];
        while (position < length)
        {
            if (length - position < KeyframeRecord.HeaderSize) { torn = true; break; }
            ReadAt(headerBytes, position);
            if (!KeyframeRecord.TryReadHeader(headerBytes, out var header))
            {
                // A zero-filled tail is what a power cut can leave after an append's size change reached the disk
                // before its data; anything else at a record boundary is damage.
                if (IsZeroFilled(position, length)) { torn = true; break; }
                throw Corrupt(position, $"record header of keyframe {published.Count} is damaged (bad magic or checksum)");
            }
            if (header.Version != KeyframeRecord.RecordVersion)
                throw Corrupt(position, $"record format version {header.Version}; this build reads version {KeyframeRecord.RecordVersion}");
            if (header.Id != published.Count)
                throw Corrupt(position, $"record holds keyframe {header.Id}, expected {published.Count} (ids are dense)");
            if (header.MetaLength is < KeyframeRecord.MetaFixedSize or > KeyframeRecord.MaxMetaLength)
                throw Corrupt(position, $"record declares {header.MetaLength} bytes of metadata, outside {KeyframeRecord.MetaFixedSize}..{KeyframeRecord.MaxMetaLength}");
            long end = position + header.RecordLength;
            // The header checksum vouches for the lengths, so a record running past the end is an interrupted append.
            if (end > length) { torn = true; break; }
            bool last = end == length;

            int metaLength = (int)header.MetaLength;
            if (meta.Length < metaLength) meta = new byte[Math.Max(metaLength, meta.Length * 2)];
            var metaSpan = meta.AsSpan(0, metaLength);
            ReadAt(metaSpan, position + KeyframeRecord.HeaderSize);
            if (Crc32.Compute(metaSpan) != header.MetaCrc)
            {
                if (last) { torn = true; break; }
                throw Corrupt(position, $"metadata checksum mismatch in keyframe {header.Id}");
            }
            var info = KeyframeRecord.TryReadMeta(metaSpan, header.Id, header.ImageLength, out int pngLength, out int depthLength, out string? metaProblem)
                ?? throw Corrupt(position, $"keyframe {header.Id}: {metaProblem}");
            long imageOffset = position + KeyframeRecord.HeaderSize + metaLength;
            if ((last || verifyImages) && ChecksumAt(imageOffset, header.ImageLength) != header.ImageCrc)
            {
                if (last) { torn = true; break; }
                throw Corrupt(position, $"image checksum mismatch in keyframe {header.Id}");
            }
            published = published.With(info, new Location(position, imageOffset, pngLength, depthLength, header.ImageCrc));
            position = end;
        }

        long dropped = 0;
        if (torn)
        {
            dropped = length - position;
            _file.SetLength(position);
            _file.Flush(flushToDisk: true);
        }
        return (published, position, dropped);
    }

    private int ReadAt(Span<byte> destination, long offset)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private uint ChecksumAt(long offset, long length)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            uint crc = 0;
            while (length > 0)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, length));
                int n = ReadAt(chunk, offset);
                crc = Crc32.Append(crc, chunk[..n]);
                if (n < chunk.Length) break;
                offset += n;
                length -= n;
            }
            return crc;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool IsZeroFilled(long offset, long end)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            while (offset < end)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - offset));
                int n = ReadAt(chunk, offset);
                if (chunk[..n].ContainsAnyExcept((byte)0)) return false;
                if (n < chunk.Length) break;
                offset += n;
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private CaptureViewCacheFormatException Corrupt(long offset, string reason, Exception? inner = null) => new(_path, offset, reason, inner);

    private readonly record struct Location(long RecordOffset, long ImageOffset, int PngLength, int DepthLength, uint ImageCrc);

    /// <summary>
    /// An immutable view of the first <see cref="Count"/> keyframes. The writer fills slots past every published count
    /// and then publishes a new view (growing copies the arrays), so readers need no lock and never see a half entry.
    /// </summary>
    private sealed class Published(KeyframeInfo[] infos, Location[] locations, int count) : IReadOnlyList<KeyframeInfo>
    {
        public static readonly Published Empty = new([], [], 0);

        public int Count => count;

        public KeyframeInfo this[int index] => (uint)index < (uint)count ? infos[index] : throw new ArgumentOutOfRangeException(nameof(index));

        public Location LocationOf(int index) => locations[index];

        public Published With(KeyframeInfo info, Location location)
        {
            var newInfos = infos;
            var newLocations = locations;
            if (count == infos.Length)
            {
                int capacity = Math.Max(16, count * 2);
                newInfos = new KeyframeInfo[capacity];
                newLocations = new Location[capacity];
                infos.AsSpan(0, count).CopyTo(newInfos);
                locations.AsSpan(0, count).CopyTo(newLocations);
            }
            newInfos[count] = info;
            newLocations[count] = location;
            return new Published(newInfos, newLocations, count + 1);
        }

        public IEnumerator<KeyframeInfo> GetEnumerator()
        {
            for (int i = 0; i < count; i++) yield return infos[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
