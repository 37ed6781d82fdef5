using System.Globalization;
using System.Text;
using System.Text.Json;
using AnyRecon.Ros.Bags;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary>What <c>anyrecon bag info</c> reports, from the bag's metadata (metadata.yaml, or derived from the files).</summary>
internal sealed record BagInfoReport(
    string Storage,
    IReadOnlyList<string> Files,
    long SizeBytes,
    string RosDistro,
    string CompressionFormat,
    string CompressionMode,
    long StartNs,
    long EndNs,
    long MessageCount,
    IReadOnlyList<BagInfoReport.Topic> Topics)
{
    public sealed record Topic(string Name, string Type, string SerializationFormat, long MessageCount);

    public long DurationNs => EndNs - StartNs;

    public static BagInfoReport From(BagReader reader)
    {
        var m = reader.Metadata;
        bool empty = m.MessageCount == 0 || m.StartingTimeNs == BagMetadata.NoMessagesStartingTimeNs;
        long start = empty ? 0 : m.StartingTimeNs;
        long end = empty ? 0 : m.StartingTimeNs + m.DurationNs;
        long size = reader.FilePaths.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        var files = m.RelativeFilePaths.Count > 0 ? m.RelativeFilePaths : reader.FilePaths.Select(Path.GetFileName).ToArray()!;
        var topics = m.TopicsWithMessageCount
            .Select(t => new Topic(t.Topic.Name, t.Topic.Type, t.Topic.SerializationFormat, t.MessageCount))
            .ToArray();
        return new BagInfoReport(m.StorageIdentifier, files!, size, m.RosDistro, m.CompressionFormat, m.CompressionMode, start, end, m.MessageCount, topics);
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("storage", Storage);
            w.WriteStartArray("files");
            foreach (var f in Files) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteNumber("size_bytes", SizeBytes);
            w.WriteString("ros_distro", RosDistro);
            w.WriteString("compression_format", CompressionFormat);
            w.WriteString("compression_mode", CompressionMode);
            w.WriteNumber("start_ns", StartNs);
            w.WriteNumber("end_ns", EndNs);
            w.WriteNumber("duration_ns", DurationNs);
            w.WriteNumber("message_count", MessageCount);
            w.WriteStartArray("topics");
            foreach (var t in Topics)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("type", t.Type);
                w.WriteString("serialization_format", t.SerializationFormat);
                w.WriteNumber("message_count", t.MessageCount);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The layout of <c>ros2 bag info</c>.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        const string pad = "                   ";
        sb.AppendLine();
        sb.Append("Files:             ").AppendLine(string.Join("\n" + pad, Files));
        sb.Append("Bag size:          ").AppendLine(FormatSize(SizeBytes));
        sb.Append("Storage id:        ").AppendLine(Storage);
        if (RosDistro.Length > 0) sb.Append("ROS Distro:        ").AppendLine(RosDistro);
        if (CompressionFormat.Length > 0) sb.Append("Compression:       ").AppendLine($"{CompressionFormat} ({CompressionMode})");
        sb.Append("Duration:          ").AppendLine($"{DurationNs / 1_000_000_000}.{DurationNs % 1_000_000_000:D9}s");
        sb.Append("Start:             ").AppendLine(BagCommands.FormatTime(StartNs));
        sb.Append("End:               ").AppendLine(BagCommands.FormatTime(EndNs));
        sb.Append("Messages:          ").AppendLine(MessageCount.ToString(CultureInfo.InvariantCulture));
        sb.Append("Topic information: ");
        if (Topics.Count == 0) sb.AppendLine();
        for (int i = 0; i < Topics.Count; i++)
        {
            var t = Topics[i];
            if (i > 0) sb.Append(pad);
            sb.AppendLine($"Topic: {t.Name} | Type: {t.Type} | Count: {t.MessageCount} | Serialization Format: {t.SerializationFormat}");
        }
        return sb.ToString();
    }

    private static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
