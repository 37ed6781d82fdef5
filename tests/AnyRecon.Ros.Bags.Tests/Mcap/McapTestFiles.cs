using AnyRecon.Ros.Checksums;
using AnyRecon.Ros.Bags.Mcap;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>A message as a test wrote it, to compare with what a reader yields.</summary>
internal sealed record WrittenMessage(string Topic, uint Sequence, ulong LogTime, ulong PublishTime, byte[] Data)
{
    public static WrittenMessage From(McapMessage m) => new(m.Channel.Topic, m.Sequence, m.LogTime, m.PublishTime, m.Data.ToArray());

    public bool Equals(WrittenMessage? other) =>
        other is not null && Topic == other.Topic && Sequence == other.Sequence && LogTime == other.LogTime
        && PublishTime == other.PublishTime && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Topic, Sequence, LogTime, PublishTime, Data.Length);

    public override string ToString() => $"{Topic}#{Sequence}@{LogTime}/{PublishTime} ({Data.Length} B, crc {Crc32.Compute(Data):x8})";
}

internal static class McapTestFiles
{
    public static readonly string[] Topics = ["/camera/image", "/imu", "/tf"];

    /// <summary>Deterministic messages round-robin over <paramref name="topics"/>, log times 1000 + 10·i, sizes from 0 to <paramref name="maxSize"/>.</summary>
    public static List<WrittenMessage> Generate(int count, int seed = 1, int maxSize = 3000, IReadOnlyList<string>? topics = null)
    {
        topics ??= Topics;
        var random = new Random(seed);
        var messages = new List<WrittenMessage>(count);
        for (int i = 0; i < count; i++)
        {
            byte[] data = new byte[i % 17 == 0 ? 0 : random.Next(1, maxSize + 1)];
            random.NextBytes(data);
            ulong t = 1000 + 10 * (ulong)i;
            messages.Add(new WrittenMessage(topics[i % topics.Count], (uint)i, t, t - 1, data));
        }
        return messages;
    }

    /// <summary>Writes the messages in list order (one schema and channel per topic, created on first use).</summary>
    public static void Write(string path, IEnumerable<WrittenMessage> messages, McapWriterOptions? options = null,
        Action<McapWriter>? extra = null)
    {
        using var writer = new McapWriter(path, options);
        var channels = new Dictionary<string, ushort>();
        foreach (WrittenMessage m in messages)
        {
            if (!channels.TryGetValue(m.Topic, out ushort channel))
            {
                ushort schema = writer.AddSchema("test_msgs/msg/Blob" + channels.Count, "ros2msg", "uint8[] data\n"u8);
                channel = writer.AddChannel(schema, m.Topic, "cdr", new Dictionary<string, string> { ["offered_qos_profiles"] = "" });
                channels[m.Topic] = channel;
            }
            writer.WriteMessage(channel, m.LogTime, m.PublishTime, m.Data, m.Sequence);
        }
        extra?.Invoke(writer);
    }

    public static List<WrittenMessage> ReadAll(string path, McapReaderOptions? options = null, McapMessageQuery? query = null)
    {
        using McapReader reader = McapReader.Open(path, options);
        return reader.ReadMessages(query).Select(WrittenMessage.From).ToList();
    }

    /// <summary>Reads until the end or an exception; returns what was yielded and the exception, if any.</summary>
    public static (List<WrittenMessage> Messages, Exception? Error) ReadUntilError(string path, McapReaderOptions? options = null)
    {
        var messages = new List<WrittenMessage>();
        try
        {
            using McapReader reader = McapReader.Open(path, options);
            foreach (McapMessage m in reader.ReadMessages()) messages.Add(WrittenMessage.From(m));
            return (messages, null);
        }
        catch (Exception e)
        {
            return (messages, e);
        }
    }

    /// <summary>Messages sorted by log time, ties in write order (the order a log-time read must produce).</summary>
    public static List<WrittenMessage> ByTime(IEnumerable<WrittenMessage> messages) => messages.OrderBy(m => m.LogTime).ToList();
}
