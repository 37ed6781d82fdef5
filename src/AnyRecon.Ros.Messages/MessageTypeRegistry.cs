namespace AnyRecon.Ros.Messages;

/// <summary>The generated message types, found by ROS name.</summary>
public static partial class MessageTypeRegistry
{
    private static readonly Lazy<Dictionary<string, MessageTypeInfo>> s_byName = new(() =>
    {
        var map = new Dictionary<string, MessageTypeInfo>(StringComparer.Ordinal);
        foreach (var info in All!) // set by the generated half of this class before first use
        {
            map[info.RosName] = info;
            var parts = info.RosName.Split('/');
            if (parts[1] == "msg") map.TryAdd($"{parts[0]}/{parts[2]}", info);
        }
        return map;
    });

    /// <summary>Finds a shipped type by <c>pkg/msg/Name</c> or <c>pkg/Name</c>.</summary>
    public static bool TryGet(string rosName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessageTypeInfo? info) =>
        s_byName.Value.TryGetValue(rosName, out info);
}
