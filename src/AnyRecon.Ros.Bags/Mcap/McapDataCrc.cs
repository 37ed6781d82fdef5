using AnyRecon.Ros.Checksums;
namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// Running CRC of the data section (from the first byte of the file) for readers that pass over it in order, checked
/// against the Data End record. Gives up (without error) as soon as bytes arrive out of order.
/// </summary>
internal sealed class McapDataCrc
{
    private const int BlockBytes = 256 * 1024;

    private byte[]? _block;
    private long _next;
    private uint _crc;

    /// <summary>False once a gap or overlap made the running CRC meaningless.</summary>
    public bool Valid { get; private set; } = true;

    public void Invalidate() => Valid = false;

    public void Append(long offset, ReadOnlySpan<byte> bytes)
    {
        if (!Valid) return;
        if (offset != _next)
        {
            Valid = false;
            return;
        }
        _crc = Crc32.Append(_crc, bytes);
        _next += bytes.Length;
    }

    /// <summary>Reads [<paramref name="start"/>, <paramref name="end"/>) from the file in blocks and appends it.</summary>
    public void AppendRange(McapFileSource source, long start, long end)
    {
        if (!Valid || end <= start) return;
        _block ??= new byte[BlockBytes];
        for (long at = start; at < end; at += _block.Length)
        {
            int n = (int)Math.Min(_block.Length, end - at);
            source.ReadExactly(at, _block.AsSpan(0, n));
            Append(at, _block.AsSpan(0, n));
        }
    }

    /// <summary>Checks the Data End record at <paramref name="dataEnd"/> once every byte before it has been appended.</summary>
    public void Check(McapFileSource source, in McapRecordHeader dataEnd)
    {
        if (!Valid || _next != dataEnd.Offset || dataEnd.ContentLength < 4) return;
        uint expected = BitConverter.ToUInt32(source.Peek(dataEnd.ContentOffset, 4));
        if (expected != 0 && expected != _crc)
            throw source.Damage(dataEnd.Offset, $"data section CRC mismatch: Data End says {expected:x8}, the bytes before it give {_crc:x8} (damage somewhere in the data section)");
    }
}
