using System.CommandLine;
using System.Diagnostics;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Cli.Topic;
using AnyRecon.Ros.Messages.RosgraphMsgs;
using AnyRecon.Ros.Transport;
using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary>
/// <c>anyrecon bag play</c>: publishes a bag's messages on the live graph with their recorded timing, like
/// <c>ros2 bag play</c> — QoS as rosbag2 chooses it from the recorded publishers, overridable per topic from a YAML
/// file, <c>--rate</c>, <c>--loop</c>, <c>--topics</c>, <c>--remap</c>, and <c>--clock</c> publishing /clock.
/// </summary>
internal static class BagPlayCommand
{
    public static Command Build(CommandContext context)
    {
        var path = new Argument<string>("path") { Description = "Bag directory or a single .db3/.mcap file" };
        var rate = new Option<double>("--rate", "-r") { Description = "Playback speed factor", DefaultValueFactory = _ => 1.0 };
        var loop = new Option<bool>("--loop", "-l") { Description = "Play again from the start when the bag ends" };
        var topics = new Option<string[]>("--topics") { Description = "Only these topics", AllowMultipleArgumentsPerToken = true };
        var overrides = new Option<string?>("--qos-profile-overrides-path") { Description = "YAML file: topic → {history, depth, reliability, durability}" };
        var clock = new Option<double?>("--clock") { Description = "Publish /clock at this rate in Hz (40 if given without a value)", Arity = ArgumentArity.ZeroOrOne };
        clock.DefaultValueFactory = _ => null;
        var remap = new Option<string[]>("--remap", "-m") { Description = "Topic remapping rules from:=to", AllowMultipleArgumentsPerToken = true };
        var delay = new Option<double>("--delay", "-d") { Description = "Seconds to wait (for discovery) before playing" };
        var startOffset = new Option<double>("--start-offset") { Description = "Start this many seconds into the bag" };
        var waitAcked = new Option<int>("--wait-for-all-acked") { Description = "Milliseconds to wait at the end until reliable subscribers acknowledged everything", DefaultValueFactory = _ => 5000 };
        var command = new Command("play", "Publish a bag on the live ROS 2 graph (like ros2 bag play)") { path, rate, loop, topics, overrides, clock, remap, delay, startOffset, waitAcked };
        command.SetAction(parse => context.Guard(() =>
        {
            double speed = parse.GetValue(rate);
            if (!(speed > 0)) throw new ArgumentException("--rate must be above 0");
            double? clockHz = parse.GetResult(clock) is { Implicit: false } clockResult ? (clockResult.Tokens.Count == 0 ? 40 : parse.GetValue(clock)) : null;
            if (clockHz is <= 0) throw new ArgumentException("--clock must be above 0 Hz");
            using var reader = BagReader.Open(parse.GetValue(path)!);
            string[] selected = parse.GetValue(topics) ?? [];
            var played = reader.Topics.Where(t => selected.Length == 0 || selected.Contains(t.Name)).ToList();
            foreach (var name in selected.Where(n => reader.Topics.All(t => t.Name != n)))
                context.Error.WriteLine($"warning: topic '{name}' is not in the bag");
            reader.RequireSerializationFormat("cdr", played.Select(t => t.Name));
            var qosOverrides = parse.GetValue(overrides) is string file ? LoadQosOverrides(file) : [];

            var rosArgs = (parse.GetValue(remap) ?? []).SelectMany(r => new[] { "-r", r }).ToList();
            using var session = LiveSession.Start(context, "rosbag2_player", rosArgs.Count > 0 ? ["--ros-args", .. rosArgs] : null);
            var publishers = new Dictionary<string, RawPublisher>();
            foreach (var topic in played)
            {
                var qos = qosOverrides.TryGetValue(topic.Name, out var o) ? o : QosProfiles.ForPlayback(QosProfile.ParseList(topic.OfferedQosProfiles));
                publishers[topic.Name] = session.Node.CreateRawPublisher(topic.Name, TopicType.FromRosName(topic.Type, topic.TypeDescriptionHash), qos);
            }
            var clockPublisher = clockHz is null ? null : session.Node.CreatePublisher<Clock>("/clock", QosProfiles.Make(QosHistory.KeepLast, 1, QosReliability.BestEffort, QosDurability.Volatile));
            if (!session.Sleep(TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(delay))))) return 0;

            long start = reader.Metadata.StartingTimeNs + (long)(parse.GetValue(startOffset) * 1e9);
            long published = 0, dropped = 0;
            do
            {
                var playback = new PlaybackClock(start, speed);
                using var clockTimer = clockPublisher is null ? null : new Timer(_ =>
                {
                    long ns = playback.BagTimeNs;
                    clockPublisher.Publish(new Clock { ClockValue = new() { Sec = (int)(ns / 1_000_000_000), Nanosec = (uint)(ns % 1_000_000_000) } });
                }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1 / clockHz!.Value));
                foreach (var message in reader.ReadMessages(new MessageFilter { Topics = publishers.Keys, StartTimeNs = start }))
                {
                    var wait = playback.WallDelayUntil(message.TimestampNs);
                    if (wait > TimeSpan.Zero && !session.Sleep(wait)) break;
                    if (session.Stopping.IsCancellationRequested) break;
                    if (publishers[message.Topic.Name].PublishSerialized(message.Data.Span)) published++;
                    else dropped++;
                }
            }
            while (parse.GetValue(loop) && !session.Stopping.IsCancellationRequested);

            var acked = TimeSpan.FromMilliseconds(Math.Max(0, parse.GetValue(waitAcked)));
            foreach (var publisher in publishers.Values) publisher.WaitForAcknowledgements(acked);
            context.Error.WriteLine($"played {published} messages on {publishers.Count} topics{(dropped > 0 ? $", {dropped} dropped (reliable subscribers not keeping up)" : "")}");
            return 0;
        }));
        return command;
    }

    /// <summary>rosbag2's QoS override file: a mapping of topic names to profiles (history, depth, reliability, durability).</summary>
    internal static Dictionary<string, QosProfile> LoadQosOverrides(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var text = File.OpenText(file);
            stream.Load(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ArgumentException($"{file}: not YAML: {e.Message}");
        }
        var result = new Dictionary<string, QosProfile>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0) return result;
        if (stream.Documents[0].RootNode is not YamlMappingNode topics) throw new ArgumentException($"{file}: expected a mapping of topic names to QoS profiles");
        foreach (var (key, value) in topics.Children)
        {
            string topic = ((YamlScalarNode)key).Value ?? "";
            if (value is not YamlMappingNode policies) throw new ArgumentException($"{file}: '{topic}' must map to a QoS profile");
            var parameters = policies.Children.ToDictionary(
                p => $"qos_overrides.{topic}.publisher.{((YamlScalarNode)p.Key).Value}",
                p => ParameterValue.Parse(((YamlScalarNode)p.Value).Value ?? "", topic));
            result[topic] = QosProfiles.ApplyOverrides(QosProfiles.Default, topic, EndpointKind.Publisher, parameters);
        }
        return result;
    }
}

/// <summary>Maps bag time to wall time at a playback rate.</summary>
internal sealed class PlaybackClock(long bagStartNs, double rate)
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    public long BagTimeNs => bagStartNs + (long)(_wall.Elapsed.TotalNanoseconds * rate);

    public TimeSpan WallDelayUntil(long bagTimeNs) => TimeSpan.FromTicks((long)((bagTimeNs - bagStartNs) / rate / 100)) - _wall.Elapsed;
}
