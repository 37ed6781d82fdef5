using System.Collections.Concurrent;
using AnyRecon.Ros.Messages.Definitions;

namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>
/// Finds the <see cref="DynamicMessageType"/> for a type name and the definition text a bag or peer carries.
/// The carried text wins (it describes the bytes as they were written, whatever ROS distribution wrote them);
/// types it does not define, or a missing text, fall back to the definitions this assembly ships.
/// </summary>
public sealed class MessageSchemaResolver
{
    private static readonly Lazy<IReadOnlyDictionary<string, MessageSpec>> s_shipped = new(LoadShipped);
    private readonly ConcurrentDictionary<(string Type, string Encoding, string Text), DynamicMessageType> _cache = new();

    /// <summary>A process-wide resolver (its cache is keyed by type and definition text, so sharing is safe).</summary>
    public static MessageSchemaResolver Shared { get; } = new();

    /// <summary>Specs of every type the assembly ships, by full name (<c>pkg/msg/Name</c>).</summary>
    public static IReadOnlyDictionary<string, MessageSpec> Shipped => s_shipped.Value;

    /// <summary>Resolves <paramref name="typeName"/> (<c>pkg/msg/Name</c> or <c>pkg/Name</c>) from <paramref name="definitionText"/>
    /// (<paramref name="encoding"/> <c>ros2msg</c>; empty text or encoding means "use what we ship").</summary>
    public DynamicMessageType Resolve(string typeName, string? encoding = null, string? definitionText = null)
    {
        string full = MessageDefinitionParser.NormalizeRoot(typeName);
        encoding ??= "";
        definitionText ??= "";
        return _cache.GetOrAdd((full, encoding, definitionText), key => Build(key.Type, key.Encoding, key.Text));
    }

    private static DynamicMessageType Build(string typeName, string encoding, string text)
    {
        IReadOnlyDictionary<string, MessageSpec>? carried = null;
        // rosbag2 writes placeholder or empty definitions for some bags; only a text that parses is used.
        if (text.Trim().Length > 0 && encoding is "ros2msg" or "" )
            carried = MessageDefinitionParser.ParseFullDefinition(typeName, text);
        else if (text.Trim().Length > 0 && encoding != "ros2msg" && !Shipped.ContainsKey(typeName))
            throw new MessageDefinitionException(typeName, 0, $"definition encoding '{encoding}' is not supported (only ros2msg), and the type is not shipped");

        MessageSpec? Lookup(string name)
        {
            if (carried is not null && carried.TryGetValue(name, out var spec)) return spec;
            return Shipped.TryGetValue(name, out var shipped) ? shipped : null;
        }

        if (carried is null && !Shipped.ContainsKey(typeName) && !typeName.EndsWith("_Event", StringComparison.Ordinal))
            throw new MessageDefinitionException(typeName, 0, "the bag carries no definition for this type and it is not one we ship");
        if (carried is null && typeName.EndsWith("_Event", StringComparison.Ordinal) && typeName.Contains("/srv/", StringComparison.Ordinal))
        {
            var evt = MessageDefinitionParser.ServiceEvent(typeName[..^"_Event".Length]);
            return DynamicMessageType.Resolve(typeName, n => n == typeName ? evt : Lookup(n));
        }
        return DynamicMessageType.Resolve(typeName, Lookup);
    }

    private static IReadOnlyDictionary<string, MessageSpec> LoadShipped()
    {
        var all = new Dictionary<string, MessageSpec>(StringComparer.Ordinal);
        foreach (var info in MessageTypeRegistry.All)
            foreach (var (name, spec) in MessageDefinitionParser.ParseFullDefinition(info.RosName, info.Definition))
                all.TryAdd(name, spec);
        return all;
    }
}
