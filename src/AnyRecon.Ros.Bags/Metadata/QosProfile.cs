using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Bags;

/// <summary>rmw history policy; numeric values are the rmw enum values rosbag2 wrote up to metadata version 8.</summary>
public enum QosHistory { SystemDefault = 0, KeepLast = 1, KeepAll = 2, Unknown = 3 }

/// <summary>rmw reliability policy (rmw enum values).</summary>
public enum QosReliability { SystemDefault = 0, Reliable = 1, BestEffort = 2, Unknown = 3, BestAvailable = 4 }

/// <summary>rmw durability policy (rmw enum values).</summary>
public enum QosDurability { SystemDefault = 0, TransientLocal = 1, Volatile = 2, Unknown = 3, BestAvailable = 4 }

/// <summary>rmw liveliness policy (rmw enum values; 2 is the deprecated manual-by-node).</summary>
public enum QosLiveliness { SystemDefault = 0, Automatic = 1, ManualByNode = 2, ManualByTopic = 3, Unknown = 4, BestAvailable = 5 }

/// <summary>An rmw_time_t: seconds and nanoseconds as recorded (Foxy-era "infinity" values are kept as written).</summary>
public readonly record struct QosTime(ulong Sec, ulong Nsec);

/// <summary>One publisher's offered QoS as rosbag2 records it in <c>offered_qos_profiles</c>.</summary>
public sealed record QosProfile(
    QosHistory History,
    ulong Depth,
    QosReliability Reliability,
    QosDurability Durability,
    QosTime Deadline,
    QosTime Lifespan,
    QosLiveliness Liveliness,
    QosTime LivelinessLeaseDuration,
    bool AvoidRosNamespaceConventions)
{
    /// <summary>
    /// Parses the <c>offered_qos_profiles</c> text rosbag2 stores (a YAML sequence of profiles). Accepts both the numeric
    /// policies of metadata versions 4–8 and the policy names of version 9; empty text or <c>[]</c> gives no profiles.
    /// </summary>
    /// <exception cref="FormatException">The text is not a sequence of QoS profiles.</exception>
    public static IReadOnlyList<QosProfile> ParseList(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException("offered_qos_profiles is not valid YAML: " + e.Message, e);
        }
        if (stream.Documents.Count == 0) return [];
        return FromNode(stream.Documents[0].RootNode);
    }

    /// <summary>Reads profiles from a YAML sequence node (metadata version 9 writes them as a nested sequence).</summary>
    internal static IReadOnlyList<QosProfile> FromNode(YamlNode node)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" }) return [];
        if (node is not YamlSequenceNode sequence) throw new FormatException("offered_qos_profiles must be a sequence of profiles");
        var result = new List<QosProfile>(sequence.Children.Count);
        foreach (var child in sequence.Children)
        {
            if (child is not YamlMappingNode map) throw new FormatException("a QoS profile must be a mapping");
            result.Add(new QosProfile(
                ParsePolicy(map, "history", s_historyNames, QosHistory.Unknown),
                ParseUInt64(map, "depth"),
                ParsePolicy(map, "reliability", s_reliabilityNames, QosReliability.Unknown),
                ParsePolicy(map, "durability", s_durabilityNames, QosDurability.Unknown),
                ParseTime(map, "deadline"),
                ParseTime(map, "lifespan"),
                ParsePolicy(map, "liveliness", s_livelinessNames, QosLiveliness.Unknown),
                ParseTime(map, "liveliness_lease_duration"),
                ParseBool(map, "avoid_ros_namespace_conventions")));
        }
        return result;
    }

    /// <summary>
    /// Formats profiles as rosbag2 (yaml-cpp) writes the <c>offered_qos_profiles</c> string for metadata versions 4–8:
    /// numeric policies, two-space indents, no trailing newline; no profiles gives the empty string.
    /// </summary>
    public static string FormatList(IReadOnlyList<QosProfile> profiles)
    {
        if (profiles.Count == 0) return "";
        var sb = new StringBuilder(profiles.Count * 300);
        foreach (var p in profiles)
        {
            if (sb.Length > 0) sb.Append('\n');
            p.AppendYaml(sb, "", numericPolicies: true, firstLinePrefix: "- ", otherLinePrefix: "  ");
        }
        return sb.ToString();
    }

    /// <summary>Writes one profile as block-mapping lines; the first line gets <paramref name="firstLinePrefix"/> (the "- ").</summary>
    internal void AppendYaml(StringBuilder sb, string indent, bool numericPolicies, string firstLinePrefix, string otherLinePrefix)
    {
        string first = indent + firstLinePrefix;
        string other = indent + otherLinePrefix;
        string Policy<T>(T value, Dictionary<string, T> names) where T : struct, Enum =>
            numericPolicies ? Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : NameOf(value, names);

        sb.Append(first).Append("history: ").Append(Policy(History, s_historyNames)).Append('\n');
        sb.Append(other).Append("depth: ").Append(Depth.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(other).Append("reliability: ").Append(Policy(Reliability, s_reliabilityNames)).Append('\n');
        sb.Append(other).Append("durability: ").Append(Policy(Durability, s_durabilityNames)).Append('\n');
        AppendTime(sb, other, "deadline", Deadline);
        AppendTime(sb, other, "lifespan", Lifespan);
        sb.Append(other).Append("liveliness: ").Append(Policy(Liveliness, s_livelinessNames)).Append('\n');
        AppendTime(sb, other, "liveliness_lease_duration", LivelinessLeaseDuration);
        sb.Append(other).Append("avoid_ros_namespace_conventions: ").Append(AvoidRosNamespaceConventions ? "true" : "false");
    }

    private static void AppendTime(StringBuilder sb, string prefix, string key, QosTime time)
    {
        sb.Append(prefix).Append(key).Append(":\n");
        sb.Append(prefix).Append("  sec: ").Append(time.Sec.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(prefix).Append("  nsec: ").Append(time.Nsec.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    // Policy names are rmw's (rmw_qos_*_policy_to_str); version 9 metadata writes these instead of numbers.
    private static readonly Dictionary<string, QosHistory> s_historyNames = new(StringComparer.Ordinal)
    {
        ["system_default"] = QosHistory.SystemDefault, ["keep_last"] = QosHistory.KeepLast,
        ["keep_all"] = QosHistory.KeepAll, ["unknown"] = QosHistory.Unknown,
    };

    private static readonly Dictionary<string, QosReliability> s_reliabilityNames = new(StringComparer.Ordinal)
    {
        ["system_default"] = QosReliability.SystemDefault, ["reliable"] = QosReliability.Reliable,
        ["best_effort"] = QosReliability.BestEffort, ["unknown"] = QosReliability.Unknown,
        ["best_available"] = QosReliability.BestAvailable,
    };

    private static readonly Dictionary<string, QosDurability> s_durabilityNames = new(StringComparer.Ordinal)
    {
        ["system_default"] = QosDurability.SystemDefault, ["transient_local"] = QosDurability.TransientLocal,
        ["volatile"] = QosDurability.Volatile, ["unknown"] = QosDurability.Unknown,
        ["best_available"] = QosDurability.BestAvailable,
    };

    private static readonly Dictionary<string, QosLiveliness> s_livelinessNames = new(StringComparer.Ordinal)
    {
        ["system_default"] = QosLiveliness.SystemDefault, ["automatic"] = QosLiveliness.Automatic,
        ["manual_by_node"] = QosLiveliness.ManualByNode, ["manual_by_topic"] = QosLiveliness.ManualByTopic,
        ["unknown"] = QosLiveliness.Unknown, ["best_available"] = QosLiveliness.BestAvailable,
    };

    private static string NameOf<T>(T value, Dictionary<string, T> names) where T : struct, Enum
    {
        foreach (var (name, v) in names)
            if (EqualityComparer<T>.Default.Equals(v, value)) return name;
        return "unknown";
    }

    private static T ParsePolicy<T>(YamlMappingNode map, string key, Dictionary<string, T> names, T unknown) where T : struct, Enum
    {
        string text = Scalar(map, key);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
            return (T)Enum.ToObject(typeof(T), number);
        // rmw maps names it does not know to "unknown"; so do we.
        return names.TryGetValue(text, out var value) ? value : unknown;
    }

    private static QosTime ParseTime(YamlMappingNode map, string key)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlMappingNode time)
            throw new FormatException($"QoS profile field '{key}' must be a mapping with sec and nsec");
        return new QosTime(ParseUInt64(time, "sec"), ParseUInt64(time, "nsec"));
    }

    private static ulong ParseUInt64(YamlMappingNode map, string key)
    {
        string text = Scalar(map, key);
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new FormatException($"QoS profile field '{key}' is not an unsigned integer: '{text}'");
    }

    private static bool ParseBool(YamlMappingNode map, string key)
    {
        string text = Scalar(map, key);
        return text switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw new FormatException($"QoS profile field '{key}' is not a boolean: '{text}'"),
        };
    }

    private static string Scalar(YamlMappingNode map, string key)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
            throw new FormatException($"QoS profile has no '{key}'");
        return node is YamlScalarNode { Value: { } v } ? v : throw new FormatException($"QoS profile field '{key}' must be a scalar");
    }
}
