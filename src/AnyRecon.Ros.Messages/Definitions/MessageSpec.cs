namespace AnyRecon.Ros.Messages.Definitions;

/// <summary>The primitive types of the ROS 2 interface language (rosidl), plus the two markers for strings and nested messages.</summary>
public enum PrimitiveKind
{
    Bool,
    Byte,
    Char,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
    String,
    WString,
    /// <summary>A nested message type; see <see cref="FieldType.NestedType"/>.</summary>
    Nested,
}

/// <summary>How a field repeats: once, a fixed array <c>T[N]</c>, a bounded sequence <c>T[&lt;=N]</c>, or an unbounded sequence <c>T[]</c>.</summary>
public enum ArrayKind
{
    None,
    Fixed,
    BoundedSequence,
    UnboundedSequence,
}

/// <summary>A field's type: primitive or nested, with string bound and array shape.</summary>
/// <param name="Kind">The element's primitive kind (or <see cref="PrimitiveKind.Nested"/>).</param>
/// <param name="NestedType">For nested messages, the full name <c>pkg/msg/Name</c>.</param>
/// <param name="StringBound">For <c>string&lt;=N</c>, N; else 0.</param>
/// <param name="Array">Array shape.</param>
/// <param name="ArrayLength">For fixed arrays the length, for bounded sequences the bound; else 0.</param>
public sealed record FieldType(PrimitiveKind Kind, string? NestedType, int StringBound, ArrayKind Array, int ArrayLength)
{
    public bool IsArray => Array != ArrayKind.None;

    public bool IsSequence => Array is ArrayKind.BoundedSequence or ArrayKind.UnboundedSequence;

    /// <summary>The element type (same kind and bound, no array shape).</summary>
    public FieldType Element => this with { Array = ArrayKind.None, ArrayLength = 0 };

    /// <summary>Size in bytes of one element on the wire for fixed-size primitives; 0 for strings and nested types.</summary>
    public int PrimitiveSize => Kind switch
    {
        PrimitiveKind.Bool or PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.Int8 or PrimitiveKind.UInt8 => 1,
        PrimitiveKind.Int16 or PrimitiveKind.UInt16 => 2,
        PrimitiveKind.Int32 or PrimitiveKind.UInt32 or PrimitiveKind.Float32 => 4,
        PrimitiveKind.Int64 or PrimitiveKind.UInt64 or PrimitiveKind.Float64 => 8,
        _ => 0,
    };

    /// <summary>The type as written in a .msg file (e.g. <c>string&lt;=8[&lt;=3]</c>, <c>geometry_msgs/Point[]</c>).</summary>
    public override string ToString()
    {
        string element = Kind switch
        {
            PrimitiveKind.Nested => ShortName(NestedType!),
            PrimitiveKind.String => StringBound > 0 ? $"string<={StringBound}" : "string",
            PrimitiveKind.WString => StringBound > 0 ? $"wstring<={StringBound}" : "wstring",
            _ => MessageDefinitionParser.PrimitiveName(Kind),
        };
        return Array switch
        {
            ArrayKind.Fixed => $"{element}[{ArrayLength}]",
            ArrayKind.BoundedSequence => $"{element}[<={ArrayLength}]",
            ArrayKind.UnboundedSequence => element + "[]",
            _ => element,
        };
    }

    private static string ShortName(string full)
    {
        var parts = full.Split('/');
        return parts.Length == 3 ? parts[0] + "/" + parts[2] : full;
    }
}

/// <summary>A field of a message: name, type and the default value as written (null when none).</summary>
public sealed record FieldSpec(string Name, FieldType Type, string? DefaultText);

/// <summary>A constant of a message: <c>TYPE NAME=VALUE</c>, with the value text as written.</summary>
public sealed record ConstantSpec(string Name, FieldType Type, string ValueText);

/// <summary>One message type parsed from its definition text.</summary>
/// <param name="FullName">The type's full name, <c>pkg/msg/Name</c> (or <c>pkg/srv/Name_Request</c>).</param>
/// <param name="Fields">Fields in wire order. Empty for an empty message (which still carries one byte on the wire).</param>
/// <param name="Constants">Constants in file order.</param>
/// <param name="Text">The definition text this spec was parsed from.</param>
public sealed record MessageSpec(string FullName, IReadOnlyList<FieldSpec> Fields, IReadOnlyList<ConstantSpec> Constants, string Text)
{
    public string Package => FullName[..FullName.IndexOf('/')];

    public string Name => FullName[(FullName.LastIndexOf('/') + 1)..];

    /// <summary>The middle part: <c>msg</c>, <c>srv</c> or <c>action</c>.</summary>
    public string Subfolder
    {
        get
        {
            var parts = FullName.Split('/');
            return parts.Length == 3 ? parts[1] : "msg";
        }
    }

    /// <summary>The DDS type name ROS 2 uses on the wire, e.g. <c>sensor_msgs::msg::dds_::Image_</c>.</summary>
    public string DdsName => $"{Package}::{Subfolder}::dds_::{Name}_";

    /// <summary>Nested types this message uses directly, in field order, without repeats.</summary>
    public IEnumerable<string> DirectDependencies =>
        Fields.Where(f => f.Type.Kind == PrimitiveKind.Nested).Select(f => f.Type.NestedType!).Distinct();
}
