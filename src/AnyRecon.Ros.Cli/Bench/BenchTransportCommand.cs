using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Cli.Topic;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Cli.Bench;

/// <summary>
/// <c>anyrecon bench transport</c>: two processes over DDS on this machine. This process subscribes (typed, so each
/// message is decoded into its object: the one receive-side copy); a child anyrecon process publishes images or point
/// clouds whose header stamp is the send time and whose data is a known pattern. Reported: messages received intact,
/// lost and corrupt, latency publish → callback (p50/p95/p99), the sustained rate, CPU and managed bytes allocated per
/// message on each side.
/// </summary>
internal static class BenchTransportCommand
{
    private sealed record PublisherReport(long Published, long Dropped, double CpuMsPerMessage, double AllocatedBytesPerMessage);

    public static Command Build(CommandContext context)
    {
        var payload = new Option<string>("--payload") { Description = "image (rgb8) or cloud (x,y,z,rgb float32 points)", DefaultValueFactory = _ => "image" };
        payload.AcceptOnlyFromAmong("image", "cloud");
        var width = new Option<int>("--width") { Description = "Image width", DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { Description = "Image height", DefaultValueFactory = _ => 480 };
        var points = new Option<int>("--points") { Description = "Points per cloud (16 bytes each)", DefaultValueFactory = _ => 1_000_000 };
        var count = new Option<int>("--count") { Description = "Messages to send", DefaultValueFactory = _ => 200 };
        var rate = new Option<double>("--rate") { Description = "Messages per second (0: as fast as the transport takes them)", DefaultValueFactory = _ => 30 };
        var bestEffort = new Option<bool>("--best-effort") { Description = "Best-effort instead of reliable" };
        var depth = new Option<int>("--depth") { Description = "History depth (keep_last) of both ends", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var role = new Option<string?>("--role") { Description = "Internal: 'publisher' runs the sending side", Hidden = true };
        var topicOption = new Option<string?>("--topic") { Description = "Internal: topic of the run", Hidden = true };
        var command = new Command("transport", "Latency, sustained rate, CPU and copies of images or point clouds between two processes over DDS")
            { payload, width, height, points, count, rate, bestEffort, depth, json, role, topicOption };
        command.SetAction(parse => context.Guard(() =>
        {
            var spec = new PayloadSpec(parse.GetValue(payload)!, parse.GetValue(width), parse.GetValue(height), parse.GetValue(points));
            int n = parse.GetValue(count);
            if (n < 2) throw new ArgumentException("--count must be at least 2");
            var qos = QosProfiles.Make(QosHistory.KeepLast, (ulong)Math.Max(1, parse.GetValue(depth)),
                parse.GetValue(bestEffort) ? QosReliability.BestEffort : QosReliability.Reliable, QosDurability.Volatile);
            string topic = parse.GetValue(topicOption) ?? $"/anyrecon_bench/transport_{Environment.ProcessId}";
            if (parse.GetValue(role) == "publisher") return Publish(context, spec, topic, qos, n, parse.GetValue(rate));
            return Subscribe(context, parse, spec, topic, qos, n, parse.GetValue(rate), parse.GetValue(json));
        }));
        return command;
    }

    /// <summary>What is sent: message i carries i in its frame id and the first 4 data bytes; the rest is a fixed pattern.</summary>
    private sealed class PayloadSpec
    {
        public PayloadSpec(string kind, int width, int height, int points)
        {
            if (width < 1 || height < 1 || points < 1) throw new ArgumentException("sizes must be positive");
            Kind = kind;
            Width = width;
            Height = height;
            Points = points;
            Pattern = new byte[Kind == "image" ? checked(width * height * 3) : checked(points * 16)];
            for (int k = 0; k < Pattern.Length; k++) Pattern[k] = (byte)(k * 7 + 3);
        }

        public string Kind { get; }
        public int Width { get; }
        public int Height { get; }
        public int Points { get; }
        public byte[] Pattern { get; }

        public IRosMessage Make(int index, long stampNs)
        {
            var data = (byte[])Pattern.Clone();
            BitConverter.TryWriteBytes(data, index);
            var header = new Messages.StdMsgs.Header { FrameId = index.ToString(CultureInfo.InvariantCulture) };
            header.Stamp.Sec = (int)(stampNs / 1_000_000_000);
            header.Stamp.Nanosec = (uint)(stampNs % 1_000_000_000);
            if (Kind == "image")
                return new Image { Header = header, Height = (uint)Height, Width = (uint)Width, Encoding = "rgb8", Step = (uint)(Width * 3), Data = data };
            return new PointCloud2
            {
                Header = header, Height = 1, Width = (uint)Points, PointStep = 16, RowStep = (uint)(Points * 16), IsDense = true, Data = data,
                Fields =
                [
                    new PointField { Name = "x", Offset = 0, Datatype = PointField.FLOAT32, Count = 1 },
                    new PointField { Name = "y", Offset = 4, Datatype = PointField.FLOAT32, Count = 1 },
                    new PointField { Name = "z", Offset = 8, Datatype = PointField.FLOAT32, Count = 1 },
                    new PointField { Name = "rgb", Offset = 12, Datatype = PointField.FLOAT32, Count = 1 },
                ],
            };
        }

        /// <summary>The index the data carries, or -1 when the bytes are not what was sent.</summary>
        public int Check(Messages.StdMsgs.Header header, byte[] data)
        {
            if (data.Length != Pattern.Length || !int.TryParse(header.FrameId, CultureInfo.InvariantCulture, out int index)) return -1;
            if (BitConverter.ToInt32(data, 0) != index || !data.AsSpan(4).SequenceEqual(Pattern.AsSpan(4))) return -1;
            return index;
        }
    }

    private static long NowNs() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static int Publish(CommandContext context, PayloadSpec spec, string topic, QosProfile qos, int count, double rate)
    {
        using var session = LiveSession.Start(context, "anyrecon_bench_publisher");
        using var publisher = spec.Kind == "image"
            ? (RawPublisher)session.Node.CreatePublisher<Image>(topic, qos) : session.Node.CreatePublisher<PointCloud2>(topic, qos);
        if (!publisher.WaitForSubscriptions(1, TimeSpan.FromSeconds(60), session.Stopping)) throw new InvalidOperationException("no subscriber matched within 60 s");
        Thread.Sleep(500); // the subscriber's side of discovery
        // The messages are built before timing: the benchmark measures the transport, not filling 16 MB.
        var messages = Enumerable.Range(0, Math.Min(count, 4)).Select(i => spec.Make(i, 0)).ToArray();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count && !session.Stopping.IsCancellationRequested; i++)
        {
            if (rate > 0)
            {
                var wait = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            }
            var message = messages[i % messages.Length];
            Restamp(message, i, NowNs());
            publisher.Publish(message);
        }
        publisher.WaitForAcknowledgements(TimeSpan.FromSeconds(30));
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        double bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        context.Out.WriteLine(JsonSerializer.Serialize(new PublisherReport(publisher.Published, publisher.Dropped, cpuMs / count, bytes / count)));
        return 0;
    }

    /// <summary>Gives a prebuilt message index <paramref name="index"/> and a send stamp, touching 4 data bytes only.</summary>
    private static void Restamp(IRosMessage message, int index, long stampNs)
    {
        var (header, data) = message switch
        {
            Image image => (image.Header, image.Data),
            PointCloud2 cloud => (cloud.Header, cloud.Data),
            _ => throw new InvalidOperationException(),
        };
        header.FrameId = index.ToString(CultureInfo.InvariantCulture);
        header.Stamp.Sec = (int)(stampNs / 1_000_000_000);
        header.Stamp.Nanosec = (uint)(stampNs % 1_000_000_000);
        BitConverter.TryWriteBytes(data, index);
    }

    private static int Subscribe(CommandContext context, System.CommandLine.ParseResult parse, PayloadSpec spec, string topic, QosProfile qos, int count, double rate, bool asJson)
    {
        using var session = LiveSession.Start(context, "anyrecon_bench_subscriber");
        var latencies = new List<double>(count);
        var seen = new HashSet<int>();
        int corrupt = 0;
        long first = 0, last = 0;
        var gate = new Lock();
        void OnMessage(Messages.StdMsgs.Header header, byte[] data)
        {
            long now = NowNs();
            long sent = header.Stamp.Sec * 1_000_000_000L + header.Stamp.Nanosec;
            int index = spec.Check(header, data);
            lock (gate)
            {
                if (index < 0) { corrupt++; return; }
                seen.Add(index);
                latencies.Add((now - sent) / 1e6);
                if (first == 0) first = now;
                last = now;
            }
        }
        using var subscription = spec.Kind == "image"
            ? (RawSubscription)session.Node.CreateSubscription<Image>(topic, qos, (m, _) => OnMessage(m.Header, m.Data))
            : session.Node.CreateSubscription<PointCloud2>(topic, qos, (m, _) => OnMessage(m.Header, m.Data));

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var child = StartPublisher(parse, topic);
        string childOut = child.StandardOutput.ReadToEnd();
        string childError = child.StandardError.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"the publisher process failed ({child.ExitCode}): {childError.Trim()}");
        // Let the last messages reach the callback.
        SpinWait.SpinUntil(() => { lock (gate) return seen.Count + corrupt >= count; }, TimeSpan.FromSeconds(5));
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        double bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var publisher = JsonSerializer.Deserialize<PublisherReport>(childOut.Trim().Split('\n')[^1])!;

        double[] sorted;
        int received;
        lock (gate)
        {
            sorted = [.. latencies.Order()];
            received = seen.Count;
        }
        double seconds = (last - first) / 1e9;
        var report = new
        {
            payload = spec.Kind,
            bytes_per_message = spec.Pattern.Length,
            reliability = qos.Reliability == QosReliability.Reliable ? "reliable" : "best_effort",
            requested_rate_hz = rate,
            sent = publisher.Published,
            dropped_by_publisher = publisher.Dropped,
            received,
            lost = count - received,
            corrupt,
            dropped_by_subscription_queue = subscription.Dropped,
            latency_ms = new
            {
                p50 = Percentile(sorted, 0.50),
                p95 = Percentile(sorted, 0.95),
                p99 = Percentile(sorted, 0.99),
                max = sorted.Length > 0 ? Round(sorted[^1]) : (double?)null,
            },
            sustained_rate_hz = Round(received > 1 && seconds > 0 ? (received - 1) / seconds : 0),
            throughput_mb_s = Round(received > 1 && seconds > 0 ? (received - 1) * (double)spec.Pattern.Length / seconds / 1e6 : 0),
            publisher_cpu_ms_per_message = Round(publisher.CpuMsPerMessage),
            subscriber_cpu_ms_per_message = Round(cpuMs / Math.Max(1, received)),
            publisher_managed_bytes_per_message = Math.Round(publisher.AllocatedBytesPerMessage),
            subscriber_managed_bytes_per_message = Math.Round(bytes / Math.Max(1, received)),
        };
        if (asJson) context.Out.WriteLine(JsonSerializer.Serialize(report));
        else
        {
            context.Out.WriteLine($"{report.payload} {report.bytes_per_message / 1e6:0.##} MB {report.reliability}: received {received}/{count} (corrupt {corrupt}, lost {report.lost})");
            context.Out.WriteLine($"latency ms p50 {report.latency_ms.p50} p95 {report.latency_ms.p95} p99 {report.latency_ms.p99}; sustained {report.sustained_rate_hz} Hz, {report.throughput_mb_s} MB/s");
            context.Out.WriteLine($"CPU ms/message: publisher {report.publisher_cpu_ms_per_message}, subscriber {report.subscriber_cpu_ms_per_message}; managed bytes/message: publisher {report.publisher_managed_bytes_per_message}, subscriber {report.subscriber_managed_bytes_per_message}");
        }
        return 0;
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static double? Percentile(double[] sorted, double q) => sorted.Length == 0 ? null : Round(BenchStatistics.Percentile(sorted, q));

    private static Process StartPublisher(System.CommandLine.ParseResult parse, string topic) =>
        SelfProcess.Start(["bench", "transport", "--role", "publisher", "--topic", topic, .. parse.Tokens.SkipWhile(t => t.Value != "transport").Skip(1).Select(t => t.Value)], drain: false);
}
