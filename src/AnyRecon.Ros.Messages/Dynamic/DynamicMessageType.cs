using AnyRecon.Ros.Messages.Definitions;

namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>A message type resolved for run-time decoding: fields with nested types linked, minimum wire sizes known.</summary>
public sealed class DynamicMessageType
{
    private DynamicMessageType(MessageSpec spec)
    {
        Spec = spec;
        Fields = [];
    }

    public MessageSpec Spec { get; }

    public string FullName => Spec.FullName;

    public IReadOnlyList<DynamicField> Fields { get; private set; }

    /// <summary>A lower bound of the wire size (used to reject impossible sequence counts before allocating).</summary>
    public int MinSize { get; private set; }

    /// <summary>Links <paramref name="rootType"/> and everything it uses; <paramref name="lookup"/> finds a spec by full name.</summary>
    public static DynamicMessageType Resolve(string rootType, Func<string, MessageSpec?> lookup)
    {
        var built = new Dictionary<string, DynamicMessageType>(StringComparer.Ordinal);
        return Build(rootType, lookup, built, new HashSet<string>(StringComparer.Ordinal), rootType);
    }

    private static DynamicMessageType Build(string name, Func<string, MessageSpec?> lookup, Dictionary<string, DynamicMessageType> built, HashSet<string> path, string root)
    {
        if (built.TryGetValue(name, out var done)) return done;
        if (!path.Add(name)) throw new MessageDefinitionException(root, 0, $"{name} contains itself");
        var spec = lookup(name) ?? throw new MessageDefinitionException(root, 0, $"no definition found for {name}");
        var type = new DynamicMessageType(spec);
        var fields = new List<DynamicField>(spec.Fields.Count);
        int minSize = 0;
        foreach (var f in spec.Fields)
        {
            DynamicMessageType? nested = f.Type.Kind == PrimitiveKind.Nested ? Build(f.Type.NestedType!, lookup, built, path, root) : null;
            var field = new DynamicField(f.Name, f.Type, nested);
            fields.Add(field);
            minSize += field.MinSize;
        }
        type.Fields = fields;
        type.MinSize = Math.Max(1, minSize);
        path.Remove(name);
        built[name] = type;
        return type;
    }

    public override string ToString() => FullName;
}

/// <summary>A field of a <see cref="DynamicMessageType"/>.</summary>
public sealed class DynamicField
{
    internal DynamicField(string name, FieldType type, DynamicMessageType? nested)
    {
        Name = name;
        Type = type;
        Nested = nested;
        ElementMinSize = type.Kind switch
        {
            PrimitiveKind.String or PrimitiveKind.WString => 4,
            PrimitiveKind.Nested => nested!.MinSize,
            _ => type.PrimitiveSize,
        };
        MinSize = type.Array switch
        {
            ArrayKind.Fixed => ElementMinSize * type.ArrayLength,
            ArrayKind.None => ElementMinSize,
            _ => 4,
        };
    }

    public string Name { get; }

    public FieldType Type { get; }

    /// <summary>The nested message type, for nested fields.</summary>
    public DynamicMessageType? Nested { get; }

    public int ElementMinSize { get; }

    public int MinSize { get; }
}
