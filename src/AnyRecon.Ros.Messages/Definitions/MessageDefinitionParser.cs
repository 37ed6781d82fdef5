using System.Text;

namespace AnyRecon.Ros.Messages.Definitions;

/// <summary>
/// Parses the ROS 2 interface language (.msg, .srv) and the ros2msg definition text rosbag2 and MCAP store
/// (a type's text, then each dependency after a line of 80 '=' and <c>MSG: pkg/Name</c>).
/// </summary>
public static class MessageDefinitionParser
{
    /// <summary>The separator line between blocks of a full definition text.</summary>
    public static readonly string BlockSeparator = new('=', 80);

    private static readonly Dictionary<string, PrimitiveKind> s_primitives = new(StringComparer.Ordinal)
    {
        ["bool"] = PrimitiveKind.Bool,
        ["byte"] = PrimitiveKind.Byte,
        ["char"] = PrimitiveKind.Char,
        ["int8"] = PrimitiveKind.Int8,
        ["uint8"] = PrimitiveKind.UInt8,
        ["int16"] = PrimitiveKind.Int16,
        ["uint16"] = PrimitiveKind.UInt16,
        ["int32"] = PrimitiveKind.Int32,
        ["uint32"] = PrimitiveKind.UInt32,
        ["int64"] = PrimitiveKind.Int64,
        ["uint64"] = PrimitiveKind.UInt64,
        ["float32"] = PrimitiveKind.Float32,
        ["float64"] = PrimitiveKind.Float64,
        ["string"] = PrimitiveKind.String,
        ["wstring"] = PrimitiveKind.WString,
    };

    public static string PrimitiveName(PrimitiveKind kind) =>
        s_primitives.First(p => p.Value == kind).Key;

    /// <summary>Normalizes a type name to <c>pkg/msg/Name</c> (or keeps <c>pkg/srv/Name_Request</c>); bare names take <paramref name="contextPackage"/>.</summary>
    public static string NormalizeTypeName(string name, string contextPackage)
    {
        var parts = name.Split('/');
        return parts.Length switch
        {
            3 => name,
            2 => $"{parts[0]}/msg/{parts[1]}",
            // ROS 1 definitions (and bags converted from them) use a bare Header for std_msgs/Header.
            1 when name == "Header" => "std_msgs/msg/Header",
            1 => $"{contextPackage}/msg/{name}",
            _ => throw new MessageDefinitionException(name, 0, "type names have the form pkg/Name or pkg/msg/Name"),
        };
    }

    /// <summary>Parses one message's .msg text.</summary>
    public static MessageSpec ParseMessage(string fullName, string text)
    {
        string package = fullName[..Math.Max(0, fullName.IndexOf('/'))];
        if (package.Length == 0) throw new MessageDefinitionException(fullName, 0, "type name has no package");
        var fields = new List<FieldSpec>();
        var constants = new List<ConstantSpec>();
        int lineNumber = 0;
        foreach (string rawLine in SplitLines(text))
        {
            lineNumber++;
            ParseLine(fullName, package, rawLine, lineNumber, fields, constants);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fields)
            if (!names.Add(f.Name)) throw new MessageDefinitionException(fullName, 0, $"field '{f.Name}' appears twice");
        return new MessageSpec(fullName, fields, constants, text);
    }

    /// <summary>Parses a .srv text into its request and response messages (<c>pkg/srv/Name_Request</c>, <c>pkg/srv/Name_Response</c>).</summary>
    public static (MessageSpec Request, MessageSpec Response) ParseService(string serviceFullName, string text)
    {
        var lines = SplitLines(text).ToList();
        int split = lines.FindIndex(l => l.Trim() == "---");
        if (split < 0) throw new MessageDefinitionException(serviceFullName, 0, "a service definition needs a '---' line between request and response");
        string request = string.Join("\n", lines.Take(split));
        string response = string.Join("\n", lines.Skip(split + 1));
        if (request.Length > 0) request += "\n";
        if (response.Length > 0 && !response.EndsWith('\n')) response += "\n";
        return (ParseMessage(serviceFullName + "_Request", request), ParseMessage(serviceFullName + "_Response", response));
    }

    /// <summary>
    /// The service event message ROS 2 (Iron and later) records for <c>pkg/srv/Name</c>:
    /// <c>service_msgs/ServiceEventInfo info</c>, <c>Name_Request[&lt;=1] request</c>, <c>Name_Response[&lt;=1] response</c>.
    /// </summary>
    public static MessageSpec ServiceEvent(string serviceFullName)
    {
        const string info = "service_msgs/msg/ServiceEventInfo";
        var fields = new List<FieldSpec>
        {
            new("info", new FieldType(PrimitiveKind.Nested, info, 0, ArrayKind.None, 0), null),
            new("request", new FieldType(PrimitiveKind.Nested, serviceFullName + "_Request", 0, ArrayKind.BoundedSequence, 1), null),
            new("response", new FieldType(PrimitiveKind.Nested, serviceFullName + "_Response", 0, ArrayKind.BoundedSequence, 1), null),
        };
        string name = serviceFullName[(serviceFullName.LastIndexOf('/') + 1)..];
        string text = $"service_msgs/ServiceEventInfo info\n{name}_Request[<=1] request\n{name}_Response[<=1] response\n";
        return new MessageSpec(serviceFullName + "_Event", fields, [], text);
    }

    /// <summary>
    /// Parses a full ros2msg definition (as MCAP schemas and rosbag2's message_definitions hold it) into every type it defines.
    /// A service event root (<c>pkg/srv/Name_Event</c> whose text is the .srv) yields its request, response and event types.
    /// </summary>
    public static IReadOnlyDictionary<string, MessageSpec> ParseFullDefinition(string rootType, string fullText)
    {
        var result = new Dictionary<string, MessageSpec>(StringComparer.Ordinal);
        var blocks = SplitBlocks(rootType, fullText);
        bool first = true;
        foreach (var (name, text) in blocks)
        {
            string package = name.Split('/')[0];
            string normalized = first ? NormalizeRoot(name) : NormalizeTypeName(name, package);
            if (first && normalized.EndsWith("_Event", StringComparison.Ordinal) && normalized.Contains("/srv/", StringComparison.Ordinal)
                && SplitLines(text).Any(l => l.Trim() == "---"))
            {
                string service = normalized[..^"_Event".Length];
                var (req, resp) = ParseService(service, text);
                result[req.FullName] = req;
                result[resp.FullName] = resp;
                result[normalized] = ServiceEvent(service);
            }
            else if (normalized.Contains("/srv/", StringComparison.Ordinal) && !normalized.EndsWith("_Request", StringComparison.Ordinal)
                && !normalized.EndsWith("_Response", StringComparison.Ordinal) && SplitLines(text).Any(l => l.Trim() == "---"))
            {
                var (req, resp) = ParseService(normalized, text);
                result[req.FullName] = req;
                result[resp.FullName] = resp;
            }
            else
            {
                result[normalized] = ParseMessage(normalized, text);
            }
            first = false;
        }
        return result;
    }

    /// <summary>A root type name as <c>pkg/msg/Name</c> (a <c>pkg/Name</c> spelling gains <c>/msg/</c>; three-part names are kept).</summary>
    public static string NormalizeRoot(string name)
    {
        var parts = name.Split('/');
        return parts.Length == 2 ? $"{parts[0]}/msg/{parts[1]}" : name;
    }

    /// <summary>Splits a full definition into (type name, text) blocks; the first block is the root type.</summary>
    public static List<(string Name, string Text)> SplitBlocks(string rootType, string fullText)
    {
        var blocks = new List<(string, string)>();
        string currentName = rootType;
        var current = new StringBuilder();
        var lines = SplitLines(fullText).ToList();
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i];
            if (line.Length >= 80 && line.TrimEnd().Length == 80 && line.TrimEnd().All(c => c == '='))
            {
                blocks.Add((currentName, current.ToString()));
                current.Clear();
                string header = i + 1 < lines.Count ? lines[i + 1].Trim() : "";
                if (header.StartsWith("MSG:", StringComparison.Ordinal)) currentName = header[4..].Trim();
                else if (header.StartsWith("IDL:", StringComparison.Ordinal))
                    throw new MessageDefinitionException(rootType, i + 2, "IDL blocks inside a ros2msg definition are not supported");
                else throw new MessageDefinitionException(rootType, i + 2, "a separator line must be followed by 'MSG: pkg/Name'");
                i++;
                continue;
            }
            current.Append(line).Append('\n');
        }
        blocks.Add((currentName, current.ToString()));
        return blocks;
    }

    internal static IEnumerable<string> SplitLines(string text)
    {
        if (text.Length == 0) yield break;
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            string line = text[start..end];
            if (line.EndsWith('\r')) line = line[..^1];
            yield return line;
            start = end + 1;
        }
    }

    private static void ParseLine(string typeName, string package, string rawLine, int lineNumber, List<FieldSpec> fields, List<ConstantSpec> constants)
    {
        string line = rawLine.Trim();
        if (line.Length == 0 || line[0] == '#') return;

        int typeEnd = 0;
        while (typeEnd < line.Length && !char.IsWhiteSpace(line[typeEnd])) typeEnd++;
        string typeToken = line[..typeEnd];
        string rest = line[typeEnd..].TrimStart();
        if (rest.Length == 0) throw new MessageDefinitionException(typeName, lineNumber, $"'{typeToken}' has no field name");

        var type = ParseType(typeName, package, typeToken, lineNumber);

        int nameEnd = 0;
        while (nameEnd < rest.Length && (char.IsLetterOrDigit(rest[nameEnd]) || rest[nameEnd] == '_')) nameEnd++;
        string name = rest[..nameEnd];
        if (name.Length == 0 || !char.IsLetter(name[0]))
            throw new MessageDefinitionException(typeName, lineNumber, $"'{rest}' does not start with a valid field name");
        string afterName = rest[nameEnd..].TrimStart();

        if (afterName.StartsWith('='))
        {
            if (type.IsArray || type.Kind == PrimitiveKind.Nested)
                throw new MessageDefinitionException(typeName, lineNumber, $"constant '{name}' must have a primitive or string type");
            string value = afterName[1..];
            // A string constant's value is the rest of the line, '#' included; other constants may carry a comment.
            value = type.Kind is PrimitiveKind.String or PrimitiveKind.WString ? value.Trim() : StripComment(value).Trim();
            if (value.Length == 0 && type.Kind is not (PrimitiveKind.String or PrimitiveKind.WString))
                throw new MessageDefinitionException(typeName, lineNumber, $"constant '{name}' has no value");
            constants.Add(new ConstantSpec(name, type, value));
            return;
        }

        string? defaultText = null;
        if (afterName.Length > 0 && afterName[0] != '#')
        {
            defaultText = ExtractDefault(afterName).Trim();
            if (defaultText.Length == 0) defaultText = null;
        }
        if (defaultText is not null && type.Kind == PrimitiveKind.Nested)
            throw new MessageDefinitionException(typeName, lineNumber, $"field '{name}' of a nested type cannot have a default value");
        fields.Add(new FieldSpec(name, type, defaultText));
    }

    /// <summary>Takes a default value off the rest of a field line, leaving a trailing comment out (quotes may hold '#').</summary>
    private static string ExtractDefault(string text)
    {
        char? quote = null;
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote is char q)
            {
                if (c == '\\') { i++; continue; }
                if (c == q) quote = null;
                continue;
            }
            if (c is '"' or '\'') quote = c;
            else if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == '#' && depth <= 0) return text[..i];
        }
        return text;
    }

    private static string StripComment(string text)
    {
        int hash = text.IndexOf('#');
        return hash < 0 ? text : text[..hash];
    }

    /// <summary>Parses a type token such as <c>uint8</c>, <c>string&lt;=10</c>, <c>float64[9]</c>, <c>geometry_msgs/Point[&lt;=4]</c>.</summary>
    public static FieldType ParseType(string typeName, string package, string token, int lineNumber = 0)
    {
        var array = ArrayKind.None;
        int arrayLength = 0;
        string element = token;
        int bracket = token.IndexOf('[');
        if (bracket >= 0)
        {
            if (!token.EndsWith(']')) throw new MessageDefinitionException(typeName, lineNumber, $"'{token}': array brackets must close");
            string inside = token[(bracket + 1)..^1].Trim();
            element = token[..bracket];
            if (inside.Length == 0) array = ArrayKind.UnboundedSequence;
            else if (inside.StartsWith("<=", StringComparison.Ordinal))
            {
                array = ArrayKind.BoundedSequence;
                arrayLength = ParseBound(typeName, lineNumber, token, inside[2..]);
            }
            else
            {
                array = ArrayKind.Fixed;
                arrayLength = ParseBound(typeName, lineNumber, token, inside);
            }
        }

        int stringBound = 0;
        int boundAt = element.IndexOf("<=", StringComparison.Ordinal);
        if (boundAt >= 0)
        {
            stringBound = ParseBound(typeName, lineNumber, token, element[(boundAt + 2)..]);
            element = element[..boundAt];
            if (element is not ("string" or "wstring"))
                throw new MessageDefinitionException(typeName, lineNumber, $"'{token}': only strings can have an upper bound");
        }

        if (s_primitives.TryGetValue(element, out var kind))
            return new FieldType(kind, null, stringBound, array, arrayLength);
        // ROS 1 builtins that some converted bags still carry.
        if (element is "time" or "duration")
            return new FieldType(PrimitiveKind.Nested, element == "time" ? "builtin_interfaces/msg/Time" : "builtin_interfaces/msg/Duration", 0, array, arrayLength);
        if (element.Length == 0 || !(char.IsLetter(element[0])))
            throw new MessageDefinitionException(typeName, lineNumber, $"'{token}' is not a type");
        return new FieldType(PrimitiveKind.Nested, NormalizeTypeName(element, package), 0, array, arrayLength);
    }

    private static int ParseBound(string typeName, int lineNumber, string token, string text)
    {
        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n <= 0)
            throw new MessageDefinitionException(typeName, lineNumber, $"'{token}': bound '{text}' must be a positive integer");
        return n;
    }
}
