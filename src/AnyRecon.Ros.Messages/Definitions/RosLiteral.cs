using System.Globalization;
using System.Text;

namespace AnyRecon.Ros.Messages.Definitions;

/// <summary>Parses default values and constants as the ROS 2 interface language writes them (Python-like literals).</summary>
public static class RosLiteral
{
    /// <summary>Parses one scalar value of <paramref name="kind"/>: bool, long, ulong, double or string.</summary>
    public static object ParseScalar(PrimitiveKind kind, string text)
    {
        text = text.Trim();
        switch (kind)
        {
            case PrimitiveKind.Bool:
                return text switch
                {
                    "true" or "True" or "1" => true,
                    "false" or "False" or "0" => false,
                    _ => throw new FormatException($"'{text}' is not a bool"),
                };
            case PrimitiveKind.String:
            case PrimitiveKind.WString:
                return Unquote(text);
            case PrimitiveKind.Float32:
            case PrimitiveKind.Float64:
                return ParseFloat(text);
            case PrimitiveKind.UInt64:
            case PrimitiveKind.UInt32:
            case PrimitiveKind.UInt16:
            case PrimitiveKind.UInt8:
            case PrimitiveKind.Byte:
            case PrimitiveKind.Char:
                if (text.StartsWith('-')) throw new FormatException($"'{text}' is negative for an unsigned type");
                return CheckRange(kind, ParseUnsigned(text));
            case PrimitiveKind.Int8:
            case PrimitiveKind.Int16:
            case PrimitiveKind.Int32:
            case PrimitiveKind.Int64:
                return CheckRange(kind, ParseSigned(text));
            default:
                throw new FormatException($"a {kind} cannot have a literal value");
        }
    }

    /// <summary>Parses an array literal <c>[a, b, c]</c> into its element texts parsed as scalars.</summary>
    public static IReadOnlyList<object> ParseArray(PrimitiveKind kind, string text)
    {
        text = text.Trim();
        if (!text.StartsWith('[') || !text.EndsWith(']')) throw new FormatException($"'{text}' is not an array literal [a, b, ...]");
        var items = new List<object>();
        foreach (string part in SplitTopLevel(text[1..^1]))
        {
            if (part.Trim().Length == 0) continue;
            items.Add(ParseScalar(kind, part));
        }
        return items;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var current = new StringBuilder();
        char? quote = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote is char q)
            {
                current.Append(c);
                if (c == '\\' && i + 1 < text.Length) { current.Append(text[++i]); continue; }
                if (c == q) quote = null;
                continue;
            }
            if (c is '"' or '\'') { quote = c; current.Append(c); continue; }
            if (c == ',') { yield return current.ToString(); current.Clear(); continue; }
            current.Append(c);
        }
        yield return current.ToString();
    }

    private static string Unquote(string text)
    {
        if (text.Length >= 2 && (text[0] == '"' || text[0] == '\'') && text[^1] == text[0])
        {
            var sb = new StringBuilder();
            for (int i = 1; i < text.Length - 1; i++)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < text.Length - 1)
                {
                    char n = text[++i];
                    sb.Append(n switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => n });
                    continue;
                }
                sb.Append(c);
            }
            return sb.ToString();
        }
        return text;
    }

    private static double ParseFloat(string text)
    {
        string t = text.ToLowerInvariant();
        if (t is "inf" or "+inf" or "infinity") return double.PositiveInfinity;
        if (t is "-inf" or "-infinity") return double.NegativeInfinity;
        if (t is "nan") return double.NaN;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
        throw new FormatException($"'{text}' is not a number");
    }

    private static ulong ParseUnsigned(string text)
    {
        string t = text.TrimStart('+');
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ulong.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong h)) return h;
        if (t.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) return Convert.ToUInt64(t[2..], 2);
        if (ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u)) return u;
        throw new FormatException($"'{text}' is not an unsigned integer");
    }

    private static long ParseSigned(string text)
    {
        bool negative = text.StartsWith('-');
        string magnitude = text.TrimStart('-', '+');
        ulong u = ParseUnsigned(magnitude);
        if (negative)
        {
            if (u > (ulong)long.MaxValue + 1) throw new FormatException($"'{text}' is out of range");
            return u == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)u;
        }
        if (u > long.MaxValue) throw new FormatException($"'{text}' is out of range");
        return (long)u;
    }

    private static object CheckRange(PrimitiveKind kind, long value)
    {
        (long min, long max) = kind switch
        {
            PrimitiveKind.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            PrimitiveKind.Int16 => (short.MinValue, short.MaxValue),
            PrimitiveKind.Int32 => (int.MinValue, int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (value < min || value > max) throw new FormatException($"{value} does not fit in {kind}");
        return value;
    }

    private static object CheckRange(PrimitiveKind kind, ulong value)
    {
        ulong max = kind switch
        {
            PrimitiveKind.UInt8 or PrimitiveKind.Byte or PrimitiveKind.Char => byte.MaxValue,
            PrimitiveKind.UInt16 => ushort.MaxValue,
            PrimitiveKind.UInt32 => uint.MaxValue,
            _ => ulong.MaxValue,
        };
        if (value > max) throw new FormatException($"{value} does not fit in {kind}");
        return value;
    }
}
