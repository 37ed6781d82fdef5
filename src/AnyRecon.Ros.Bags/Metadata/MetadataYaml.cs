using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Bags;

/// <summary>
/// Reads rosbag2 <c>metadata.yaml</c> versions 1–9 and writes version 9 the way rosbag2 (yaml-cpp) lays it out.
/// Errors are <see cref="BagFormatException"/>s naming the file, the byte offset and the line of the bad node.
/// </summary>
internal static class MetadataYaml
{
    public const string FileName = "metadata.yaml";
    public const string RootKey = "rosbag2_bagfile_information";

    /// <summary>metadata.yaml is a few KiB even for big bags; refuse anything absurd before reading it.</summary>
    public const long MaxFileBytes = 64L << 20;

    public static BagMetadata ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: metadata file not found", path);
        if (info.Length > MaxFileBytes)
            throw new BagFormatException(path, 0, $"metadata file is {info.Length} bytes, above the limit of {MaxFileBytes}");
        return Parse(File.ReadAllText(path, Encoding.UTF8), path, requireRootKey: true);
    }

    /// <summary>Parses metadata text. <paramref name="requireRootKey"/> is false for the sqlite3 <c>metadata</c> table, which stores the inner node.</summary>
    public static BagMetadata Parse(string text, string sourcePath, bool requireRootKey)
    {
        var parser = new Parser(text, sourcePath);
        return parser.Parse(requireRootKey);
    }

    private sealed class Parser(string text, string path)
    {
        public BagMetadata Parse(bool requireRootKey)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw Error(e.Start, "invalid YAML: " + e.Message, e);
            }
            if (stream.Documents.Count == 0) throw new BagFormatException(path, 0, "metadata is empty");
            YamlNode root = stream.Documents[0].RootNode;
            var rootMap = root as YamlMappingNode ?? throw Error(root, "expected a mapping at the top level");
            YamlMappingNode info = rootMap;
            if (requireRootKey || TryGet(rootMap, RootKey, out _))
            {
                info = Get(rootMap, RootKey) as YamlMappingNode ?? throw Error(Get(rootMap, RootKey), $"'{RootKey}' must be a mapping");
            }
            return ParseInfo(info);
        }

        private BagMetadata ParseInfo(YamlMappingNode info)
        {
            int version = checked((int)Int(Get(info, "version"), "version", min: 1));
            string topLevelFormat = TryGet(info, "serialization_format", out var fmt) ? Str(fmt, "serialization_format") : "";
            var topics = new List<TopicInformation>();
            var topicsNode = Get(info, "topics_with_message_count");
            foreach (var item in Seq(topicsNode, "topics_with_message_count"))
                topics.Add(ParseTopicInformation(item, topLevelFormat));

            var metadata = new BagMetadata
            {
                Version = version,
                StorageIdentifier = Str(Get(info, "storage_identifier"), "storage_identifier"),
                RelativeFilePaths = TryGet(info, "relative_file_paths", out var paths)
                    ? Seq(paths, "relative_file_paths").Select(n => Str(n, "relative_file_paths entry")).ToArray()
                    : [],
                DurationNs = TryGet(info, "duration", out var d) ? Int(Get(Map(d, "duration"), "nanoseconds"), "duration.nanoseconds", min: 0) : 0,
                StartingTimeNs = TryGet(info, "starting_time", out var s)
                    ? Int(Get(Map(s, "starting_time"), "nanoseconds_since_epoch"), "starting_time.nanoseconds_since_epoch", min: long.MinValue)
                    : BagMetadata.NoMessagesStartingTimeNs,
                MessageCount = TryGet(info, "message_count", out var c) ? Int(c, "message_count", min: 0) : topics.Sum(t => t.MessageCount),
                TopicsWithMessageCount = topics,
                CompressionFormat = TryGet(info, "compression_format", out var cf) ? Str(cf, "compression_format") : "",
                CompressionMode = TryGet(info, "compression_mode", out var cm) ? Str(cm, "compression_mode") : "",
                Files = TryGet(info, "files", out var files) ? Seq(files, "files").Select(ParseFile).ToArray() : [],
                CustomData = TryGet(info, "custom_data", out var custom) ? ParseCustomData(custom) : new Dictionary<string, string>(),
                RosDistro = TryGet(info, "ros_distro", out var distro) ? Str(distro, "ros_distro") : "",
            };
            return metadata;
        }

        private TopicInformation ParseTopicInformation(YamlNode item, string topLevelFormat)
        {
            var map = Map(item, "topics_with_message_count entry");
            // Version 1 (2018) called the node topic_and_type and kept the format at the top level.
            YamlNode topicNode = TryGet(map, "topic_metadata", out var tm) ? tm
                : TryGet(map, "topic_and_type", out var tt) ? tt
                : throw Error(item, "topic entry has neither 'topic_metadata' nor 'topic_and_type'");
            var topic = Map(topicNode, "topic_metadata");
            string qos = "";
            if (TryGet(topic, "offered_qos_profiles", out var qosNode))
            {
                if (qosNode is YamlSequenceNode)
                {
                    try
                    {
                        qos = QosProfile.FormatList(QosProfile.FromNode(qosNode));
                    }
                    catch (FormatException e)
                    {
                        throw Error(qosNode, e.Message, e);
                    }
                }
                else
                {
                    qos = Str(qosNode, "offered_qos_profiles");
                }
            }
            var metadata = new TopicMetadata(
                Str(Get(topic, "name"), "name"),
                Str(Get(topic, "type"), "type"),
                TryGet(topic, "serialization_format", out var f) ? Str(f, "serialization_format") : topLevelFormat,
                qos,
                TryGet(topic, "type_description_hash", out var h) ? Str(h, "type_description_hash") : "");
            long count = TryGet(map, "message_count", out var n) ? Int(n, "message_count", min: 0) : 0;
            return new TopicInformation(metadata, count);
        }

        private BagFileInformation ParseFile(YamlNode node)
        {
            var map = Map(node, "files entry");
            return new BagFileInformation(
                Str(Get(map, "path"), "path"),
                Int(Get(Map(Get(map, "starting_time"), "starting_time"), "nanoseconds_since_epoch"), "starting_time.nanoseconds_since_epoch", min: long.MinValue),
                Int(Get(Map(Get(map, "duration"), "duration"), "nanoseconds"), "duration.nanoseconds", min: 0),
                Int(Get(map, "message_count"), "message_count", min: 0));
        }

        private Dictionary<string, string> ParseCustomData(YamlNode node)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (IsNull(node)) return result;
            foreach (var (key, value) in Map(node, "custom_data").Children)
            {
                string k = Str(key, "custom_data key");
                if (!result.TryAdd(k, Str(value, "custom_data value"))) throw Error(key, $"custom_data key '{k}' appears twice");
            }
            return result;
        }

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        private static bool TryGet(YamlMappingNode map, string key, out YamlNode value) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out value!);

        private YamlNode Get(YamlMappingNode map, string key) =>
            TryGet(map, key, out var value) ? value : throw Error(map, $"required key '{key}' is missing");

        private YamlMappingNode Map(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Error(node, $"'{what}' must be a mapping");

        private IEnumerable<YamlNode> Seq(YamlNode node, string what)
        {
            if (IsNull(node)) return [];
            return node as YamlSequenceNode ?? throw Error(node, $"'{what}' must be a sequence");
        }

        private string Str(YamlNode node, string what)
        {
            if (node is not YamlScalarNode scalar) throw Error(node, $"'{what}' must be a scalar");
            return IsNull(scalar) ? "" : scalar.Value ?? "";
        }

        private long Int(YamlNode node, string what, long min)
        {
            string text = Str(node, what);
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                string why = ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    ? "is above the largest 64-bit signed value" : "is not an integer";
                throw Error(node, $"'{what}' {why}: '{text}'");
            }
            if (value < min) throw Error(node, $"'{what}' must be at least {min}: '{text}'");
            return value;
        }

        private BagFormatException Error(YamlNode node, string reason, Exception? inner = null) => Error(node.Start, reason, inner);

        private BagFormatException Error(Mark mark, string reason, Exception? inner = null)
        {
            int charIndex = (int)Math.Clamp(mark.Index, 0, text.Length);
            long byteOffset = Encoding.UTF8.GetByteCount(text.AsSpan(0, charIndex));
            return new BagFormatException(path, byteOffset, $"line {mark.Line}, column {mark.Column}: {reason}", inner);
        }
    }

    /// <summary>The whole metadata.yaml text, version 9, laid out as rosbag2's yaml-cpp emitter does.</summary>
    public static string Write(BagMetadata metadata)
    {
        var sb = new StringBuilder(4096);
        sb.Append(RootKey).Append(":\n");
        AppendInfo(sb, metadata, "  ");
        return sb.ToString();
    }

    /// <summary>The inner node only (what rosbag2 stores in the sqlite3 <c>metadata</c> table).</summary>
    public static string WriteInner(BagMetadata metadata)
    {
        var sb = new StringBuilder(4096);
        AppendInfo(sb, metadata, "");
        return sb.ToString().TrimEnd('\n');
    }

    private static void AppendInfo(StringBuilder sb, BagMetadata m, string i)
    {
        string i2 = i + "  ", i4 = i + "    ", i6 = i + "      ";
        Line(sb, i, "version", Num(BagMetadata.CurrentVersion));
        Line(sb, i, "storage_identifier", Scalar(m.StorageIdentifier));
        sb.Append(i).Append("duration:\n");
        Line(sb, i2, "nanoseconds", Num(m.DurationNs));
        sb.Append(i).Append("starting_time:\n");
        Line(sb, i2, "nanoseconds_since_epoch", Num(m.StartingTimeNs));
        Line(sb, i, "message_count", Num(m.MessageCount));
        sb.Append(i).Append("topics_with_message_count:");
        if (m.TopicsWithMessageCount.Count == 0) sb.Append('\n').Append(i2).Append("[]\n");
        else sb.Append('\n');
        foreach (var t in m.TopicsWithMessageCount)
        {
            sb.Append(i2).Append("- topic_metadata:\n");
            Line(sb, i6, "name", Scalar(t.Topic.Name));
            Line(sb, i6, "type", Scalar(t.Topic.Type));
            Line(sb, i6, "serialization_format", Scalar(t.Topic.SerializationFormat));
            AppendQos(sb, i6, t.Topic.OfferedQosProfiles);
            Line(sb, i6, "type_description_hash", Scalar(t.Topic.TypeDescriptionHash));
            Line(sb, i4, "message_count", Num(t.MessageCount));
        }
        Line(sb, i, "compression_format", Scalar(m.CompressionFormat));
        Line(sb, i, "compression_mode", Scalar(m.CompressionMode));
        sb.Append(i).Append("relative_file_paths:\n");
        if (m.RelativeFilePaths.Count == 0) sb.Append(i2).Append("[]\n");
        foreach (string p in m.RelativeFilePaths) sb.Append(i2).Append("- ").Append(Scalar(p)).Append('\n');
        sb.Append(i).Append("files:\n");
        if (m.Files.Count == 0) sb.Append(i2).Append("[]\n");
        foreach (var f in m.Files)
        {
            sb.Append(i2).Append("- path: ").Append(Scalar(f.Path)).Append('\n');
            sb.Append(i4).Append("starting_time:\n");
            Line(sb, i6, "nanoseconds_since_epoch", Num(f.StartingTimeNs));
            sb.Append(i4).Append("duration:\n");
            Line(sb, i6, "nanoseconds", Num(f.DurationNs));
            Line(sb, i4, "message_count", Num(f.MessageCount));
        }
        if (m.CustomData.Count == 0)
        {
            Line(sb, i, "custom_data", "~");
        }
        else
        {
            sb.Append(i).Append("custom_data:\n");
            foreach (var (key, value) in m.CustomData.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                Line(sb, i2, Scalar(key), Scalar(value));
        }
        Line(sb, i, "ros_distro", Scalar(m.RosDistro));
    }

    private static void AppendQos(StringBuilder sb, string indent, string qosText)
    {
        IReadOnlyList<QosProfile> profiles;
        try
        {
            profiles = QosProfile.ParseList(qosText);
        }
        catch (FormatException)
        {
            // Not a profile list we understand: keep the text rather than lose it (version 8 style).
            Line(sb, indent, "offered_qos_profiles", Scalar(qosText));
            return;
        }
        sb.Append(indent).Append("offered_qos_profiles:\n");
        if (profiles.Count == 0)
        {
            sb.Append(indent).Append("  []\n");
            return;
        }
        foreach (var p in profiles)
        {
            p.AppendYaml(sb, indent + "  ", numericPolicies: false, firstLinePrefix: "- ", otherLinePrefix: "  ");
            sb.Append('\n');
        }
    }

    private static void Line(StringBuilder sb, string indent, string key, string value) =>
        sb.Append(indent).Append(key).Append(": ").Append(value).Append('\n');

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A plain scalar when YAML reads it back as the same string, else double-quoted with escapes.</summary>
    internal static string Scalar(string value) => NeedsQuotes(value) ? DoubleQuoted(value) : value;

    private static bool NeedsQuotes(string s)
    {
        if (s.Length == 0) return true;
        if ("-?:,[]{}#&*!|>'\"%@` \t".Contains(s[0])) return true;
        if (char.IsWhiteSpace(s[^1]) || s[^1] == ':') return true;
        if (s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal)) return true;
        foreach (char ch in s)
        {
            if (ch < 0x20 || ch == 0x7F || ch is '\u0085' or '\u2028' or '\u2029' or '\uFEFF') return true;
        }
        if (s is "~" or "null" or "Null" or "NULL"
            or "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO"
            or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
            or "on" or "On" or "ON" or "off" or "Off" or "OFF") return true;
        return LooksNumeric(s);
    }

    private static bool LooksNumeric(string s)
    {
        if (s is ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN") return true;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && s.Length > 2)
            || (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && s.Length > 2);
    }

    private static string DoubleQuoted(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        sb.Append('"');
        foreach (char ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (ch < 0x20 || ch == 0x7F) sb.Append("\\x").Append(((int)ch).ToString("x2", CultureInfo.InvariantCulture));
                    else if (ch is '\u0085' or '\u2028' or '\u2029' or '\uFEFF') sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
