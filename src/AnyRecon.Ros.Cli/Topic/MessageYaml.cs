using System.Globalization;
using AnyRecon.Ros.Messages.Definitions;
using AnyRecon.Ros.Messages.Dynamic;
using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Cli.Topic;

/// <summary>
/// Builds a message from YAML as <c>ros2 topic pub</c> takes it (<c>"{header: {frame_id: map}, pose: {position: {x: 1.0}}}"</c>):
/// fields not named keep their defaults; a <c>builtin_interfaces/Time</c> given as <c>now</c> gets the current time.
/// </summary>
internal static class MessageYaml
{
    public static DynamicMessage Build(DynamicMessageType type, string yaml, Func<long> nowNs)
    {
        var message = Default(type);
        if (string.IsNullOrWhiteSpace(yaml)) return message;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ArgumentException($"values are not YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0) return message;
        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" or "{}" }) return message;
        if (root is not YamlMappingNode mapping) throw new ArgumentException($"values must be a YAML mapping of field names, e.g. \"{{data: 1}}\"; got '{yaml}'");
        Apply(message, mapping, type.FullName, nowNs);
        return message;
    }

    public static DynamicMessage Default(DynamicMessageType type)
    {
        var values = new object?[type.Fields.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var field = type.Fields[i];
            var t = field.Type;
            string? declared = type.Spec.Fields[i].DefaultText;
            values[i] = t.Array switch
            {
                // A default in the definition (geometry_msgs/Quaternion's "float64 w 1") counts, as in rosidl.
                ArrayKind.None when declared is not null && t.Kind is not (PrimitiveKind.Nested or PrimitiveKind.String or PrimitiveKind.WString) =>
                    ParseScalar(t.Kind, declared.Trim(), $"{type.FullName}.{field.Name}"),
                ArrayKind.None when declared is not null && t.Kind is PrimitiveKind.String or PrimitiveKind.WString => declared.Trim().Trim('"', '\''),
                ArrayKind.None => DefaultScalar(field),
                ArrayKind.Fixed => FilledArray(field, t.ArrayLength),
                _ => FilledArray(field, 0),
            };
        }
        return new DynamicMessage(type, values);
    }

    private static object? DefaultScalar(DynamicField field) => field.Type.Kind switch
    {
        PrimitiveKind.Nested => Default(field.Nested!),
        PrimitiveKind.String or PrimitiveKind.WString => "",
        _ => ParseScalar(field.Type.Kind, "0", field.Name),
    };

    private static Array FilledArray(DynamicField field, int length)
    {
        var array = Array.CreateInstance(ElementClrType(field.Type.Kind), length);
        for (int i = 0; i < length; i++) array.SetValue(DefaultScalar(field), i);
        return array;
    }

    private static Type ElementClrType(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => typeof(bool),
        PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => typeof(byte),
        PrimitiveKind.Int8 => typeof(sbyte),
        PrimitiveKind.Int16 => typeof(short),
        PrimitiveKind.UInt16 => typeof(ushort),
        PrimitiveKind.Int32 => typeof(int),
        PrimitiveKind.UInt32 => typeof(uint),
        PrimitiveKind.Int64 => typeof(long),
        PrimitiveKind.UInt64 => typeof(ulong),
        PrimitiveKind.Float32 => typeof(float),
        PrimitiveKind.Float64 => typeof(double),
        PrimitiveKind.String or PrimitiveKind.WString => typeof(string),
        _ => typeof(DynamicMessage),
    };

    private static void Apply(DynamicMessage message, YamlMappingNode mapping, string path, Func<long> nowNs)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            int index = -1;
            for (int i = 0; i < message.Type.Fields.Count; i++)
                if (message.Type.Fields[i].Name == key) index = i;
            if (index < 0)
                throw new ArgumentException($"{message.Type.FullName} has no field '{key}' (fields: {string.Join(", ", message.Type.Fields.Select(f => f.Name))})");
            var field = message.Type.Fields[index];
            message.Values[index] = Value(field, valueNode, $"{path}.{key}", message.Values[index], nowNs);
        }
    }

    private static object? Value(DynamicField field, YamlNode node, string path, object? current, Func<long> nowNs)
    {
        var t = field.Type;
        if (t.IsArray)
        {
            if (node is not YamlSequenceNode sequence) throw new ArgumentException($"{path} is an array: give a YAML list, e.g. [1, 2]");
            if (t.Array == ArrayKind.Fixed && sequence.Children.Count != t.ArrayLength) throw new ArgumentException($"{path} holds exactly {t.ArrayLength} elements, got {sequence.Children.Count}");
            if (t.Array == ArrayKind.BoundedSequence && sequence.Children.Count > t.ArrayLength) throw new ArgumentException($"{path} holds at most {t.ArrayLength} elements, got {sequence.Children.Count}");
            var array = Array.CreateInstance(ElementClrType(t.Kind), sequence.Children.Count);
            for (int i = 0; i < array.Length; i++) array.SetValue(Element(field, sequence.Children[i], $"{path}[{i}]", null, nowNs), i);
            return array;
        }
        return Element(field, node, path, current, nowNs);
    }

    private static object? Element(DynamicField field, YamlNode node, string path, object? current, Func<long> nowNs)
    {
        if (field.Type.Kind == PrimitiveKind.Nested)
        {
            var nested = current as DynamicMessage ?? Default(field.Nested!);
            if (node is YamlScalarNode { Value: "now" or "auto" } && IsTime(field.Nested!)) return Time(field.Nested!, nowNs());
            if (node is YamlScalarNode { Value: "auto" } && field.Nested!.FullName == "std_msgs/msg/Header")
            {
                nested.Values[0] = Time(field.Nested.Fields[0].Nested!, nowNs());
                return nested;
            }
            if (node is not YamlMappingNode map) throw new ArgumentException($"{path} is a {field.Nested!.FullName}: give a YAML mapping");
            Apply(nested, map, path, nowNs);
            return nested;
        }
        if (node is not YamlScalarNode scalar) throw new ArgumentException($"{path} is a {field.Type.Kind}: give a single value");
        string text = scalar.Value ?? "";
        return field.Type.Kind is PrimitiveKind.String or PrimitiveKind.WString ? text : ParseScalar(field.Type.Kind, text, path);
    }

    private static bool IsTime(DynamicMessageType type) => type.FullName == "builtin_interfaces/msg/Time";

    private static DynamicMessage Time(DynamicMessageType type, long ns) =>
        new(type, [(int)(ns / 1_000_000_000), (uint)(ns % 1_000_000_000)]);

    private static object ParseScalar(PrimitiveKind kind, string text, string path)
    {
        var inv = CultureInfo.InvariantCulture;
        try
        {
            return kind switch
            {
                PrimitiveKind.Bool => text.ToLowerInvariant() switch
                {
                    "true" or "yes" or "on" or "1" => true,
                    "false" or "no" or "off" or "0" => false,
                    _ => throw new FormatException(),
                },
                PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => byte.Parse(text, inv),
                PrimitiveKind.Int8 => sbyte.Parse(text, inv),
                PrimitiveKind.Int16 => short.Parse(text, inv),
                PrimitiveKind.UInt16 => ushort.Parse(text, inv),
                PrimitiveKind.Int32 => int.Parse(text, inv),
                PrimitiveKind.UInt32 => uint.Parse(text, inv),
                PrimitiveKind.Int64 => long.Parse(text, inv),
                PrimitiveKind.UInt64 => ulong.Parse(text, inv),
                PrimitiveKind.Float32 => float.Parse(text, NumberStyles.Float, inv),
                PrimitiveKind.Float64 => double.Parse(text, NumberStyles.Float, inv),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"{path}: '{text}' is not a valid {kind.ToString().ToLowerInvariant()}");
        }
    }
}
