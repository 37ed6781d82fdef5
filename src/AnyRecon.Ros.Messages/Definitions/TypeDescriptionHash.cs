using System.Security.Cryptography;
using System.Text;

namespace AnyRecon.Ros.Messages.Definitions;

/// <summary>
/// REP 2011 type description hash (<c>RIHS01_</c> + SHA-256 hex) as Iron and later compute it: the hash of a fixed
/// JSON form of the type's fields and of every type it references (sorted by name), default values left out.
/// Jazzy puts it in rosbag2's <c>type_description_hash</c>, MCAP's <c>topic_type_hash</c> and DDS endpoint USER_DATA.
/// </summary>
public static class TypeDescriptionHash
{
    private const int Nested = 1;
    private const int FixedArrayOffset = 48;
    private const int BoundedSequenceOffset = 96;
    private const int UnboundedSequenceOffset = 144;

    /// <summary>Computes the hash of <paramref name="root"/>; <paramref name="lookup"/> finds referenced types by full name.</summary>
    public static string Compute(MessageSpec root, Func<string, MessageSpec?> lookup)
    {
        var referenced = new SortedDictionary<string, MessageSpec>(StringComparer.Ordinal);
        var stack = new Stack<MessageSpec>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            foreach (var dep in stack.Pop().DirectDependencies)
            {
                if (dep == root.FullName || referenced.ContainsKey(dep)) continue;
                var spec = lookup(dep) ?? throw new MessageDefinitionException(root.FullName, 0, $"cannot hash: no definition for {dep}");
                referenced[dep] = spec;
                stack.Push(spec);
            }
        }

        var json = new StringBuilder();
        json.Append("{\"type_description\": ");
        AppendType(json, root);
        json.Append(", \"referenced_type_descriptions\": [");
        bool first = true;
        foreach (var spec in referenced.Values)
        {
            if (!first) json.Append(", ");
            AppendType(json, spec);
            first = false;
        }
        json.Append("]}");
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(json.ToString()));
        return "RIHS01_" + Convert.ToHexStringLower(digest);
    }

    private static void AppendType(StringBuilder json, MessageSpec spec)
    {
        json.Append("{\"type_name\": ").Append(Quote(spec.FullName)).Append(", \"fields\": [");
        if (spec.Fields.Count == 0)
        {
            // Empty messages carry rosidl's placeholder member in their description too.
            AppendField(json, "structure_needs_at_least_one_member", new FieldType(PrimitiveKind.UInt8, null, 0, ArrayKind.None, 0));
        }
        for (int i = 0; i < spec.Fields.Count; i++)
        {
            if (i > 0) json.Append(", ");
            AppendField(json, spec.Fields[i].Name, spec.Fields[i].Type);
        }
        json.Append("]}");
    }

    private static void AppendField(StringBuilder json, string name, FieldType type)
    {
        int id = TypeId(type);
        int capacity = type.Array is ArrayKind.Fixed or ArrayKind.BoundedSequence ? type.ArrayLength : 0;
        json.Append("{\"name\": ").Append(Quote(name))
            .Append(", \"type\": {\"type_id\": ").Append(id)
            .Append(", \"capacity\": ").Append(capacity)
            .Append(", \"string_capacity\": ").Append(type.StringBound)
            .Append(", \"nested_type_name\": ").Append(Quote(type.NestedType ?? ""))
            .Append("}}");
    }

    /// <summary>type_description_interfaces/FieldType ids: element id, plus 48/96/144 for array/bounded/unbounded sequences.</summary>
    public static int TypeId(FieldType type)
    {
        int element = type.Kind switch
        {
            PrimitiveKind.Nested => Nested,
            PrimitiveKind.Int8 => 2,
            PrimitiveKind.UInt8 or PrimitiveKind.Char => 3, // .msg char is IDL uint8
            PrimitiveKind.Int16 => 4,
            PrimitiveKind.UInt16 => 5,
            PrimitiveKind.Int32 => 6,
            PrimitiveKind.UInt32 => 7,
            PrimitiveKind.Int64 => 8,
            PrimitiveKind.UInt64 => 9,
            PrimitiveKind.Float32 => 10,
            PrimitiveKind.Float64 => 11,
            PrimitiveKind.Bool => 15,
            PrimitiveKind.Byte => 16,
            PrimitiveKind.String => type.StringBound > 0 ? 21 : 17,
            PrimitiveKind.WString => type.StringBound > 0 ? 22 : 18,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        return type.Array switch
        {
            ArrayKind.Fixed => element + FixedArrayOffset,
            ArrayKind.BoundedSequence => element + BoundedSequenceOffset,
            ArrayKind.UnboundedSequence => element + UnboundedSequenceOffset,
            _ => element,
        };
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
