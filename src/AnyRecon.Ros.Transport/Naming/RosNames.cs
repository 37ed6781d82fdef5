using System.Text;

namespace AnyRecon.Ros.Transport;

/// <summary>A ROS name that rcl/rmw would reject; the message says which rule and where.</summary>
public sealed class RosNameException(string message) : ArgumentException(message);

/// <summary>
/// ROS 2 names as rcl and rmw treat them: validation of node names, namespaces and topic names, expansion of relative,
/// private (<c>~</c>) and substituted (<c>{node}</c>, <c>{ns}</c>, <c>{namespace}</c>) topic names to fully qualified
/// ones, and the DDS names a topic, service or message type gets on the wire (<c>rt/</c>, <c>rq/…Request</c>,
/// <c>rr/…Reply</c>, <c>pkg::msg::dds_::Name_</c>).
/// </summary>
public static class RosNames
{
    /// <summary>rmw's limit on a node name.</summary>
    public const int MaxNodeNameLength = 255;

    /// <summary>rmw's limit on a fully qualified topic name: 255 less the longest DDS prefix/suffix it may get.</summary>
    public const int MaxTopicNameLength = 255 - 8;

    /// <summary>rmw's limit on a namespace (room for a node or topic name after it).</summary>
    public const int MaxNamespaceLength = MaxTopicNameLength - 2;

    /// <summary>Throws unless <paramref name="name"/> is a valid node name: letters, digits and '_', not starting with a digit.</summary>
    public static void ValidateNodeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) throw new RosNameException("node name is empty");
        if (name.Length > MaxNodeNameLength) throw new RosNameException($"node name '{name}' is longer than {MaxNodeNameLength} characters");
        if (char.IsAsciiDigit(name[0])) throw new RosNameException($"node name '{name}' starts with a digit");
        for (int i = 0; i < name.Length; i++)
            if (!IsNameChar(name[i])) throw new RosNameException($"node name '{name}' has '{name[i]}' at {i}: only letters, digits and '_' are allowed");
    }

    /// <summary>Throws unless <paramref name="ns"/> is a valid absolute namespace ("/" or "/a/b").</summary>
    public static void ValidateNamespace(string ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns == "/") return;
        if (ns.Length > MaxNamespaceLength) throw new RosNameException($"namespace '{ns}' is longer than {MaxNamespaceLength} characters");
        ValidateAbsoluteTokens(ns, "namespace");
    }

    /// <summary>Throws unless <paramref name="name"/> is a valid fully qualified topic or service name ("/a/b").</summary>
    public static void ValidateFullTopicName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > MaxTopicNameLength) throw new RosNameException($"topic name '{name}' is longer than {MaxTopicNameLength} characters");
        if (name == "/") throw new RosNameException("topic name '/' names no topic");
        ValidateAbsoluteTokens(name, "topic name");
    }

    /// <summary>
    /// Expands a topic or service name as rcl_expand_topic_name does: substitutions first, then "~" to the node's fully
    /// qualified name, then relative names into the node's namespace. The result is fully qualified but, as in rcl, is
    /// only validated by <see cref="ValidateFullTopicName"/> when the caller does so (<see cref="Resolve"/> does).
    /// </summary>
    public static string Expand(string name, string nodeName, string nodeNamespace, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ValidateNodeName(nodeName);
        ValidateNamespace(nodeNamespace);
        ValidateTopicInput(name);
        string fqnNode = nodeNamespace == "/" ? "/" + nodeName : nodeNamespace + "/" + nodeName;
        var expanded = new StringBuilder(name.Length + fqnNode.Length);
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] != '{')
            {
                expanded.Append(name[i]);
                continue;
            }
            int close = name.IndexOf('}', i);
            string key = name[(i + 1)..close];
            string? value = key switch
            {
                "node" => nodeName,
                "ns" or "namespace" => nodeNamespace,
                _ => substitutions is not null && substitutions.TryGetValue(key, out var v) ? v : null,
            };
            expanded.Append(value ?? throw new RosNameException($"topic name '{name}' uses unknown substitution {{{key}}}"));
            i = close;
        }
        string result = expanded.ToString();
        if (result.StartsWith('~')) result = fqnNode + result[1..];
        else if (!result.StartsWith('/')) result = (nodeNamespace == "/" ? "/" : nodeNamespace + "/") + result;
        return result;
    }

    /// <summary><see cref="Expand"/>, then <see cref="ValidateFullTopicName"/>: the name a publisher or subscription uses.</summary>
    public static string Resolve(string name, string nodeName, string nodeNamespace, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        string expanded = Expand(name, nodeName, nodeNamespace, substitutions);
        ValidateFullTopicName(expanded);
        return expanded;
    }

    /// <summary>The DDS topic of a ROS topic: "rt" + its fully qualified name.</summary>
    public static string DdsTopic(string fullyQualifiedName) => "rt" + fullyQualifiedName;

    /// <summary>The DDS topics of a ROS service's requests and replies.</summary>
    public static (string Request, string Reply) DdsServiceTopics(string fullyQualifiedName) => ("rq" + fullyQualifiedName + "Request", "rr" + fullyQualifiedName + "Reply");

    /// <summary>The DDS type name of a ROS type: "pkg/msg/Name" → "pkg::msg::dds_::Name_" (likewise srv and action).</summary>
    public static string DdsTypeName(string rosType)
    {
        ArgumentNullException.ThrowIfNull(rosType);
        var parts = rosType.Split('/');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0)) throw new RosNameException($"type '{rosType}' is not of the form package/msg/Name");
        return $"{parts[0]}::{parts[1]}::dds_::{parts[2]}_";
    }

    /// <summary>The ROS type of a DDS type name: "pkg::msg::dds_::Name_" → "pkg/msg/Name"; null when it is not a ROS type.</summary>
    public static string? RosTypeName(string ddsType)
    {
        var parts = ddsType.Split("::");
        if (parts.Length != 4 || parts[2] != "dds_" || !parts[3].EndsWith('_') || parts[3].Length < 2) return null;
        return $"{parts[0]}/{parts[1]}/{parts[3][..^1]}";
    }

    /// <summary>The ROS topic of a DDS topic ("rt/a/b" → "/a/b"); null for service and non-ROS topics.</summary>
    public static string? RosTopicName(string ddsTopic) => ddsTopic.StartsWith("rt/", StringComparison.Ordinal) ? ddsTopic[2..] : null;

    /// <summary>rcl_validate_topic_name on a name before expansion: "~" only first (alone or before '/'), balanced "{…}", no "//", no trailing '/'.</summary>
    private static void ValidateTopicInput(string name)
    {
        if (name.Length == 0) throw new RosNameException("topic name is empty");
        if (name.EndsWith('/')) throw new RosNameException($"topic name '{name}' ends with '/'");
        if (char.IsAsciiDigit(name[0])) throw new RosNameException($"topic name '{name}' starts with a digit");
        bool inSubstitution = false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '~')
            {
                if (i != 0 || (name.Length > 1 && name[1] != '/')) throw new RosNameException($"topic name '{name}' has '~' at {i}: only '~' or '~/…' at the start");
                continue;
            }
            if (c == '{')
            {
                if (inSubstitution) throw new RosNameException($"topic name '{name}' nests '{{' at {i}");
                inSubstitution = true;
                continue;
            }
            if (c == '}')
            {
                if (!inSubstitution) throw new RosNameException($"topic name '{name}' has an unmatched '}}' at {i}");
                inSubstitution = false;
                continue;
            }
            if (c == '/')
            {
                if (inSubstitution) throw new RosNameException($"topic name '{name}' has '/' inside a substitution at {i}");
                if (i > 0 && name[i - 1] == '/') throw new RosNameException($"topic name '{name}' repeats '/' at {i}");
                if (i + 1 < name.Length && char.IsAsciiDigit(name[i + 1])) throw new RosNameException($"topic name '{name}' has a token starting with a digit at {i + 1}");
                continue;
            }
            if (!IsNameChar(c)) throw new RosNameException($"topic name '{name}' has '{c}' at {i}: only letters, digits, '_', '/', '~' and '{{…}}' are allowed");
        }
        if (inSubstitution) throw new RosNameException($"topic name '{name}' has an unclosed '{{'");
    }

    private static void ValidateAbsoluteTokens(string name, string what)
    {
        if (name.Length == 0 || name[0] != '/') throw new RosNameException($"{what} '{name}' is not absolute (must start with '/')");
        if (name.EndsWith('/')) throw new RosNameException($"{what} '{name}' ends with '/'");
        for (int i = 1; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '/')
            {
                if (name[i - 1] == '/') throw new RosNameException($"{what} '{name}' repeats '/' at {i}");
                continue;
            }
            if (!IsNameChar(c)) throw new RosNameException($"{what} '{name}' has '{c}' at {i}: only letters, digits, '_' and '/' are allowed");
            if (name[i - 1] == '/' && char.IsAsciiDigit(c)) throw new RosNameException($"{what} '{name}' has a token starting with a digit at {i}");
        }
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
