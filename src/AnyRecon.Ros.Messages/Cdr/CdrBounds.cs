using System.Text;

namespace AnyRecon.Ros.Messages.Cdr;

/// <summary>Checks generated serializers run before writing: fixed arrays must be full, bounded fields within bounds.</summary>
public static class CdrBounds
{
    public static void CheckFixed(string type, string field, int length, int expected)
    {
        if (length != expected) throw new ArgumentException($"{type}.{field} is a fixed array of {expected} elements but holds {length}");
    }

    public static void CheckSequence(string type, string field, int length, int bound)
    {
        if (length > bound) throw new ArgumentException($"{type}.{field} holds {length} elements, above its bound of {bound}");
    }

    public static void CheckString(string type, string field, string value, int bound)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > bound) throw new ArgumentException($"{type}.{field} holds {length} bytes, above its bound of {bound}");
    }
}
