using System.Buffers.Binary;
using System.Text;

namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>A growable byte buffer that serializes MCAP fields (little-endian, length-prefixed strings, bytes and maps).</summary>
internal sealed class McapRecordBuffer(int initialCapacity = 4096)
{
    private byte[] _buffer = new byte[initialCapacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Writes the opcode and a placeholder length; returns where the length goes, for <see cref="EndRecord"/>.</summary>
    public int BeginRecord(McapOpcode opcode)
    {
        U8((byte)opcode);
        int lengthAt = Length;
        U64(0);
        return lengthAt;
    }

    /// <summary>Patches the length written by <see cref="BeginRecord"/>; <paramref name="extra"/> counts content that follows outside this buffer.</summary>
    public void EndRecord(int lengthAt, long extra = 0) =>
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(lengthAt), (ulong)(Length - lengthAt - 8 + extra));

    public void U8(byte value) => Grow(1)[0] = value;

    public void U16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);

    public void String(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        U32((uint)count);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void Bytes32(ReadOnlySpan<byte> value)
    {
        U32(checked((uint)value.Length));
        Raw(value);
    }

    public void Bytes64(ReadOnlySpan<byte> value)
    {
        U64((ulong)value.Length);
        Raw(value);
    }

    public void Raw(ReadOnlySpan<byte> value) => value.CopyTo(Grow(value.Length));

    public void StringMap(IEnumerable<KeyValuePair<string, string>> map)
    {
        int lengthAt = Length;
        U32(0);
        foreach (var (key, value) in map)
        {
            String(key);
            String(value);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(lengthAt), checked((uint)(Length - lengthAt - 4)));
    }

    public void U16U64Map(IEnumerable<KeyValuePair<ushort, ulong>> map)
    {
        int lengthAt = Length;
        U32(0);
        foreach (var (key, value) in map)
        {
            U16(key);
            U64(value);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(lengthAt), checked((uint)(Length - lengthAt - 4)));
    }

    private Span<byte> Grow(int count)
    {
        if (_buffer.Length - Length < count)
        {
            long needed = (long)Length + count;
            if (needed > Array.MaxLength) throw new InvalidOperationException($"an MCAP record buffer cannot hold {needed} bytes");
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2)));
        }
        Span<byte> span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
