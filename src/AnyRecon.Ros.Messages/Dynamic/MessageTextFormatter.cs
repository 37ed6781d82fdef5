using System.Globalization;
using System.Text;

namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>
/// Formats a <see cref="DynamicMessage"/> as YAML-like text, as <c>ros2 topic echo</c> does. Arrays longer than
/// <see cref="MaxArrayElements"/> are summarized (first elements and the count) so an image does not flood the terminal.
/// </summary>
public sealed class MessageTextFormatter
{
    public const int DefaultMaxArrayElements = 16;

    /// <summary>Arrays longer than this are cut and summarized. Default <see cref="DefaultMaxArrayElements"/>.</summary>
    public int MaxArrayElements { get; init; } = DefaultMaxArrayElements;

    public string Format(DynamicMessage message)
    {
        var sb = new StringBuilder();
        WriteMessage(sb, message, 0);
        return sb.ToString();
    }

    private void WriteMessage(StringBuilder sb, DynamicMessage message, int indent)
    {
        var fields = message.Type.Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            sb.Append(' ', indent).Append(fields[i].Name).Append(':');
            WriteValue(sb, message.Values[i], indent);
        }
    }

    private void WriteValue(StringBuilder sb, object? value, int indent)
    {
        switch (value)
        {
            case DynamicMessage m:
                sb.Append('\n');
                WriteMessage(sb, m, indent + 2);
                break;
            case DynamicMessage[] messages:
                if (messages.Length == 0) { sb.Append(" []\n"); break; }
                sb.Append('\n');
                int shown = Math.Min(messages.Length, MaxArrayElements);
                for (int i = 0; i < shown; i++)
                {
                    sb.Append(' ', indent).Append("- ");
                    var inner = new StringBuilder();
                    WriteMessage(inner, messages[i], indent + 2);
                    sb.Append(inner.ToString().TrimStart()).Append(inner.Length == 0 ? "{}\n" : "");
                }
                if (messages.Length > shown) sb.Append(' ', indent).Append($"- '... {messages.Length - shown} more ({messages.Length} in all)'\n");
                break;
            case Array array:
                sb.Append(' ').Append(FormatArray(array)).Append('\n');
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private string FormatArray(Array array)
    {
        int n = array.Length;
        int shown = Math.Min(n, MaxArrayElements);
        var parts = new List<string>(shown + 1);
        for (int i = 0; i < shown; i++) parts.Add(Scalar(array.GetValue(i)));
        if (n > shown) parts.Add($"'... {n} elements'");
        return "[" + string.Join(", ", parts) + "]";
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
