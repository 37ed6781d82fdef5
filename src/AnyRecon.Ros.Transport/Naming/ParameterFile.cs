using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// ROS 2 parameter files (<c>--params-file</c>), the layout rcl_yaml_param_parser reads: node keys (fully qualified,
/// relative = in the root namespace, nested namespace keys, wildcards <c>*</c> for one token and <c>**</c> for any
/// number) holding <c>ros__parameters</c>, whose nested mappings flatten to dotted names.
/// </summary>
public static class ParameterFile
{
    /// <summary>The parameters a file gives the node <paramref name="nodeName"/> in <paramref name="nodeNamespace"/>, in file order (later entries win).</summary>
    public static List<(string Name, ParameterValue Value)> Load(string path, string nodeName, string nodeNamespace)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            try { yaml.Load(reader); }
            catch (YamlDotNet.Core.YamlException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        }
        var result = new List<(string, ParameterValue)>();
        if (yaml.Documents.Count == 0) return result;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root) throw new InvalidDataException($"{path}: expected node names at the top level");
        var target = Tokens(nodeNamespace == "/" ? "/" + nodeName : nodeNamespace + "/" + nodeName);
        try { Walk(root, "", target, result); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        return result;
    }

    /// <summary>A node's parameters: files in order, then <c>-p</c> values (the command line wins).</summary>
    public static Dictionary<string, ParameterValue> Effective(RosArguments arguments, string nodeName, string nodeNamespace)
    {
        var values = new Dictionary<string, ParameterValue>(StringComparer.Ordinal);
        foreach (string file in arguments.ParameterFiles)
            foreach (var (name, value) in Load(file, nodeName, nodeNamespace)) values[name] = value;
        foreach (var (name, value) in arguments.Parameters) values[name] = value;
        return values;
    }

    private static void Walk(YamlMappingNode mapping, string prefix, string[] target, List<(string, ParameterValue)> into)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "ros__parameters")
            {
                if (!Matches(Tokens(prefix.Length == 0 ? "/" : prefix), target)) continue;
                if (valueNode is not YamlMappingNode parameters) throw new ArgumentException($"'{prefix}': ros__parameters must be a mapping");
                Flatten(parameters, "", into);
                continue;
            }
            if (valueNode is not YamlMappingNode child) throw new ArgumentException($"'{prefix}/{key}': expected a node or namespace mapping");
            string path = key.StartsWith('/') ? (prefix.Length == 0 ? key : prefix + key) : prefix + "/" + key;
            Walk(child, path, target, into);
        }
    }

    private static void Flatten(YamlMappingNode mapping, string prefix, List<(string, ParameterValue)> into)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string name = prefix + ((YamlScalarNode)keyNode).Value;
            if (valueNode is YamlMappingNode nested) Flatten(nested, name + ".", into);
            else into.Add((name, ParameterValue.FromYaml(valueNode, name)));
        }
    }

    private static string[] Tokens(string fullyQualified) => fullyQualified.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Token-wise match: <c>*</c> one token, <c>**</c> any number (zero included).</summary>
    private static bool Matches(ReadOnlySpan<string> pattern, ReadOnlySpan<string> name)
    {
        if (pattern.IsEmpty) return name.IsEmpty;
        if (pattern[0] == "**")
        {
            for (int skip = 0; skip <= name.Length; skip++)
                if (Matches(pattern[1..], name[skip..])) return true;
            return false;
        }
        return !name.IsEmpty && (pattern[0] == "*" || pattern[0] == name[0]) && Matches(pattern[1..], name[1..]);
    }
}
