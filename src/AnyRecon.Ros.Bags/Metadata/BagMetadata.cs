namespace AnyRecon.Ros.Bags;

/// <summary>A topic and how many messages the bag (or one file) holds on it: a <c>topics_with_message_count</c> entry.</summary>
public sealed record TopicInformation(TopicMetadata Topic, long MessageCount);

/// <summary>One storage file of a bag: a <c>files</c> entry (metadata version 5 and later).</summary>
/// <param name="Path">File name relative to the bag directory. rosbag2 keeps the uncompressed name here in FILE compression mode.</param>
/// <param name="StartingTimeNs">First receive timestamp in the file (<see cref="long.MaxValue"/> when it holds no message).</param>
/// <param name="DurationNs">Last minus first timestamp.</param>
/// <param name="MessageCount">Messages in the file.</param>
public sealed record BagFileInformation(string Path, long StartingTimeNs, long DurationNs, long MessageCount);

/// <summary>
/// What a rosbag2 <c>metadata.yaml</c> says about a bag (the <c>rosbag2_bagfile_information</c> node), versions 1 to 9.
/// Fields a version lacks keep their defaults. Equality compares every field and list element.
/// </summary>
public sealed record BagMetadata
{
    /// <summary>The version rosbag2 writes today and the one <see cref="BagWriter"/> writes.</summary>
    public const int CurrentVersion = 9;

    /// <summary>The starting time rosbag2 writes for a bag without messages.</summary>
    public const long NoMessagesStartingTimeNs = long.MaxValue;

    public int Version { get; init; } = CurrentVersion;

    /// <summary><c>sqlite3</c> or <c>mcap</c>.</summary>
    public string StorageIdentifier { get; init; } = "";

    /// <summary>Storage files in split order, relative to the bag directory (with <c>.zstd</c> in FILE compression mode).</summary>
    public IReadOnlyList<string> RelativeFilePaths { get; init; } = [];

    /// <summary>Per-file information (version 5 and later; empty before).</summary>
    public IReadOnlyList<BagFileInformation> Files { get; init; } = [];

    public long StartingTimeNs { get; init; } = NoMessagesStartingTimeNs;

    public long DurationNs { get; init; }

    public long MessageCount { get; init; }

    public IReadOnlyList<TopicInformation> TopicsWithMessageCount { get; init; } = [];

    /// <summary><c>zstd</c> or empty (version 3 and later).</summary>
    public string CompressionFormat { get; init; } = "";

    /// <summary><c>FILE</c>, <c>MESSAGE</c> or empty (version 3 and later).</summary>
    public string CompressionMode { get; init; } = "";

    /// <summary>Free key/value pairs the recorder was given (version 6 and later).</summary>
    public IReadOnlyDictionary<string, string> CustomData { get; init; } = new Dictionary<string, string>();

    /// <summary>ROS distribution that recorded the bag (version 8 and later; may be empty).</summary>
    public string RosDistro { get; init; } = "";

    /// <summary>Last message time (<see cref="StartingTimeNs"/> + <see cref="DurationNs"/>).</summary>
    public long EndTimeNs => DurationNs <= 0 ? StartingTimeNs : StartingTimeNs + DurationNs;

    public bool Equals(BagMetadata? other) =>
        other is not null
        && Version == other.Version
        && StorageIdentifier == other.StorageIdentifier
        && RelativeFilePaths.SequenceEqual(other.RelativeFilePaths)
        && Files.SequenceEqual(other.Files)
        && StartingTimeNs == other.StartingTimeNs
        && DurationNs == other.DurationNs
        && MessageCount == other.MessageCount
        && TopicsWithMessageCount.SequenceEqual(other.TopicsWithMessageCount)
        && CompressionFormat == other.CompressionFormat
        && CompressionMode == other.CompressionMode
        && CustomData.Count == other.CustomData.Count
        && CustomData.All(kv => other.CustomData.TryGetValue(kv.Key, out var v) && v == kv.Value)
        && RosDistro == other.RosDistro;

    public override int GetHashCode() => HashCode.Combine(Version, StorageIdentifier, StartingTimeNs, DurationNs, MessageCount, TopicsWithMessageCount.Count);
}
