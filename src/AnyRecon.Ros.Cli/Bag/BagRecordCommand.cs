using System.CommandLine;
using System.Threading.Channels;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Cli.Topic;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary>
/// <c>anyrecon bag record</c>: records live topics into a rosbag2 bag (MCAP by default), like <c>ros2 bag record</c>:
/// topics are picked up as their publishers appear, subscribed with a QoS that matches every publisher, and their
/// offered QoS is stored in the metadata so play can reproduce it. SIGINT/SIGTERM close the bag cleanly.
/// </summary>
internal static class BagRecordCommand
{
    private readonly record struct Received(string Topic, long ReceivedNs, long SentNs, byte[] Data);

    public static Command Build(CommandContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "Bag directory to create", Required = true };
        var topics = new Argument<string[]>("topics") { Description = "Topics to record", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all", "-a") { Description = "Record every topic" };
        var storage = new Option<string>("--storage", "-s") { Description = "mcap or sqlite3", DefaultValueFactory = _ => StorageFactory.McapStorageId };
        var polling = new Option<int>("--polling-interval") { Description = "Milliseconds between looks for new topics", DefaultValueFactory = _ => 100 };
        var maxSize = new Option<long>("--max-bag-size", "-b") { Description = "Split the bag at this many bytes (0: never)" };
        var command = new Command("record", "Record live ROS 2 topics into a bag (like ros2 bag record)") { output, topics, all, storage, polling, maxSize };
        command.SetAction(parse => context.Guard(() =>
        {
            string[] wanted = parse.GetValue(topics) ?? [];
            bool recordAll = parse.GetValue(all);
            if (wanted.Length == 0 && !recordAll) throw new ArgumentException("name the topics to record, or give --all");
            using var session = LiveSession.Start(context, "rosbag2_recorder");
            var resolvedWanted = wanted.Select(session.Node.ResolveName).ToHashSet(StringComparer.Ordinal);
            using var bag = BagWriter.Create(parse.GetValue(output)!, new BagWriterOptions { StorageId = parse.GetValue(storage)!, MaxBagFileBytes = parse.GetValue(maxSize) });
            // Subscriptions deliver on their own tasks; one writer task owns the bag.
            var queue = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true });
            var subscriptions = new Dictionary<string, RawSubscription>(StringComparer.Ordinal);
            var declared = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
            long written = 0;
            var writer = Task.Run(async () =>
            {
                await foreach (var message in queue.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    bag.Write(message.Topic, message.ReceivedNs, message.Data, message.SentNs);
                    written++;
                }
            });
            var interval = TimeSpan.FromMilliseconds(Math.Max(10, parse.GetValue(polling)));
            do
            {
                foreach (var topic in session.Node.Topics())
                {
                    if (topic.Publishers == 0 || subscriptions.ContainsKey(topic.Name)) continue;
                    if (!recordAll && !resolvedWanted.Contains(topic.Name)) continue;
                    if (topic.Types.Count != 1)
                    {
                        context.Error.WriteLine($"warning: '{topic.Name}' has several types ({string.Join(", ", topic.Types)}); not recorded");
                        subscriptions[topic.Name] = null!;
                        continue;
                    }
                    var type = TopicType.FromRosName(topic.Types[0]);
                    var qos = QosProfiles.AdaptToPublishers(topic.PublisherQos, QosProfiles.Default with { Depth = 100 });
                    var metadata = new TopicMetadata(topic.Name, type.RosName, "cdr", QosProfile.FormatList(topic.PublisherQos), type.TypeHash ?? "");
                    MessageDefinition? definition = MessageTypeRegistry.TryGet(type.RosName, out var known)
                        ? new MessageDefinition(known.RosName, "ros2msg", known.Definition, known.TypeHash) : null;
                    if (definition is null) context.Error.WriteLine($"warning: no definition of {type.RosName} is known here; '{topic.Name}' is recorded without one");
                    lock (declared)
                    {
                        bag.CreateTopic(metadata, definition);
                        declared[topic.Name] = metadata;
                    }
                    string name = topic.Name;
                    subscriptions[name] = session.Node.CreateRawSubscription(name, type, qos, (sample, info) =>
                        queue.Writer.TryWrite(new Received(name, info.ReceivedTimestampNs, info.SourceTimestampNs, sample.Cdr.ToArray())));
                    context.Error.WriteLine($"recording '{name}' ({type.RosName})");
                }
            }
            while (session.Sleep(interval));

            foreach (var subscription in subscriptions.Values) subscription?.Dispose();
            queue.Writer.Complete();
            writer.GetAwaiter().GetResult();
            context.Error.WriteLine($"recorded {written} messages on {declared.Count} topics into {bag.Directory}");
            return 0;
        }));
        return command;
    }
}
