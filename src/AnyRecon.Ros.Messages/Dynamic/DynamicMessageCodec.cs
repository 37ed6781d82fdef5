using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Definitions;

namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>Decodes and encodes XCDR1 messages from a <see cref="DynamicMessageType"/> (a definition read at run time).</summary>
public static class DynamicMessageCodec
{
    /// <summary>Decodes a whole serialized message (header included). Bad data raises <see cref="CdrFormatException"/>.</summary>
    public static DynamicMessage Decode(DynamicMessageType type, ReadOnlySpan<byte> serialized) => Decode(type, serialized, out _);

    /// <summary>Decodes and reports how many bytes the message used (the rest is trailing padding, or a sign the definition is wrong).</summary>
    public static DynamicMessage Decode(DynamicMessageType type, ReadOnlySpan<byte> serialized, out int consumed)
    {
        try
        {
            var reader = new CdrReader(serialized);
            var message = ReadMessage(ref reader, type);
            consumed = reader.Position;
            return message;
        }
        catch (CdrFormatException e)
        {
            throw e.WithType(type.FullName);
        }
    }

    /// <summary>Encodes a message to XCDR1, little endian, header included.</summary>
    public static byte[] Encode(DynamicMessage message)
    {
        var sizer = new CdrSizer();
        WriteMessage(ref sizer, message);
        var buffer = GC.AllocateUninitializedArray<byte>(sizer.Position);
        var writer = new CdrWriter(buffer);
        WriteMessage(ref writer, message);
        return buffer;
    }

    private static DynamicMessage ReadMessage(ref CdrReader r, DynamicMessageType type)
    {
        var fields = type.Fields;
        var values = new object?[fields.Count];
        if (fields.Count == 0) r.ReadByte(); // structure_needs_at_least_one_member
        for (int i = 0; i < fields.Count; i++) values[i] = ReadField(ref r, fields[i]);
        return new DynamicMessage(type, values);
    }

    private static object? ReadField(ref CdrReader r, DynamicField field)
    {
        var t = field.Type;
        if (!t.IsArray) return ReadScalar(ref r, field);
        int count;
        if (t.Array == ArrayKind.Fixed)
        {
            count = t.ArrayLength;
            if ((long)count * field.ElementMinSize > r.Remaining)
                throw new CdrFormatException(r.Position, $"fixed array {field.Name}[{count}] needs more than the {r.Remaining} bytes left");
        }
        else
        {
            count = r.ReadSequenceLength(field.ElementMinSize, t.Array == ArrayKind.BoundedSequence ? t.ArrayLength : 0);
        }
        switch (t.Kind)
        {
            case PrimitiveKind.Bool: { var a = new bool[count]; r.ReadBools(a); return a; }
            case PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8: return ReadArray<byte>(ref r, count);
            case PrimitiveKind.Int8: return ReadArray<sbyte>(ref r, count);
            case PrimitiveKind.Int16: return ReadArray<short>(ref r, count);
            case PrimitiveKind.UInt16: return ReadArray<ushort>(ref r, count);
            case PrimitiveKind.Int32: return ReadArray<int>(ref r, count);
            case PrimitiveKind.UInt32: return ReadArray<uint>(ref r, count);
            case PrimitiveKind.Int64: return ReadArray<long>(ref r, count);
            case PrimitiveKind.UInt64: return ReadArray<ulong>(ref r, count);
            case PrimitiveKind.Float32: return ReadArray<float>(ref r, count);
            case PrimitiveKind.Float64: return ReadArray<double>(ref r, count);
            case PrimitiveKind.String or PrimitiveKind.WString:
            {
                var a = new string[count];
                for (int i = 0; i < count; i++) a[i] = (string)ReadScalar(ref r, field)!;
                return a;
            }
            default:
            {
                var a = new DynamicMessage[count];
                for (int i = 0; i < count; i++) a[i] = ReadMessage(ref r, field.Nested!);
                return a;
            }
        }
    }

    private static T[] ReadArray<T>(ref CdrReader r, int count) where T : unmanaged
    {
        if (count == 0) return [];
        var a = GC.AllocateUninitializedArray<T>(count);
        r.ReadPrimitives<T>(a);
        return a;
    }

    private static object? ReadScalar(ref CdrReader r, DynamicField field) => field.Type.Kind switch
    {
        PrimitiveKind.Bool => r.ReadBool(),
        PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => r.ReadByte(),
        PrimitiveKind.Int8 => r.ReadInt8(),
        PrimitiveKind.Int16 => r.ReadInt16(),
        PrimitiveKind.UInt16 => r.ReadUInt16(),
        PrimitiveKind.Int32 => r.ReadInt32(),
        PrimitiveKind.UInt32 => r.ReadUInt32(),
        PrimitiveKind.Int64 => r.ReadInt64(),
        PrimitiveKind.UInt64 => r.ReadUInt64(),
        PrimitiveKind.Float32 => r.ReadFloat32(),
        PrimitiveKind.Float64 => r.ReadFloat64(),
        PrimitiveKind.String => r.ReadString(field.Type.StringBound),
        PrimitiveKind.WString => r.ReadWString(field.Type.StringBound),
        _ => ReadMessage(ref r, field.Nested!),
    };

    private static void WriteMessage<TSink>(ref TSink w, DynamicMessage message) where TSink : ICdrSink, allows ref struct
    {
        var fields = message.Type.Fields;
        if (fields.Count == 0) w.WriteByte(0);
        for (int i = 0; i < fields.Count; i++) WriteField(ref w, fields[i], message.Values[i], message.Type.FullName);
    }

    private static void WriteField<TSink>(ref TSink w, DynamicField field, object? value, string typeName) where TSink : ICdrSink, allows ref struct
    {
        var t = field.Type;
        if (!t.IsArray)
        {
            WriteScalar(ref w, field, value, typeName);
            return;
        }
        if (value is not Array array) throw new ArgumentException($"{typeName}.{field.Name} must be an array, not {value?.GetType().Name ?? "null"}");
        if (t.Array == ArrayKind.Fixed && array.Length != t.ArrayLength)
            throw new ArgumentException($"{typeName}.{field.Name} is a fixed array of {t.ArrayLength} elements but holds {array.Length}");
        if (t.Array == ArrayKind.BoundedSequence && array.Length > t.ArrayLength)
            throw new ArgumentException($"{typeName}.{field.Name} holds {array.Length} elements, above its bound of {t.ArrayLength}");
        if (t.IsSequence) w.WriteSequenceLength(array.Length);
        switch (array)
        {
            case bool[] a: w.WriteBools(a); break;
            case byte[] a: w.WritePrimitives<byte>(a); break;
            case sbyte[] a: w.WritePrimitives<sbyte>(a); break;
            case short[] a: w.WritePrimitives<short>(a); break;
            case ushort[] a: w.WritePrimitives<ushort>(a); break;
            case int[] a: w.WritePrimitives<int>(a); break;
            case uint[] a: w.WritePrimitives<uint>(a); break;
            case long[] a: w.WritePrimitives<long>(a); break;
            case ulong[] a: w.WritePrimitives<ulong>(a); break;
            case float[] a: w.WritePrimitives<float>(a); break;
            case double[] a: w.WritePrimitives<double>(a); break;
            default:
                foreach (var element in array) WriteScalar(ref w, field, element, typeName);
                break;
        }
    }

    private static void WriteScalar<TSink>(ref TSink w, DynamicField field, object? value, string typeName) where TSink : ICdrSink, allows ref struct
    {
        try
        {
            switch (field.Type.Kind)
            {
                case PrimitiveKind.Bool: w.WriteBool(Convert.ToBoolean(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8: w.WriteByte(Convert.ToByte(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Int8: w.WriteInt8(Convert.ToSByte(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Int16: w.WriteInt16(Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.UInt16: w.WriteUInt16(Convert.ToUInt16(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Int32: w.WriteInt32(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.UInt32: w.WriteUInt32(Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Int64: w.WriteInt64(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.UInt64: w.WriteUInt64(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Float32: w.WriteFloat32(Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.Float64: w.WriteFloat64(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case PrimitiveKind.String or PrimitiveKind.WString:
                {
                    string s = value as string ?? throw new ArgumentException($"{typeName}.{field.Name} must be a string");
                    if (field.Type.StringBound > 0 && (field.Type.Kind == PrimitiveKind.String ? System.Text.Encoding.UTF8.GetByteCount(s) : s.Length) > field.Type.StringBound)
                        throw new ArgumentException($"{typeName}.{field.Name} exceeds its bound of {field.Type.StringBound}");
                    if (field.Type.Kind == PrimitiveKind.String) w.WriteString(s); else w.WriteWString(s);
                    break;
                }
                default:
                    if (value is not DynamicMessage nested || nested.Type.FullName != field.Nested!.FullName)
                        throw new ArgumentException($"{typeName}.{field.Name} must be a {field.Nested!.FullName} message");
                    WriteMessage(ref w, nested);
                    break;
            }
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
        {
            throw new ArgumentException($"{typeName}.{field.Name}: {e.Message}", e);
        }
    }
}
