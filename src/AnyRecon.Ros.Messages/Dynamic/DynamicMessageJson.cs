using System.Text.Json;

namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>Writes a <see cref="DynamicMessage"/> as JSON with the ROS field names; byte arrays as arrays of numbers.</summary>
public static class DynamicMessageJson
{
    public static void Write(Utf8JsonWriter writer, DynamicMessage message)
    {
        writer.WriteStartObject();
        var fields = message.Type.Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            writer.WritePropertyName(fields[i].Name);
            WriteValue(writer, message.Values[i]);
        }
        writer.WriteEndObject();
    }

    public static string ToJson(DynamicMessage message)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, message);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case DynamicMessage m: Write(w, m); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case byte v: w.WriteNumberValue(v); break;
            case sbyte v: w.WriteNumberValue(v); break;
            case short v: w.WriteNumberValue(v); break;
            case ushort v: w.WriteNumberValue(v); break;
            case int v: w.WriteNumberValue(v); break;
            case uint v: w.WriteNumberValue(v); break;
            case long v: w.WriteNumberValue(v); break;
            case ulong v: w.WriteNumberValue(v); break;
            case float v: WriteFloat(w, v, float.IsFinite(v)); break;
            case double v: WriteFloat(w, v, double.IsFinite(v)); break;
            case byte[] bytes:
                w.WriteStartArray();
                foreach (byte b in bytes) w.WriteNumberValue(b);
                w.WriteEndArray();
                break;
            case Array array:
                w.WriteStartArray();
                foreach (var item in array) WriteValue(w, item);
                w.WriteEndArray();
                break;
            default: throw new ArgumentException($"cannot write a {value.GetType().Name} as JSON");
        }
    }

    private static void WriteFloat(Utf8JsonWriter w, double v, bool finite)
    {
        // JSON has no NaN or infinity; write them as the strings .NET and Python's json module use.
        if (finite) w.WriteNumberValue(v);
        else w.WriteStringValue(double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }

    private static void WriteFloat(Utf8JsonWriter w, float v, bool finite)
    {
        if (finite) w.WriteNumberValue(v);
        else w.WriteStringValue(float.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }
}
