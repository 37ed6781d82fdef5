namespace AnyRecon.Ros.Bags.Tests;

/// <summary>Deterministic topics and messages for round trips (seeded, so failures reproduce).</summary>
internal static class SampleBags
{
    public const long BaseTimeNs = 1_700_000_000_000_000_000;

    private const string ReliableVolatile =
        "- history: 1\n  depth: 10\n  reliability: 1\n  durability: 2\n  deadline:\n    sec: 9223372036\n    nsec: 854775807\n" +
        "  lifespan:\n    sec: 9223372036\n    nsec: 854775807\n  liveliness: 1\n  liveliness_lease_duration:\n    sec: 9223372036\n" +
        "    nsec: 854775807\n  avoid_ros_namespace_conventions: false";

    private const string BestEffortTransientLocal =
        "- history: 1\n  depth: 5\n  reliability: 2\n  durability: 1\n  deadline:\n    sec: 0\n    nsec: 0\n" +
        "  lifespan:\n    sec: 10\n    nsec: 0\n  liveliness: 1\n  liveliness_lease_duration:\n    sec: 0\n" +
        "    nsec: 0\n  avoid_ros_namespace_conventions: false";

    public static readonly IReadOnlyList<TopicMetadata> Topics =
    [
        new("/camera/color/image_raw", "sensor_msgs/msg/Image", "cdr", ReliableVolatile,
            "RIHS01_d31d41a9a4c4bc8eae9be757b0beed306564f7526c88ea6a4588fb9582527d47"),
        new("/imu", "sensor_msgs/msg/Imu", "cdr", ReliableVolatile + "\n" + BestEffortTransientLocal, ""),
        new("chatter", "std_msgs/msg/String", "cdr", "", ""),
    ];

    public static readonly IReadOnlyList<MessageDefinition> Definitions =
    [
        new("sensor_msgs/msg/Image", "ros2msg", "std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data\n"),
        new("sensor_msgs/msg/Imu", "ros2msg", "std_msgs/Header header\ngeometry_msgs/Quaternion orientation\n"),
        new("std_msgs/msg/String", "ros2msg", "string data\n"),
    ];

    /// <summary>Messages in non-decreasing time (some equal), on random topics, with a CDR header and random payload.</summary>
    public static List<SerializedBagMessage> Messages(IReadOnlyList<TopicMetadata> topics, int count, int seed, int maxPayload = 2000, long maxGapNs = 400_000)
    {
        var random = new Random(seed);
        var result = new List<SerializedBagMessage>(count);
        long time = BaseTimeNs;
        for (int i = 0; i < count; i++)
        {
            time += random.NextInt64(0, maxGapNs);
            var data = new byte[4 + random.Next(0, maxPayload)];
            data[1] = 1;
            random.NextBytes(data.AsSpan(4));
            // Half the payloads compress well, half are noise, so compression paths see both.
            if (i % 2 == 0) data.AsSpan(4).Fill((byte)(i & 0x7F));
            result.Add(new SerializedBagMessage(topics[random.Next(topics.Count)], time, time - random.Next(0, 1000), data));
        }
        return result;
    }

    /// <summary>Writes <paramref name="messages"/> in list order as a bag in <paramref name="folder"/> (topics created on first use).</summary>
    public static void WriteBag(string folder, IEnumerable<SerializedBagMessage> messages, BagWriterOptions? options = null)
    {
        using var writer = BagWriter.Create(folder, options);
        foreach (var m in messages) writer.Write(m);
    }
}
