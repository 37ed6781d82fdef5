using AnyRecon.Ros.Messages.Definitions;

namespace AnyRecon.Ros.Messages.Generator;

/// <summary>
/// <c>generator --out DIR [--interfaces ROOT]... [--package NAME=DIR]...</c>: ROOT holds <c>pkg/msg/*.msg</c> and
/// <c>pkg/srv/*.srv</c>; a --package DIR holds <c>msg/*.msg</c> (and <c>srv/*.srv</c>) of package NAME.
/// Writes one C# file per package and a registry of all types.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string? outDir = null;
        var packages = new List<(string Name, string Dir)>();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--out": outDir = value; i++; break;
                case "--interfaces":
                    foreach (var dir in Directory.EnumerateDirectories(value).Order(StringComparer.Ordinal))
                        packages.Add((Path.GetFileName(dir), dir));
                    i++;
                    break;
                case "--package":
                    int eq = value.IndexOf('=');
                    packages.Add((value[..eq], value[(eq + 1)..]));
                    i++;
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (outDir is null) throw new ArgumentException("--out is required");

        try
        {
            var set = InterfaceSet.Load(packages);
            Directory.CreateDirectory(outDir);
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (file, text) in CSharpEmitter.Emit(set))
            {
                string path = Path.Combine(outDir, file);
                written.Add(path);
                // Only touch files that changed so incremental builds stay quick.
                if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
            }
            foreach (var stale in Directory.EnumerateFiles(outDir, "*.g.cs"))
                if (!written.Contains(stale)) File.Delete(stale);
            Console.WriteLine($"rosidl-cs: {set.Messages.Count} message types from {packages.Count} packages -> {outDir}");
            return 0;
        }
        catch (MessageDefinitionException e)
        {
            Console.Error.WriteLine($"error ROSIDL001: {e.Message}");
            return 1;
        }
    }
}

/// <summary>All message specs of the packages, with the source file each came from.</summary>
internal sealed class InterfaceSet
{
    public Dictionary<string, MessageSpec> Messages { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> SourceFile { get; } = new(StringComparer.Ordinal);

    /// <summary>Services as (full name, request, response).</summary>
    public List<(string FullName, MessageSpec Request, MessageSpec Response)> Services { get; } = [];

    public static InterfaceSet Load(IEnumerable<(string Name, string Dir)> packages)
    {
        var set = new InterfaceSet();
        foreach (var (package, dir) in packages)
        {
            foreach (string msg in EnumerateFiles(Path.Combine(dir, "msg"), "*.msg"))
            {
                string fullName = $"{package}/msg/{Path.GetFileNameWithoutExtension(msg)}";
                var spec = MessageDefinitionParser.ParseMessage(fullName, Normalize(File.ReadAllText(msg)));
                set.Add(spec, msg);
            }
            foreach (string srv in EnumerateFiles(Path.Combine(dir, "srv"), "*.srv"))
            {
                string fullName = $"{package}/srv/{Path.GetFileNameWithoutExtension(srv)}";
                var (request, response) = MessageDefinitionParser.ParseService(fullName, Normalize(File.ReadAllText(srv)));
                set.Add(request, srv);
                set.Add(response, srv);
                set.Services.Add((fullName, request, response));
            }
        }
        foreach (var spec in set.Messages.Values)
            foreach (var dep in spec.DirectDependencies)
                if (!set.Messages.ContainsKey(dep))
                    throw new MessageDefinitionException(spec.FullName, 0, $"uses {dep}, which no package defines ({set.SourceFile[spec.FullName]})");
        return set;
    }

    private void Add(MessageSpec spec, string file)
    {
        if (!Messages.TryAdd(spec.FullName, spec))
            throw new MessageDefinitionException(spec.FullName, 0, $"defined twice ({SourceFile[spec.FullName]} and {file})");
        SourceFile[spec.FullName] = file;
    }

    private static IEnumerable<string> EnumerateFiles(string dir, string pattern) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, pattern).Order(StringComparer.Ordinal) : [];

    private static string Normalize(string text)
    {
        text = text.Replace("\r\n", "\n");
        return text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";
    }

    /// <summary>The full ros2msg text: own text, then each dependency (depth-first, first use) after a separator.</summary>
    public string FullDefinition(MessageSpec root)
    {
        var sb = new System.Text.StringBuilder(root.Text);
        var seen = new HashSet<string>(StringComparer.Ordinal) { root.FullName };
        void Visit(MessageSpec spec)
        {
            foreach (var dep in spec.DirectDependencies)
            {
                if (!seen.Add(dep)) continue;
                var depSpec = Messages[dep];
                var parts = dep.Split('/');
                sb.Append(MessageDefinitionParser.BlockSeparator).Append('\n');
                sb.Append("MSG: ").Append(parts[1] == "msg" ? $"{parts[0]}/{parts[2]}" : dep).Append('\n');
                sb.Append(depSpec.Text);
                Visit(depSpec);
            }
        }
        Visit(root);
        return sb.ToString();
    }
}
