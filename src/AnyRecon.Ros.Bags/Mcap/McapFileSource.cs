using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>Opcode, position and content length of one record, as the 9-byte record header gives them.</summary>
internal readonly record struct McapRecordHeader(byte Opcode, long Offset, long ContentLength)
{
    public long ContentOffset => Offset + McapRecordParser.RecordHeaderLength;

    public long End => ContentOffset + ContentLength;

    public long TotalLength => McapRecordParser.RecordHeaderLength + ContentLength;
}

/// <summary>
/// Positional reads of one file with a small read-ahead window for record headers and small records; large reads
/// (chunks) go straight into the caller's buffer. Length is fixed at open, so a file still being written reads as
/// truncated instead of racing the writer.
/// </summary>
internal sealed class McapFileSource : IDisposable
{
    private const int WindowSize = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _window = new byte[WindowSize];
    private long _windowStart;
    private int _windowLength;

    public McapFileSource(string filePath)
    {
        FilePath = filePath;
        _handle = File.OpenHandle(filePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.None);
        Length = RandomAccess.GetLength(_handle);
    }

    public string FilePath { get; }

    public long Length { get; }

    public BagFormatException Damage(long offset, string reason, Exception? inner = null) => new(FilePath, offset, reason, inner);

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; the caller has checked the range lies inside the file.</summary>
    public void ReadExactly(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length - destination.Length)
            throw Damage(offset, $"{destination.Length} bytes at this offset run past the end of the {Length}-byte file");
        if (offset >= _windowStart && offset + destination.Length <= _windowStart + _windowLength)
        {
            _window.AsSpan((int)(offset - _windowStart), destination.Length).CopyTo(destination);
            return;
        }
        if (destination.Length <= WindowSize / 4)
        {
            Fill(offset);
            _window.AsSpan(0, destination.Length).CopyTo(destination);
            return;
        }
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[done..], offset + done);
            if (n <= 0) throw Damage(offset + done, "file ended while reading (it shrank after opening)");
            done += n;
        }
    }

    /// <summary>A view of up to <paramref name="count"/> (at most 16 KiB) bytes at <paramref name="offset"/>, clipped at the file end; valid until the next read.</summary>
    public ReadOnlySpan<byte> Peek(long offset, int count)
    {
        if (count > WindowSize / 4) throw new ArgumentOutOfRangeException(nameof(count));
        count = (int)Math.Min(count, Math.Max(0, Length - offset));
        if (count == 0) return [];
        if (!(offset >= _windowStart && offset + count <= _windowStart + _windowLength)) Fill(offset);
        return _window.AsSpan((int)(offset - _windowStart), count);
    }

    private void Fill(long offset)
    {
        int want = (int)Math.Min(WindowSize, Length - offset);
        int done = 0;
        while (done < want)
        {
            int n = RandomAccess.Read(_handle, _window.AsSpan(done, want - done), offset + done);
            if (n <= 0) throw Damage(offset + done, "file ended while reading (it shrank after opening)");
            done += n;
        }
        _windowStart = offset;
        _windowLength = want;
    }

    /// <summary>
    /// The record header at <paramref name="offset"/>, checked to end at or before <paramref name="limit"/>.
    /// Returns false at a clean end (<paramref name="offset"/> == <paramref name="limit"/>).
    /// </summary>
    public bool TryReadRecordHeader(long offset, long limit, out McapRecordHeader header)
    {
        header = default;
        if (offset >= limit) return false;
        if (limit - offset < McapRecordParser.RecordHeaderLength)
            throw Damage(offset, $"truncated record header: {limit - offset} bytes left, a record header needs 9");
        ReadOnlySpan<byte> bytes = Peek(offset, McapRecordParser.RecordHeaderLength);
        byte opcode = bytes[0];
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]);
        long room = limit - offset - McapRecordParser.RecordHeaderLength;
        if (length > (ulong)room)
            throw Damage(offset, $"record (opcode 0x{opcode:x2}) declares {length} content bytes but only {room} remain (truncated or corrupt)");
        header = new McapRecordHeader(opcode, offset, (long)length);
        return true;
    }

    /// <summary>Reads a record's whole content into <paramref name="buffer"/> (grown as needed, up to <paramref name="maxBytes"/>).</summary>
    public ReadOnlySpan<byte> ReadContent(McapRecordHeader header, ref byte[] buffer, long maxBytes)
    {
        if (header.ContentLength > maxBytes)
            throw Damage(header.Offset, $"record (opcode 0x{header.Opcode:x2}) of {header.ContentLength} bytes exceeds the limit of {maxBytes} bytes");
        int length = (int)header.ContentLength;
        if (buffer.Length < length) buffer = GC.AllocateUninitializedArray<byte>((int)Math.Max(length, Math.Min(buffer.Length * 3L / 2, Array.MaxLength)));
        Span<byte> target = buffer.AsSpan(0, length);
        ReadExactly(header.ContentOffset, target);
        return target;
    }

    public void Dispose() => _handle.Dispose();
}
