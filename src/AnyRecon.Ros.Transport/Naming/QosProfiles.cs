using AnyRecon.Ros.Bags;

namespace AnyRecon.Ros.Transport;

/// <summary>Whether a QoS override is for the publisher or the subscription of a topic.</summary>
public enum EndpointKind { Publisher, Subscription }

/// <summary>
/// The rmw QoS profiles (rmw/qos_profiles.h, the same in Humble and Jazzy), QoS overrides from parameters as rclcpp
/// reads them (<c>qos_overrides.&lt;topic&gt;.&lt;publisher|subscription&gt;.&lt;policy&gt;</c>), and the QoS
/// <c>ros2 bag play</c> gives a recorded topic.
/// </summary>
public static class QosProfiles
{
    private static readonly QosTime s_default = new(0, 0);

    public static QosProfile Default { get; } = Make(QosHistory.KeepLast, 10, QosReliability.Reliable, QosDurability.Volatile);

    public static QosProfile SensorData { get; } = Make(QosHistory.KeepLast, 5, QosReliability.BestEffort, QosDurability.Volatile);

    public static QosProfile Services { get; } = Make(QosHistory.KeepLast, 10, QosReliability.Reliable, QosDurability.Volatile);

    public static QosProfile Parameters { get; } = Make(QosHistory.KeepLast, 1000, QosReliability.Reliable, QosDurability.Volatile);

    /// <summary>A latched topic (maps, /tf_static): a late subscriber still gets the last message.</summary>
    public static QosProfile Latched { get; } = Make(QosHistory.KeepLast, 1, QosReliability.Reliable, QosDurability.TransientLocal);

    public static QosProfile Make(QosHistory history, ulong depth, QosReliability reliability, QosDurability durability) =>
        new(history, depth, reliability, durability, s_default, s_default, QosLiveliness.SystemDefault, s_default, AvoidRosNamespaceConventions: false);

    /// <summary>
    /// <paramref name="profile"/> with the overrides <paramref name="parameters"/> hold for <paramref name="topic"/>
    /// (fully qualified) and <paramref name="kind"/>: history (keep_last, keep_all), depth, reliability (reliable,
    /// best_effort) and durability (volatile, transient_local). Other policies or values are an error naming the parameter.
    /// </summary>
    public static QosProfile ApplyOverrides(QosProfile profile, string topic, EndpointKind kind, IReadOnlyDictionary<string, ParameterValue> parameters)
    {
        string prefix = $"qos_overrides.{topic}.{(kind == EndpointKind.Publisher ? "publisher" : "subscription")}.";
        foreach (var (name, value) in parameters)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string policy = name[prefix.Length..];
            profile = (policy, value.Value) switch
            {
                ("history", "keep_last") => profile with { History = QosHistory.KeepLast },
                ("history", "keep_all") => profile with { History = QosHistory.KeepAll },
                ("depth", long depth) when depth >= 1 => profile with { Depth = (ulong)depth },
                ("reliability", "reliable") => profile with { Reliability = QosReliability.Reliable },
                ("reliability", "best_effort") => profile with { Reliability = QosReliability.BestEffort },
                ("durability", "volatile") => profile with { Durability = QosDurability.Volatile },
                ("durability", "transient_local") => profile with { Durability = QosDurability.TransientLocal },
                _ => throw new ArgumentException($"parameter '{name}': '{value}' is not a supported override (history keep_last|keep_all, depth ≥ 1, reliability reliable|best_effort, durability volatile|transient_local)"),
            };
        }
        return profile;
    }

    /// <summary>
    /// The QoS <c>ros2 bag play</c> publishes a recorded topic with: the recorded publishers' profile when they all agree
    /// on reliability and durability (history forced to keep_last 10), else reliable + volatile keep_last 10, which every
    /// subscriber that accepts best effort or volatile still matches.
    /// </summary>
    public static QosProfile ForPlayback(IReadOnlyList<QosProfile> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.Count > 0 && recorded.All(p => p.Reliability == recorded[0].Reliability && p.Durability == recorded[0].Durability)
            && recorded[0].Reliability is QosReliability.Reliable or QosReliability.BestEffort
            && recorded[0].Durability is QosDurability.Volatile or QosDurability.TransientLocal)
            return Make(QosHistory.KeepLast, 10, recorded[0].Reliability, recorded[0].Durability);
        return Make(QosHistory.KeepLast, 10, QosReliability.Reliable, QosDurability.Volatile);
    }

    /// <summary>
    /// A subscription QoS that matches every publisher offered (ros2 topic echo's and rosbag2 record's choice): reliable
    /// only if all publishers are, transient-local only if all are; <paramref name="fallback"/> when there are none.
    /// </summary>
    public static QosProfile AdaptToPublishers(IReadOnlyList<QosProfile> publishers, QosProfile fallback)
    {
        if (publishers.Count == 0) return fallback;
        bool reliable = publishers.All(p => p.Reliability == QosReliability.Reliable);
        bool transientLocal = publishers.All(p => p.Durability == QosDurability.TransientLocal);
        return fallback with
        {
            Reliability = reliable ? QosReliability.Reliable : QosReliability.BestEffort,
            Durability = transientLocal ? QosDurability.TransientLocal : QosDurability.Volatile,
        };
    }
}
