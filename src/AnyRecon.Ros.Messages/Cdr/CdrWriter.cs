using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace AnyRecon.Ros.Messages.Cdr;

/// <summary>What <see cref="CdrWriter"/> and <see cref="CdrSizer"/> share, so one walk over a message can size it and write it.</summary>
public interface ICdrSink
{
    void WriteByte(byte value);
    void WriteInt8(sbyte value);
    void WriteBool(bool value);
    void WriteInt16(short value);
    void WriteUInt16(ushort value);
    void WriteInt32(int value);
    void WriteUInt32(uint value);
    void WriteInt64(long value);
    void WriteUInt64(ulong value);
    void WriteFloat32(float value);
    void WriteFloat64(double value);
    void WriteSequenceLength(int count);
    void WriteString(string value);
    void WriteWString(string value);
    void WritePrimitives<T>(ReadOnlySpan<T> values) where T : unmanaged;
    void WriteBools(ReadOnlySpan<bool> values);
}

/// <summary>
/// Writes little-endian XCDR1 into a buffer sized up front by <see cref="CdrSizer"/>, so a message is written with
/// one allocation and big arrays are single block copies. Alignment as Fast-CDR: each primitive aligned to its size
/// (8-byte types to 8) from the end of the encapsulation header; padding bytes are zero.
/// </summary>
public ref struct CdrWriter : ICdrSink
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Starts a message in <paramref name="destination"/> and writes the encapsulation header (CDR, little endian).</summary>
    public CdrWriter(Span<byte> destination)
    {
        if (destination.Length < CdrEncapsulation.HeaderSize) throw new ArgumentException("destination is smaller than the encapsulation header", nameof(destination));
        _buffer = destination;
        _buffer[0] = 0;
        _buffer[1] = CdrEncapsulation.CdrLittleEndian;
        _buffer[2] = 0;
        _buffer[3] = 0;
        _position = CdrEncapsulation.HeaderSize;
    }

    /// <summary>
    /// Continues a message already started in <paramref name="message"/> at <paramref name="position"/> (a
    /// <see cref="Position"/> of an earlier writer), so a long message can be written in several steps.
    /// </summary>
    public CdrWriter(Span<byte> message, int position)
    {
        if (position < CdrEncapsulation.HeaderSize || position > message.Length) throw new ArgumentOutOfRangeException(nameof(position));
        _buffer = message;
        _position = position;
    }

    /// <summary>Bytes written so far, header included.</summary>
    public readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Align(int size)
    {
        int pad = (size - ((_position - CdrEncapsulation.HeaderSize) & (size - 1))) & (size - 1);
        if (pad != 0)
        {
            _buffer.Slice(_position, pad).Clear();
            _position += pad;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Advance(int size)
    {
        var span = _buffer.Slice(_position, size);
        _position += size;
        return span;
    }

    public void WriteByte(byte value) => Advance(1)[0] = value;

    public void WriteInt8(sbyte value) => Advance(1)[0] = (byte)value;

    public void WriteBool(bool value) => Advance(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) { Align(2); BinaryPrimitives.WriteInt16LittleEndian(Advance(2), value); }

    public void WriteUInt16(ushort value) { Align(2); BinaryPrimitives.WriteUInt16LittleEndian(Advance(2), value); }

    public void WriteInt32(int value) { Align(4); BinaryPrimitives.WriteInt32LittleEndian(Advance(4), value); }

    public void WriteUInt32(uint value) { Align(4); BinaryPrimitives.WriteUInt32LittleEndian(Advance(4), value); }

    public void WriteInt64(long value) { Align(8); BinaryPrimitives.WriteInt64LittleEndian(Advance(8), value); }

    public void WriteUInt64(ulong value) { Align(8); BinaryPrimitives.WriteUInt64LittleEndian(Advance(8), value); }

    public void WriteFloat32(float value) { Align(4); BinaryPrimitives.WriteSingleLittleEndian(Advance(4), value); }

    public void WriteFloat64(double value) { Align(8); BinaryPrimitives.WriteDoubleLittleEndian(Advance(8), value); }

    public void WriteSequenceLength(int count) => WriteUInt32((uint)count);

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)(length + 1));
        var span = Advance(length + 1);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = 0;
    }

    public void WriteWString(string value)
    {
        WriteUInt32((uint)value.Length);
        foreach (char c in value) WriteUInt32(c);
    }

    /// <summary>Writes primitives as one block copy (this machine is little endian, as is the output).</summary>
    public void WritePrimitives<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        if (values.IsEmpty) return;
        int size = Unsafe.SizeOf<T>();
        if (size > 1) Align(size);
        var bytes = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(Advance(bytes.Length));
    }

    public void WriteBools(ReadOnlySpan<bool> values) => MemoryMarshal.AsBytes(values).CopyTo(Advance(values.Length));

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Advance(bytes.Length));
}

/// <summary>Computes the exact serialized size by walking a message the way <see cref="CdrWriter"/> writes it.</summary>
public struct CdrSizer : ICdrSink
{
    private int _position;

    public CdrSizer() => _position = CdrEncapsulation.HeaderSize;

    /// <summary>Total size so far, header included.</summary>
    public readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int size, int count = 1)
    {
        if (size > 1) _position += (size - ((_position - CdrEncapsulation.HeaderSize) & (size - 1))) & (size - 1);
        _position = checked(_position + size * count);
    }

    public void WriteByte(byte value) => Add(1);

    public void WriteInt8(sbyte value) => Add(1);

    public void WriteBool(bool value) => Add(1);

    public void WriteInt16(short value) => Add(2);

    public void WriteUInt16(ushort value) => Add(2);

    public void WriteInt32(int value) => Add(4);

    public void WriteUInt32(uint value) => Add(4);

    public void WriteInt64(long value) => Add(8);

    public void WriteUInt64(ulong value) => Add(8);

    public void WriteFloat32(float value) => Add(4);

    public void WriteFloat64(double value) => Add(8);

    public void WriteSequenceLength(int count) => Add(4);

    public void WriteString(string value) { Add(4); _position = checked(_position + Encoding.UTF8.GetByteCount(value) + 1); }

    public void WriteWString(string value) { Add(4); _position = checked(_position + 4 * value.Length); }

    public void WritePrimitives<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        if (!values.IsEmpty) Add(Unsafe.SizeOf<T>(), values.Length);
    }

    public void WriteBools(ReadOnlySpan<bool> values) => Add(1, values.Length);

    public void WriteRaw(ReadOnlySpan<byte> bytes) => Add(1, bytes.Length);
}
