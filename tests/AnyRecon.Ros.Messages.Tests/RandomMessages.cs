using AnyRecon.Ros.Messages.Definitions;
using AnyRecon.Ros.Messages.Dynamic;

namespace AnyRecon.Ros.Messages.Tests;

/// <summary>Random values for any message type, built from its definition (seeded, so failures repeat).</summary>
internal sealed class RandomMessages(int seed, int maxSequence = 5)
{
    private readonly Random _random = new(seed);

    public DynamicMessage Create(DynamicMessageType type)
    {
        var values = new object?[type.Fields.Count];
        for (int i = 0; i < values.Length; i++) values[i] = Field(type.Fields[i]);
        return new DynamicMessage(type, values);
    }

    private object? Field(DynamicField field)
    {
        var t = field.Type;
        if (!t.IsArray) return Scalar(field);
        int n = t.Array switch
        {
            ArrayKind.Fixed => t.ArrayLength,
            ArrayKind.BoundedSequence => _random.Next(t.ArrayLength + 1),
            _ => _random.Next(maxSequence + 1),
        };
        Array array = t.Kind switch
        {
            PrimitiveKind.Bool => new bool[n],
            PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => new byte[n],
            PrimitiveKind.Int8 => new sbyte[n],
            PrimitiveKind.Int16 => new short[n],
            PrimitiveKind.UInt16 => new ushort[n],
            PrimitiveKind.Int32 => new int[n],
            PrimitiveKind.UInt32 => new uint[n],
            PrimitiveKind.Int64 => new long[n],
            PrimitiveKind.UInt64 => new ulong[n],
            PrimitiveKind.Float32 => new float[n],
            PrimitiveKind.Float64 => new double[n],
            PrimitiveKind.String or PrimitiveKind.WString => new string[n],
            _ => new DynamicMessage[n],
        };
        for (int i = 0; i < n; i++) array.SetValue(Scalar(field), i);
        return array;
    }

    private object Scalar(DynamicField field) => field.Type.Kind switch
    {
        PrimitiveKind.Bool => _random.Next(2) == 1,
        PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => (byte)_random.Next(256),
        PrimitiveKind.Int8 => (sbyte)_random.Next(-128, 128),
        PrimitiveKind.Int16 => (short)_random.Next(short.MinValue, short.MaxValue + 1),
        PrimitiveKind.UInt16 => (ushort)_random.Next(ushort.MaxValue + 1),
        PrimitiveKind.Int32 => _random.Next(int.MinValue, int.MaxValue),
        PrimitiveKind.UInt32 => (uint)_random.NextInt64(uint.MaxValue + 1L),
        PrimitiveKind.Int64 => _random.NextInt64(long.MinValue, long.MaxValue),
        PrimitiveKind.UInt64 => (ulong)_random.NextInt64(long.MinValue, long.MaxValue),
        PrimitiveKind.Float32 => (float)(_random.NextDouble() * 2000 - 1000),
        PrimitiveKind.Float64 => _random.NextDouble() * 2e6 - 1e6,
        PrimitiveKind.String => Text(field.Type.StringBound, unicode: true),
        PrimitiveKind.WString => Text(field.Type.StringBound, unicode: false),
        _ => Create(field.Nested!),
    };

    private string Text(int bound, bool unicode)
    {
        const string ascii = "abcdefghijklmnopqrstuvwxyz_/0123456789 ";
        int n = _random.Next((bound > 0 ? bound : 12) + 1);
        var chars = new char[n];
        for (int i = 0; i < n; i++) chars[i] = ascii[_random.Next(ascii.Length)];
        // Add one 2-byte UTF-8 character when the bound allows, so multi-byte text is covered.
        if (unicode && n >= 2 && (bound == 0 || n + 1 <= bound)) chars[0] = 'é';
        return new string(chars);
    }
}
