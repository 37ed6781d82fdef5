namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>
/// A message decoded without a generated type. Values are CLR primitives (bool, byte, sbyte, short, ushort, int, uint,
/// long, ulong, float, double), strings, nested <see cref="DynamicMessage"/>s, or arrays of those (<c>byte[]</c> for
/// uint8/byte/char arrays, <c>double[]</c> for float64 arrays, <c>DynamicMessage[]</c>, <c>string[]</c>, ...).
/// </summary>
public sealed class DynamicMessage
{
    public DynamicMessage(DynamicMessageType type, object?[] values)
    {
        if (values.Length != type.Fields.Count) throw new ArgumentException($"{type.FullName} has {type.Fields.Count} fields, got {values.Length} values");
        Type = type;
        Values = values;
    }

    public DynamicMessageType Type { get; }

    /// <summary>Field values in field order.</summary>
    public object?[] Values { get; }

    /// <summary>The value of the field named <paramref name="field"/> (ROS field name).</summary>
    public object? this[string field]
    {
        get
        {
            var fields = Type.Fields;
            for (int i = 0; i < fields.Count; i++)
                if (fields[i].Name == field) return Values[i];
            throw new KeyNotFoundException($"{Type.FullName} has no field '{field}'");
        }
    }

    /// <summary>Follows a dotted path such as <c>header.stamp.sec</c>.</summary>
    public object? Get(string path)
    {
        object? current = this;
        foreach (var part in path.Split('.'))
            current = current is DynamicMessage m ? m[part] : throw new KeyNotFoundException($"'{part}' in '{path}' is not inside a message");
        return current;
    }
}
