using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Transport;

/// <summary>A typed ROS 2 parameter value (rcl_interfaces/ParameterType): bool, integer, double, string, or an array of one of them.</summary>
public sealed record ParameterValue(object Value)
{
    public override string ToString() => Value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object>().Select(v => new ParameterValue(v).ToString())) + "]",
        _ => Value.ToString() ?? "",
    };

    /// <summary>A YAML node as ROS 2 reads it: scalars by YAML 1.2 core rules (true/false, integers, floats, else string), sequences of one type.</summary>
    public static ParameterValue FromYaml(YamlNode node, string name)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                return new ParameterValue(Scalar(scalar));
            case YamlSequenceNode sequence:
                var items = sequence.Children.Select(c => c is YamlScalarNode s ? Scalar(s) : throw new ArgumentException($"parameter '{name}': arrays hold scalars only")).ToList();
                if (items.Count == 0) throw new ArgumentException($"parameter '{name}': an empty array has no type");
                if (items.All(i => i is bool)) return new ParameterValue(items.Cast<bool>().ToArray());
                if (items.All(i => i is long)) return new ParameterValue(items.Cast<long>().ToArray());
                if (items.All(i => i is long or double)) return new ParameterValue(items.Select(i => Convert.ToDouble(i, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
                if (items.All(i => i is string)) return new ParameterValue(items.Cast<string>().ToArray());
                throw new ArgumentException($"parameter '{name}': array mixes types ({string.Join(", ", items.Select(i => i.GetType().Name).Distinct())})");
            default:
                throw new ArgumentException($"parameter '{name}': a mapping is not a value");
        }
    }

    /// <summary>A value given on the command line (<c>-p name:=value</c>), read as YAML like rcl does.</summary>
    public static ParameterValue Parse(string text, string name)
    {
        var yaml = new YamlStream();
        try { yaml.Load(new StringReader(text)); }
        catch (YamlDotNet.Core.YamlException e) { throw new ArgumentException($"parameter '{name}': '{text}' is not a YAML value: {e.Message}", e); }
        return yaml.Documents.Count == 0 ? new ParameterValue("") : FromYaml(yaml.Documents[0].RootNode, name);
    }

    private static object Scalar(YamlScalarNode scalar)
    {
        string v = scalar.Value ?? "";
        // Quoted scalars are strings whatever they look like.
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) return v;
        if (v is "true" or "True" or "TRUE") return true;
        if (v is "false" or "False" or "FALSE") return false;
        if (long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long l)) return l;
        if (v.Contains('.') || v.Contains('e') || v.Contains('E') || v is ".inf" or "-.inf" or ".nan")
        {
            if (v is ".inf") return double.PositiveInfinity;
            if (v is "-.inf") return double.NegativeInfinity;
            if (v is ".nan") return double.NaN;
            if (double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)) return d;
        }
        return v;
    }
}

/// <summary>One remap rule, <c>[node:]from:=to</c>; <c>__node</c>/<c>__name</c> and <c>__ns</c> rename the node itself.</summary>
public sealed record RemapRule(string? NodeName, string From, string To);

/// <summary>
/// The ROS arguments of a command line, as rcl_parse_arguments reads them: every <c>--ros-args … [--]</c> section
/// (several may appear) with <c>-r/--remap</c>, <c>-p/--param</c>, <c>--params-file</c>, <c>-e/--enclave</c> and the
/// logging flags; everything outside those sections is left to the program. An unknown flag inside a section is an error.
/// </summary>
public sealed class RosArguments
{
    public List<RemapRule> Remaps { get; } = [];

    /// <summary><c>-p</c> values in order; later ones win, and they win over parameter files.</summary>
    public List<(string Name, ParameterValue Value)> Parameters { get; } = [];

    public List<string> ParameterFiles { get; } = [];

    public string? Enclave { get; private set; }

    public List<string> LogLevels { get; } = [];

    /// <summary>The program's own arguments, in order.</summary>
    public List<string> Unparsed { get; } = [];

    public static RosArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new RosArguments();
        bool inRos = false;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!inRos)
            {
                if (a == "--ros-args") inRos = true;
                else result.Unparsed.Add(a);
                continue;
            }
            switch (a)
            {
                case "--":
                    inRos = false;
                    break;
                case "--ros-args":
                    break;
                case "-r" or "--remap":
                    result.Remaps.Add(ParseRemap(Next(args, ref i, a)));
                    break;
                case "-p" or "--param":
                    string assignment = Next(args, ref i, a);
                    int at = assignment.IndexOf(":=", StringComparison.Ordinal);
                    if (at <= 0) throw new ArgumentException($"{a} '{assignment}': expected name:=value");
                    string name = assignment[..at];
                    result.Parameters.Add((name, ParameterValue.Parse(assignment[(at + 2)..], name)));
                    break;
                case "--params-file":
                    result.ParameterFiles.Add(Next(args, ref i, a));
                    break;
                case "-e" or "--enclave":
                    result.Enclave = Next(args, ref i, a);
                    break;
                case "--log-level":
                    result.LogLevels.Add(Next(args, ref i, a));
                    break;
                case "--log-config-file":
                    Next(args, ref i, a);
                    break;
                case "--enable-rosout-logs" or "--disable-rosout-logs" or "--enable-stdout-logs" or "--disable-stdout-logs"
                    or "--enable-external-lib-logs" or "--disable-external-lib-logs":
                    break;
                default:
                    throw new ArgumentException($"unknown ROS argument '{a}' (known: -r/--remap, -p/--param, --params-file, -e/--enclave, --log-level, --log-config-file, --enable/--disable-*-logs)");
            }
        }
        return result;
    }

    /// <summary>The node's name and namespace after <c>__node</c>/<c>__ns</c> rules (those for this node or for all nodes).</summary>
    public (string Name, string Namespace) ResolveNode(string name, string ns)
    {
        string resolvedName = name, resolvedNs = ns;
        foreach (var rule in Remaps)
        {
            if (rule.NodeName is not null && rule.NodeName != name) continue;
            if (rule.From is "__node" or "__name") resolvedName = rule.To;
            else if (rule.From == "__ns") resolvedNs = rule.To.StartsWith('/') ? rule.To : "/" + rule.To;
        }
        RosNames.ValidateNodeName(resolvedName);
        RosNames.ValidateNamespace(resolvedNs);
        return (resolvedName, resolvedNs);
    }

    /// <summary>
    /// A topic or service name after remapping, as rcl_remap_topic_name: the first rule (for this node or all nodes)
    /// whose expanded <c>from</c> equals the expanded name gives the expanded <c>to</c>; no rule, the expanded name.
    /// </summary>
    public string ResolveTopic(string name, string nodeName, string nodeNamespace)
    {
        string expanded = RosNames.Expand(name, nodeName, nodeNamespace);
        foreach (var rule in Remaps)
        {
            if (rule.From.StartsWith("__", StringComparison.Ordinal)) continue;
            if (rule.NodeName is not null && rule.NodeName != nodeName) continue;
            if (RosNames.Expand(rule.From, nodeName, nodeNamespace) != expanded) continue;
            expanded = RosNames.Expand(rule.To, nodeName, nodeNamespace);
            break;
        }
        RosNames.ValidateFullTopicName(expanded);
        return expanded;
    }

    private static RemapRule ParseRemap(string rule)
    {
        int at = rule.IndexOf(":=", StringComparison.Ordinal);
        if (at <= 0 || at + 2 >= rule.Length) throw new ArgumentException($"remap '{rule}': expected [node:]from:=to");
        string left = rule[..at], to = rule[(at + 2)..];
        string? node = null;
        int colon = left.IndexOf(':');
        if (colon >= 0)
        {
            node = left[..colon];
            left = left[(colon + 1)..];
            RosNames.ValidateNodeName(node);
        }
        return new RemapRule(node, left, to);
    }

    private static string Next(IReadOnlyList<string> args, ref int i, string flag) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{flag} needs a value");
}
