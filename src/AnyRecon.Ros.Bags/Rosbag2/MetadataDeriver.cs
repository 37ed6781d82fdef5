namespace AnyRecon.Ros.Bags;

/// <summary>
/// Builds bag metadata from the storage files alone, as <c>ros2 bag reindex</c> does: topics merged by name (later files
/// fill in QoS, type and format), counts summed, per-file ranges, custom_data and ros_distro from the latest file.
/// Unlike the 2022 reindexer it computes starting_time and duration over all files, and it recognises both compression modes.
/// </summary>
internal static class MetadataDeriver
{
    /// <summary>How many leading messages must all be zstd frames before a file counts as MESSAGE-compressed.</summary>
    private const int SniffMessages = 8;

    public static BagMetadata Derive(IReadOnlyList<BagFile> files, Func<BagFile, IStorageReader> open)
    {
        var topics = new SortedDictionary<string, TopicInformation>(StringComparer.Ordinal);
        var fileInfos = new List<BagFileInformation>(files.Count);
        long start = long.MaxValue, end = long.MinValue, total = 0;
        var mode = files.Any(f => f.IsFileCompressed) ? BagCompressionMode.File : BagCompressionMode.None;
        string rosDistro = "";
        IReadOnlyDictionary<string, string> customData = new Dictionary<string, string>();
        long latestFileStart = long.MinValue;
        bool sniffed = false;

        foreach (var file in files)
        {
            using var reader = open(file);
            var stats = reader.ReadStatistics();
            long fileStart = stats.MessageCount == 0 ? long.MaxValue : stats.StartTimeNs;
            long fileEnd = stats.MessageCount == 0 ? long.MaxValue : stats.EndTimeNs;
            file.Range = (stats.MessageCount, fileStart, fileEnd);
            string name = Path.GetFileName(file.RelativePath);
            if (file.IsFileCompressed) name = name[..^BagCompression.ZstdExtension.Length];
            fileInfos.Add(new BagFileInformation(name, fileStart, stats.MessageCount == 0 ? 0 : fileEnd - fileStart, stats.MessageCount));
            if (stats.MessageCount > 0)
            {
                start = Math.Min(start, fileStart);
                end = Math.Max(end, fileEnd);
                total += stats.MessageCount;
            }

            // Statistics are per topic name, so a name listed twice in one file's table counts once.
            foreach (var topic in reader.Topics.DistinctBy(t => t.Name, StringComparer.Ordinal))
            {
                long count = stats.MessageCountByTopic.TryGetValue(topic.Name, out long n) ? n : 0;
                if (!topics.TryGetValue(topic.Name, out var known))
                {
                    topics[topic.Name] = new TopicInformation(topic, count);
                    continue;
                }
                var merged = known.Topic with
                {
                    Type = topic.Type.Length > 0 ? topic.Type : known.Topic.Type,
                    SerializationFormat = topic.SerializationFormat.Length > 0 ? topic.SerializationFormat : known.Topic.SerializationFormat,
                    OfferedQosProfiles = topic.OfferedQosProfiles.Length > 0 ? topic.OfferedQosProfiles : known.Topic.OfferedQosProfiles,
                    TypeDescriptionHash = topic.TypeDescriptionHash.Length > 0 ? topic.TypeDescriptionHash : known.Topic.TypeDescriptionHash,
                };
                topics[topic.Name] = new TopicInformation(merged, known.MessageCount + count);
            }

            if (reader is SqliteStorageReader sqlite)
            {
                BagMetadata? embedded = null;
                try
                {
                    embedded = sqlite.ReadEmbeddedMetadata();
                }
                catch (BagFormatException)
                {
                    // The embedded copy is advisory; a damaged one must not make the messages unreadable.
                }
                // rosbag2 takes custom data and distro from the file that starts last.
                if (fileStart >= latestFileStart || latestFileStart == long.MinValue)
                {
                    latestFileStart = fileStart;
                    string distro = sqlite.RosDistro.Length > 0 ? sqlite.RosDistro : embedded?.RosDistro ?? "";
                    if (distro.Length > 0) rosDistro = distro;
                    if (embedded is { CustomData.Count: > 0 }) customData = embedded.CustomData;
                }
                if (mode == BagCompressionMode.None && !sniffed)
                {
                    if (string.Equals(embedded?.CompressionMode, "MESSAGE", StringComparison.OrdinalIgnoreCase))
                    {
                        mode = BagCompressionMode.Message;
                        sniffed = true;
                    }
                    else
                    {
                        var heads = sqlite.ReadLeadingBytes(SniffMessages, BagCompression.ZstdMagic.Length);
                        if (heads.Count > 0)
                        {
                            sniffed = true;
                            if (heads.All(h => h.AsSpan().SequenceEqual(BagCompression.ZstdMagic))) mode = BagCompressionMode.Message;
                        }
                    }
                }
            }
        }

        return new BagMetadata
        {
            Version = BagMetadata.CurrentVersion,
            StorageIdentifier = files[0].StorageId,
            RelativeFilePaths = files.Select(f => Path.GetFileName(f.RelativePath)).ToArray(),
            Files = fileInfos,
            StartingTimeNs = total == 0 ? BagMetadata.NoMessagesStartingTimeNs : start,
            DurationNs = total == 0 ? 0 : end - start,
            MessageCount = total,
            TopicsWithMessageCount = topics.Values.ToArray(),
            CompressionFormat = mode == BagCompressionMode.None ? "" : BagCompression.Zstd,
            CompressionMode = BagCompression.ToMetadataString(mode),
            CustomData = customData,
            RosDistro = rosDistro,
        };
    }
}
