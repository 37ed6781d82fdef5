using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace AnyRecon.Ros.Messages.Cdr;

/// <summary>
/// Reads XCDR1 (plain CDR) as Fast-CDR and Cyclone DDS write it for ROS 2: primitives aligned to their size
/// (8-byte types to 8) counted from the end of the encapsulation header, uint32 lengths for sequences and strings,
/// strings NUL-terminated. Little and big endian. Trailing bytes after the message are ignored.
/// Every length is checked against the bytes left before anything is allocated.
/// </summary>
public ref struct CdrReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _littleEndian;
    private int _position;

    /// <summary>Starts reading a serialized message, encapsulation header included.</summary>
    public CdrReader(ReadOnlySpan<byte> serialized)
    {
        _littleEndian = CdrEncapsulation.ReadIsLittleEndian(serialized);
        _data = serialized;
        _position = CdrEncapsulation.HeaderSize;
    }

    public readonly bool IsLittleEndian => _littleEndian;

    /// <summary>Current byte offset from the start of the serialized message (header included).</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Align(int size)
    {
        int pad = (size - ((_position - CdrEncapsulation.HeaderSize) & (size - 1))) & (size - 1);
        if (pad != 0)
        {
            // Padding at the very end (a trailing bool after an odd field) may be absent only when nothing follows.
            if (_position + pad > _data.Length) Throw(_position, $"needs {pad} padding bytes, {Remaining} left");
            _position += pad;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int size)
    {
        if ((uint)size > (uint)(_data.Length - _position)) Throw(_position, $"needs {size} bytes, {Remaining} left");
        var span = _data.Slice(_position, size);
        _position += size;
        return span;
    }

    public byte ReadByte() => Take(1)[0];

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool()
    {
        int at = _position;
        byte b = Take(1)[0];
        if (b > 1) Throw(at, $"bool holds {b}, not 0 or 1");
        return b == 1;
    }

    public short ReadInt16() { Align(2); var s = Take(2); return _littleEndian ? BinaryPrimitives.ReadInt16LittleEndian(s) : BinaryPrimitives.ReadInt16BigEndian(s); }

    public ushort ReadUInt16() { Align(2); var s = Take(2); return _littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s); }

    public int ReadInt32() { Align(4); var s = Take(4); return _littleEndian ? BinaryPrimitives.ReadInt32LittleEndian(s) : BinaryPrimitives.ReadInt32BigEndian(s); }

    public uint ReadUInt32() { Align(4); var s = Take(4); return _littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s); }

    public long ReadInt64() { Align(8); var s = Take(8); return _littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(s) : BinaryPrimitives.ReadInt64BigEndian(s); }

    public ulong ReadUInt64() { Align(8); var s = Take(8); return _littleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s); }

    public float ReadFloat32() { Align(4); var s = Take(4); return _littleEndian ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadSingleBigEndian(s); }

    public double ReadFloat64() { Align(8); var s = Take(8); return _littleEndian ? BinaryPrimitives.ReadDoubleLittleEndian(s) : BinaryPrimitives.ReadDoubleBigEndian(s); }

    /// <summary>Reads a sequence length and checks that <paramref name="minElementSize"/> bytes per element can still follow.</summary>
    public int ReadSequenceLength(int minElementSize, int bound = 0)
    {
        int at = _position;
        uint count = ReadUInt32();
        if (bound > 0 && count > (uint)bound) Throw(at, $"sequence of {count} elements exceeds its bound of {bound}");
        // Elements of 8-byte types may need up to 4 bytes of alignment first; the bound stays conservative.
        long needed = (long)count * Math.Max(minElementSize, 1);
        if (needed > Remaining) Throw(at, $"sequence claims {count} elements ({needed} bytes at least) but only {Remaining} bytes are left");
        return (int)count;
    }

    /// <summary>Reads a string (uint32 length including the NUL, bytes, NUL). Invalid UTF-8 is an error.</summary>
    public string ReadString(int bound = 0)
    {
        int at = _position;
        uint length = ReadUInt32();
        if (length == 0) return string.Empty; // some writers send 0 for an empty string
        if (length > (uint)Remaining) Throw(at, $"string claims {length} bytes but only {Remaining} are left");
        var bytes = Take((int)length);
        if (bytes[^1] != 0) Throw(at, "string is not NUL-terminated");
        var content = bytes[..^1];
        if (bound > 0 && content.Length > bound) Throw(at, $"string of {content.Length} bytes exceeds its bound of {bound}");
        try
        {
            return s_strictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            Throw(at, "string is not valid UTF-8");
            return null!;
        }
    }

    /// <summary>Reads a wstring as Fast-CDR and rmw_cyclonedds write it: uint32 character count, then UTF-16 code units of 4 bytes each.</summary>
    public string ReadWString(int bound = 0)
    {
        int at = _position;
        uint count = ReadUInt32();
        if ((long)count * 4 > Remaining) Throw(at, $"wstring claims {count} characters but only {Remaining} bytes are left");
        if (bound > 0 && count > (uint)bound) Throw(at, $"wstring of {count} characters exceeds its bound of {bound}");
        var units = count <= 256 ? stackalloc char[(int)count] : new char[count];
        for (int i = 0; i < units.Length; i++)
        {
            uint unit = ReadUInt32();
            if (unit > 0xFFFF) Throw(_position - 4, $"wstring character 0x{unit:x} is outside UTF-16");
            units[i] = (char)unit;
        }
        return new string(units);
    }

    /// <summary>Copies <paramref name="destination"/>.Length primitives in one block (byte-swapped when the data is big endian).</summary>
    public void ReadPrimitives<T>(Span<T> destination) where T : unmanaged
    {
        if (destination.IsEmpty) return;
        int size = Unsafe.SizeOf<T>();
        if (size > 1) Align(size);
        var source = Take(checked(destination.Length * size));
        source.CopyTo(MemoryMarshal.AsBytes(destination));
        if (size > 1 && _littleEndian != BitConverter.IsLittleEndian) ReverseEndianness(destination);
    }

    /// <summary>Reads an unbounded or bounded sequence of primitives into a new array, checked before allocating.</summary>
    public T[] ReadPrimitiveSequence<T>(int bound = 0) where T : unmanaged
    {
        int count = ReadSequenceLength(Unsafe.SizeOf<T>(), bound);
        if (count == 0) return [];
        var result = GC.AllocateUninitializedArray<T>(count);
        ReadPrimitives<T>(result);
        return result;
    }

    /// <summary>Reads bools in one block, rejecting bytes other than 0 and 1.</summary>
    public void ReadBools(Span<bool> destination)
    {
        int at = _position;
        var source = Take(destination.Length);
        if (source.IndexOfAnyExcept((byte)0, (byte)1) is int bad and >= 0) Throw(at + bad, $"bool holds {source[bad]}, not 0 or 1");
        source.CopyTo(MemoryMarshal.AsBytes(destination));
    }

    public bool[] ReadBoolSequence(int bound = 0)
    {
        int count = ReadSequenceLength(1, bound);
        var result = new bool[count];
        ReadBools(result);
        return result;
    }

    /// <summary>Returns the next <paramref name="length"/> raw bytes without copying.</summary>
    public ReadOnlySpan<byte> ReadRaw(int length) => Take(length);

    private static void ReverseEndianness<T>(Span<T> values) where T : unmanaged
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, ushort>(values), MemoryMarshal.Cast<T, ushort>(values)); break;
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, uint>(values), MemoryMarshal.Cast<T, uint>(values)); break;
            case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, ulong>(values), MemoryMarshal.Cast<T, ulong>(values)); break;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(int offset, string reason) => throw new CdrFormatException(offset, reason);
}
