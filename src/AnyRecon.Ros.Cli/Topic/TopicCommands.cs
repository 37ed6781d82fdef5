using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages.Dynamic;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Cli.Topic;

/// <summary><c>anyrecon topic list | echo | hz | pub</c>: <c>ros2 topic</c> for machines without ROS 2, over our own transport.</summary>
internal static class TopicCommands
{
    public static Command Build(CommandContext context)
    {
        var topic = new Command("topic", "List, print, measure and publish ROS 2 topics on the live graph (ROS_DOMAIN_ID, like ros2 topic)");
        topic.Subcommands.Add(List(context));
        topic.Subcommands.Add(Echo(context));
        topic.Subcommands.Add(Hz(context));
        topic.Subcommands.Add(Pub(context));
        topic.Subcommands.Add(Info(context));
        return topic;
    }

    internal static Option<string?> QosProfileOption() => new("--qos-profile")
    {
        Description = "QoS profile to start from: default, sensor_data, services_default, parameters, system_default (default: adapt to the publishers)",
    };

    internal static Option<string?> QosReliabilityOption() => new("--qos-reliability") { Description = "reliable or best_effort" };

    internal static Option<string?> QosDurabilityOption() => new("--qos-durability") { Description = "volatile or transient_local" };

    internal static Option<int?> QosDepthOption() => new("--qos-depth") { Description = "History depth (keep_last)" };

    /// <summary>The QoS named on the command line, or null when none of the QoS options was given.</summary>
    internal static QosProfile? QosFromOptions(string? profile, string? reliability, string? durability, int? depth)
    {
        if (profile is null && reliability is null && durability is null && depth is null) return null;
        var qos = profile switch
        {
            null or "default" or "system_default" or "services_default" => QosProfiles.Default,
            "sensor_data" => QosProfiles.SensorData,
            "parameters" => QosProfiles.Parameters,
            _ => throw new ArgumentException($"--qos-profile '{profile}' is not one of default, sensor_data, services_default, parameters, system_default"),
        };
        if (reliability is not null)
            qos = qos with { Reliability = reliability switch { "reliable" => QosReliability.Reliable, "best_effort" => QosReliability.BestEffort, _ => throw new ArgumentException($"--qos-reliability '{reliability}' is not reliable or best_effort") } };
        if (durability is not null)
            qos = qos with { Durability = durability switch { "volatile" => QosDurability.Volatile, "transient_local" => QosDurability.TransientLocal, _ => throw new ArgumentException($"--qos-durability '{durability}' is not volatile or transient_local") } };
        if (depth is int d)
            qos = d >= 1 ? qos with { Depth = (ulong)d } : throw new ArgumentException("--qos-depth must be at least 1");
        return qos;
    }

    private static Option<double> SpinTime() => new("--spin-time") { Description = "Seconds to wait for discovery before answering", DefaultValueFactory = _ => 1.5 };

    private static Command List(CommandContext context)
    {
        var types = new Option<bool>("--show-types", "-t") { Description = "Also print each topic's type" };
        var count = new Option<bool>("--count-topics", "-c") { Description = "Print only the number of topics" };
        var spin = SpinTime();
        var command = new Command("list", "Topics on the graph (from DDS discovery)") { types, count, spin };
        command.SetAction(parse => context.Guard(() =>
        {
            using var session = LiveSession.Start(context, "_anyrecon_topic_list");
            session.Sleep(TimeSpan.FromSeconds(parse.GetValue(spin)));
            var topics = session.Node.Topics().Where(t => t.Publishers + t.Subscribers > 0).ToList();
            if (parse.GetValue(count))
            {
                context.Out.WriteLine(topics.Count);
                return 0;
            }
            foreach (var t in topics)
                context.Out.WriteLine(parse.GetValue(types) ? $"{t.Name} [{string.Join(", ", t.Types)}]" : t.Name);
            return 0;
        }));
        return command;
    }

    /// <summary>The topic's type (given, or discovered from its publishers) and the QoS that matches them.</summary>
    internal static (TopicType Type, QosProfile Qos)? Resolve(LiveSession session, CommandContext context, string topic, string? type, QosProfile? qos, double timeoutSeconds)
    {
        var info = session.Node.Topics().FirstOrDefault(t => t.Name == session.Node.ResolveName(topic) && t.Publishers > 0);
        if (info is null && type is null)
        {
            context.Error.WriteLine($"waiting for a publisher of '{session.Node.ResolveName(topic)}' to learn its type (or give --type)");
            info = session.Node.WaitForTopic(topic, timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) : Timeout.InfiniteTimeSpan, session.Stopping);
            if (info is null) return null;
        }
        string rosType = type ?? info!.Types[0];
        if (type is null && info!.Types.Count > 1) throw new ArgumentException($"'{info.Name}' is published with several types ({string.Join(", ", info.Types)}): give --type");
        // With no publisher to adapt to yet, best effort + volatile matches whatever comes.
        var chosen = qos ?? QosProfiles.AdaptToPublishers(info?.PublisherQos ?? [], QosProfiles.Default with { Reliability = QosReliability.BestEffort });
        return (TopicType.FromRosName(rosType), chosen);
    }

    private static Command Echo(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "Topic name (relative names resolve in the root namespace)" };
        var type = new Option<string?>("--type") { Description = "Message type, e.g. sensor_msgs/msg/Image (default: learned from the publishers)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per message and line" };
        var once = new Option<bool>("--once") { Description = "Print one message and exit" };
        var times = new Option<int?>("--times") { Description = "Print this many messages and exit" };
        var raw = new Option<bool>("--raw") { Description = "Print the serialized CDR bytes in hex instead of decoding" };
        var noArr = new Option<bool>("--no-arr") { Description = "Do not print array contents" };
        var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds without a message (0: never)" };
        var (profile, reliability, durability, depth) = (QosProfileOption(), QosReliabilityOption(), QosDurabilityOption(), QosDepthOption());
        var command = new Command("echo", "Print a topic's messages (like ros2 topic echo)") { topic, type, json, once, times, raw, noArr, timeout, profile, reliability, durability, depth };
        command.SetAction(parse => context.Guard(() =>
        {
            int limit = parse.GetValue(once) ? 1 : parse.GetValue(times) ?? int.MaxValue;
            if (limit < 1) throw new ArgumentException("--times must be at least 1");
            double timeoutSeconds = parse.GetValue(timeout);
            using var session = LiveSession.Start(context, "_anyrecon_topic_echo");
            var resolved = Resolve(session, context, parse.GetValue(topic)!, parse.GetValue(type), QosFromOptions(parse.GetValue(profile), parse.GetValue(reliability), parse.GetValue(durability), parse.GetValue(depth)), timeoutSeconds);
            if (resolved is null) return session.Stopping.IsCancellationRequested ? 0 : Fail(context, "no publisher appeared");
            var (topicType, qos) = resolved.Value;
            bool asRaw = parse.GetValue(raw), asJson = parse.GetValue(json);
            DynamicMessageType? decoded = asRaw ? null : MessageSchemaResolver.Shared.Resolve(topicType.RosName);
            var formatter = new MessageTextFormatter { MaxArrayElements = parse.GetValue(noArr) ? 0 : MessageTextFormatter.DefaultMaxArrayElements };
            int printed = 0;
            var done = new ManualResetEventSlim();
            var output = new Lock();
            var malformed = new CountedWarning("malformed message", line => context.Error.WriteLine($"warning: {line}"));
            long lastMessage = Stopwatch.GetTimestamp();
            using var subscription = session.Node.CreateRawSubscription(parse.GetValue(topic)!, topicType, qos, (sample, _) =>
            {
                string text;
                try
                {
                    text = decoded is null ? Convert.ToHexString(sample.Cdr).ToLowerInvariant()
                        : asJson ? DynamicMessageJson.ToJson(DynamicMessageCodec.Decode(decoded, sample.Cdr))
                        : formatter.Format(DynamicMessageCodec.Decode(decoded, sample.Cdr)) + "---";
                }
                catch (Messages.Cdr.CdrFormatException e)
                {
                    malformed.Report(e.Message);
                    return;
                }
                lock (output)
                {
                    if (printed >= limit) return;
                    context.Out.WriteLine(text);
                    context.Out.Flush();
                    Interlocked.Exchange(ref lastMessage, Stopwatch.GetTimestamp());
                    if (++printed >= limit) done.Set();
                }
            });
            while (!done.Wait(100) && !session.Stopping.IsCancellationRequested)
            {
                if (timeoutSeconds > 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref lastMessage)).TotalSeconds > timeoutSeconds)
                    return Fail(context, $"no message for {timeoutSeconds} s");
            }
            return 0;
        }));
        return command;
    }

    private static Command Hz(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "Topic name" };
        var type = new Option<string?>("--type") { Description = "Message type (default: learned from the publishers)" };
        var window = new Option<int>("--window", "-w") { Description = "Messages in the rate window", DefaultValueFactory = _ => 10000 };
        var reports = new Option<int?>("--reports") { Description = "Exit after this many one-second reports" };
        var json = new Option<bool>("--json") { Description = "One JSON object per report" };
        var (profile, reliability, durability, depth) = (QosProfileOption(), QosReliabilityOption(), QosDurabilityOption(), QosDepthOption());
        var command = new Command("hz", "Print a topic's publishing rate once a second (like ros2 topic hz)") { topic, type, window, reports, json, profile, reliability, durability, depth };
        command.SetAction(parse => context.Guard(() =>
        {
            int size = parse.GetValue(window);
            if (size < 2) throw new ArgumentException("--window must be at least 2");
            using var session = LiveSession.Start(context, "_anyrecon_topic_hz");
            var resolved = Resolve(session, context, parse.GetValue(topic)!, parse.GetValue(type), QosFromOptions(parse.GetValue(profile), parse.GetValue(reliability), parse.GetValue(durability), parse.GetValue(depth)), 0);
            if (resolved is null) return 0;
            var rate = new RateWindow(size);
            // Queue depth only needs to absorb bursts; the callback just stamps arrivals.
            var qos = resolved.Value.Qos with { Depth = Math.Max(resolved.Value.Qos.Depth, 100) };
            using var subscription = session.Node.CreateRawSubscription(parse.GetValue(topic)!, resolved.Value.Type, qos, (sample, info) => rate.Add(info.ReceivedTimestampNs));
            int left = parse.GetValue(reports) ?? int.MaxValue;
            while (left > 0 && session.Sleep(TimeSpan.FromSeconds(1)))
            {
                var stats = rate.Snapshot();
                if (stats is null)
                {
                    context.Error.WriteLine("no new messages");
                    continue;
                }
                var s = stats.Value;
                context.Out.WriteLine(parse.GetValue(json)
                    ? string.Create(CultureInfo.InvariantCulture, $"{{\"rate\":{s.Rate:0.###},\"min\":{s.Min:0.######},\"max\":{s.Max:0.######},\"std_dev\":{s.StdDev:0.#######},\"window\":{s.Window},\"dropped\":{subscription.Dropped}}}")
                    : string.Create(CultureInfo.InvariantCulture, $"average rate: {s.Rate:0.000}\n\tmin: {s.Min:0.000}s max: {s.Max:0.000}s std dev: {s.StdDev:0.00000}s window: {s.Window}"));
                context.Out.Flush();
                left--;
            }
            return 0;
        }));
        return command;
    }

    private static Command Info(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "Topic name" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Each endpoint with its node, gid and QoS" };
        var spin = SpinTime();
        var command = new Command("info", "Type, publishers and subscriptions of a topic (like ros2 topic info)") { topic, verbose, spin };
        command.SetAction(parse => context.Guard(() =>
        {
            using var session = LiveSession.Start(context, "_anyrecon_topic_info");
            session.Sleep(TimeSpan.FromSeconds(parse.GetValue(spin)));
            string name = session.Node.ResolveName(parse.GetValue(topic)!);
            string ddsTopic = RosNames.DdsTopic(name);
            var endpoints = session.Context.Participant.DiscoveredEndpoints().Where(e => e.DdsTopic == ddsTopic && !e.ParticipantGuid.AsSpan().SequenceEqual(session.Context.Participant.Guid)).ToList();
            if (endpoints.Count == 0) return Fail(context, $"unknown topic '{name}'");
            var nodes = session.Context.RemoteNodes();
            context.Out.WriteLine($"Type: {string.Join(", ", endpoints.Select(e => RosNames.RosTypeName(e.DdsType) ?? e.DdsType).Distinct())}");
            foreach (bool writers in new[] { true, false })
            {
                var group = endpoints.Where(e => e.IsWriter == writers).ToList();
                context.Out.WriteLine();
                context.Out.WriteLine($"{(writers ? "Publisher" : "Subscription")} count: {group.Count}");
                if (!parse.GetValue(verbose)) continue;
                foreach (var e in group)
                {
                    var node = nodes.FirstOrDefault(n => (writers ? n.WriterGids : n.ReaderGids).Any(g => g.AsSpan().SequenceEqual(e.Guid)));
                    context.Out.WriteLine();
                    context.Out.WriteLine($"Node name: {node?.Name ?? "_NODE_NAME_UNKNOWN_"}");
                    context.Out.WriteLine($"Node namespace: {node?.Namespace ?? "_NODE_NAMESPACE_UNKNOWN_"}");
                    context.Out.WriteLine($"Topic type: {RosNames.RosTypeName(e.DdsType) ?? e.DdsType}");
                    context.Out.WriteLine($"Endpoint type: {(writers ? "PUBLISHER" : "SUBSCRIPTION")}");
                    context.Out.WriteLine($"GID: {string.Join('.', e.Guid.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))}");
                    context.Out.WriteLine("QoS profile:");
                    context.Out.WriteLine($"  Reliability: {(e.Qos.Reliability == QosReliability.Reliable ? "RELIABLE" : "BEST_EFFORT")}");
                    context.Out.WriteLine($"  History (Depth): {(e.Qos.History == QosHistory.KeepAll ? "KEEP_ALL" : $"KEEP_LAST ({e.Qos.Depth})")}");
                    context.Out.WriteLine($"  Durability: {(e.Qos.Durability == QosDurability.TransientLocal ? "TRANSIENT_LOCAL" : "VOLATILE")}");
                    if (e.UserData.Length > 0) context.Out.WriteLine($"  User data: {e.UserData}");
                }
            }
            return 0;
        }));
        return command;
    }

    private static Command Pub(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "Topic name" };
        var type = new Argument<string>("type") { Description = "Message type, e.g. geometry_msgs/msg/PoseStamped" };
        var values = new Argument<string>("values") { Description = "Field values as YAML, e.g. \"{header: {frame_id: map}}\"; 'now' for a stamp", DefaultValueFactory = _ => "{}" };
        var once = new Option<bool>("--once", "-1") { Description = "Publish one message and exit" };
        var times = new Option<int?>("--times", "-t") { Description = "Publish this many messages and exit" };
        var rate = new Option<double>("--rate", "-r") { Description = "Messages per second", DefaultValueFactory = _ => 1.0 };
        var wait = new Option<int?>("--wait-matching-subscriptions", "-w") { Description = "Wait for this many subscriptions before publishing (default 1 with --once/--times, else 0)" };
        var keepAlive = new Option<double>("--keep-alive") { Description = "Seconds to stay on the graph after the last message", DefaultValueFactory = _ => 0.1 };
        var (profile, reliability, durability, depth) = (QosProfileOption(), QosReliabilityOption(), QosDurabilityOption(), QosDepthOption());
        var command = new Command("pub", "Publish a message built from YAML (like ros2 topic pub)") { topic, type, values, once, times, rate, wait, keepAlive, profile, reliability, durability, depth };
        command.SetAction(parse => context.Guard(() =>
        {
            int count = parse.GetValue(once) ? 1 : parse.GetValue(times) ?? int.MaxValue;
            if (count < 1) throw new ArgumentException("--times must be at least 1");
            double hz = parse.GetValue(rate);
            if (!(hz > 0)) throw new ArgumentException("--rate must be above 0");
            string rosType = parse.GetValue(type)!;
            var schema = MessageSchemaResolver.Shared.Resolve(rosType);
            var qos = QosFromOptions(parse.GetValue(profile), parse.GetValue(reliability), parse.GetValue(durability), parse.GetValue(depth)) ?? QosProfiles.Default;
            using var session = LiveSession.Start(context, "_anyrecon_topic_pub");
            using var publisher = session.Node.CreateRawPublisher(parse.GetValue(topic)!, TopicType.FromRosName(rosType), qos);
            int waitFor = parse.GetValue(wait) ?? (count == int.MaxValue ? 0 : 1);
            if (waitFor > 0)
            {
                context.Error.WriteLine($"waiting for {waitFor} matching subscription(s)...");
                if (!publisher.WaitForSubscriptions(waitFor, Timeout.InfiniteTimeSpan, session.Stopping)) return 0;
            }
            string yaml = parse.GetValue(values)!;
            var period = TimeSpan.FromSeconds(1 / hz);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count && !session.Stopping.IsCancellationRequested; i++)
            {
                var message = MessageYaml.Build(schema, yaml, () => session.Node.Clock.NowNs);
                publisher.PublishSerialized(DynamicMessageCodec.Encode(message));
                context.Out.WriteLine($"publishing #{i + 1}: {rosType}");
                context.Out.Flush();
                if (i + 1 < count)
                {
                    var next = period * (i + 1) - clock.Elapsed;
                    if (next > TimeSpan.Zero && !session.Sleep(next)) break;
                }
            }
            publisher.WaitForAcknowledgements(TimeSpan.FromSeconds(5));
            session.Sleep(TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(keepAlive))));
            return 0;
        }));
        return command;
    }

    private static int Fail(CommandContext context, string why)
    {
        context.Error.WriteLine($"error: {why}");
        return 1;
    }
}

/// <summary>Arrival times of the last N messages, for ros2-style rate statistics.</summary>
internal sealed class RateWindow(int size)
{
    private readonly Queue<long> _arrivals = new();
    private readonly Lock _lock = new();
    private long _lastReportedArrival = long.MinValue;

    public void Add(long arrivalNs)
    {
        lock (_lock)
        {
            _arrivals.Enqueue(arrivalNs);
            while (_arrivals.Count > size) _arrivals.Dequeue();
        }
    }

    /// <summary>Rate, min/max/std dev of the intervals in seconds, and the window size; null if nothing new arrived.</summary>
    public (double Rate, double Min, double Max, double StdDev, int Window)? Snapshot()
    {
        long[] times;
        lock (_lock) times = [.. _arrivals];
        if (times.Length < 2 || times[^1] == _lastReportedArrival) return null;
        _lastReportedArrival = times[^1];
        var intervals = new double[times.Length - 1];
        for (int i = 1; i < times.Length; i++) intervals[i - 1] = (times[i] - times[i - 1]) / 1e9;
        double mean = intervals.Average();
        double variance = intervals.Sum(d => (d - mean) * (d - mean)) / intervals.Length;
        return (mean > 0 ? 1 / mean : 0, intervals.Min(), intervals.Max(), Math.Sqrt(variance), intervals.Length);
    }
}
