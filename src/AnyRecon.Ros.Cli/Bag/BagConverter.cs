using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Definitions;
using AnyRecon.Ros.Messages.Dynamic;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary>Copies bags between storages and compressions, keeping topics, QoS, definitions and timestamps.</summary>
internal static class BagConverter
{
    public readonly record struct Result(long MessageCount, int TopicCount);

    /// <summary>Copies <paramref name="input"/> into a new bag at <paramref name="outputDirectory"/> in <paramref name="storage"/>.</summary>
    /// <param name="input">Source bag.</param>
    /// <param name="outputDirectory">New bag directory.</param>
    /// <param name="storage">mcap or sqlite3.</param>
    /// <param name="zstd">null: the storage's default (zstd MCAP chunks; plain sqlite3); true: zstd MCAP chunks or zstd per sqlite3 message; false: none.</param>
    public static Result Convert(string input, string outputDirectory, string storage, bool? zstd)
    {
        using var reader = BagReader.Open(input);
        using var writer = BagWriter.Create(outputDirectory, WriterOptions(storage, zstd, reader.Metadata.RosDistro, reader.Metadata.CustomData));
        foreach (var topic in reader.Topics)
        {
            var definition = DefinitionFor(reader, topic);
            string hash = topic.TypeDescriptionHash.Length > 0 ? topic.TypeDescriptionHash : definition?.TypeDescriptionHash ?? "";
            writer.CreateTopic(topic with { TypeDescriptionHash = hash }, definition);
        }
        long count = 0;
        foreach (var message in reader.ReadMessages())
        {
            writer.Write(message);
            count++;
        }
        return new Result(count, reader.Topics.Count);
    }

    /// <summary>The definition to store for a topic: the source bag's own, else the shipped one for types we know.</summary>
    internal static MessageDefinition? DefinitionFor(BagReader reader, TopicMetadata topic)
    {
        var carried = reader.MessageDefinitions.FirstOrDefault(d => MessageDefinitionParser.NormalizeRoot(d.TopicType) == MessageDefinitionParser.NormalizeRoot(topic.Type) && d.Text.Trim().Length > 0);
        if (carried is not null)
        {
            if (carried.TypeDescriptionHash.Length > 0 || carried.Encoding != "ros2msg") return carried;
            return carried with { TypeDescriptionHash = TryHash(topic.Type, carried.Text) };
        }
        return MessageTypeRegistry.TryGet(topic.Type, out var info)
            ? new MessageDefinition(info.RosName, "ros2msg", info.Definition, info.TypeHash)
            : null;
    }

    private static string TryHash(string type, string text)
    {
        try
        {
            var specs = MessageDefinitionParser.ParseFullDefinition(type, text);
            var shipped = MessageSchemaResolver.Shipped;
            MessageSpec? Lookup(string n) => specs.TryGetValue(n, out var s) ? s : shipped.GetValueOrDefault(n);
            return TypeDescriptionHash.Compute(Lookup(MessageDefinitionParser.NormalizeRoot(type))!, Lookup);
        }
        catch (MessageDefinitionException)
        {
            return "";
        }
    }

    public static long WriteDemo(string outputDirectory, string storage)
    {
        using var writer = BagWriter.Create(outputDirectory, WriterOptions(storage, zstd: true, "jazzy", new Dictionary<string, string> { ["written_by"] = "anyrecon bag demo" }));
        foreach (var (topic, type) in DemoBag.Topics)
            writer.CreateTopic(
                new TopicMetadata(topic, type.RosName, "cdr", DemoQos(topic), type.TypeHash),
                new MessageDefinition(type.RosName, "ros2msg", type.Definition, type.TypeHash));
        long count = 0;
        foreach (var m in DemoBag.Messages())
        {
            writer.Write(m.Topic, m.TimestampNs, m.Data);
            count++;
        }
        return count;
    }

    /// <summary>What the publishers of a camera driver and robot_state_publisher offer: /tf_static latched, the rest reliable.</summary>
    private static string DemoQos(string topic)
    {
        bool latched = topic == "/tf_static";
        return AnyRecon.Ros.Pipeline.RgbdBagWriter.OfferedQos(latched, latched ? 1UL : topic == "/tf" ? 100UL : 10UL);
    }

    private static BagWriterOptions WriterOptions(string storage, bool? zstd, string rosDistro, IReadOnlyDictionary<string, string> customData)
    {
        var options = new BagWriterOptions { StorageId = storage, CustomData = customData };
        if (rosDistro.Length > 0) options.Storage.RosDistro = rosDistro;
        if (storage == StorageFactory.SqliteStorageId && zstd == true) options.Compression = BagCompressionMode.Message;
        if (storage == StorageFactory.McapStorageId)
            options.Storage.Mcap = new McapWriterOptions { Compression = zstd == false ? McapCompression.None : McapCompression.Zstd };
        return options;
    }
}
