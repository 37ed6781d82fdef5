using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Node;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Cli.Bench;

/// <summary>
/// <c>anyrecon bench node</c>: the live node in this process, fed by <c>anyrecon bag play --loop</c> in another at the
/// bag's own rate (30 Hz 640×480 RGB-D for rosbags/living_room), with its defaults: ~/points at 1 Hz, completion at
/// automatic targets in the background. Reports the latency from a depth image's arrival to the end of its
/// integration (p50/p95/p99), frames in/integrated/dropped, this process's CPU (cores) and peak RSS.
/// </summary>
internal static class BenchNodeCommand
{
    public static Command Build(CommandContext context)
    {
        var bag = new Option<string>("--bag") { Description = "Bag to play in a loop", DefaultValueFactory = _ => Path.Combine("rosbags", "living_room") };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds (after 5 s of warm-up)", DefaultValueFactory = _ => 30 };
        var rate = new Option<double>("--rate") { Description = "Playback rate factor", DefaultValueFactory = _ => 1.0 };
        var voxel = new Option<double>("--voxel") { Description = "voxel_size_m", DefaultValueFactory = _ => 0.02 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var parameters = new Option<string[]>("-p") { Description = "More node parameters, name:=value", AllowMultipleArgumentsPerToken = false };
        var command = new Command("node", "Latency from depth arrival to integration, CPU and RSS of the live node at a bag's real rate") { bag, seconds, rate, voxel, json, parameters };
        command.SetAction(parse => context.Guard(() =>
        {
            string bagPath = Path.GetFullPath(parse.GetValue(bag)!);
            if (!Directory.Exists(bagPath) && !File.Exists(bagPath)) throw new ArgumentException($"{bagPath}: no such bag");
            string map = Path.Combine(Path.GetTempPath(), $"anyrecon-bench-node-{Environment.ProcessId}");
            try
            {
                return Run(context, bagPath, map, parse.GetValue(seconds), parse.GetValue(rate), parse.GetValue(voxel), parse.GetValue(parameters) ?? [], parse.GetValue(json));
            }
            finally
            {
                if (Directory.Exists(map)) Directory.Delete(map, recursive: true);
            }
        }));
        return command;
    }

    private static int Run(CommandContext context, string bag, string map, double seconds, double rate, double voxel, string[] extra, bool asJson)
    {
        // The bag loops every few seconds and snapshots follow frame time, which a loop restarts: a 5 s period still
        // snapshots once per loop of a 10 s bag, as a robot does every 10 s (-p snapshot_period_s:=... overrides it).
        var arguments = new List<string> { "--ros-args", "-p", $"map_directory:={map}", "-p", string.Create(CultureInfo.InvariantCulture, $"voxel_size_m:={voxel}"),
            "-p", "snapshot_period_s:=5.0" };
        foreach (var p in extra) arguments.AddRange(["-p", p]);
        var warnings = new List<string>();
        using var ros = new RosContext(new RosContextOptions { Log = line => { lock (warnings) warnings.Add(line); } });
        var node = new MapperNode(ros, RosArguments.Parse(arguments), line => { lock (warnings) warnings.Add(line); });
        using var player = StartPlayer(bag, rate);
        try
        {
            Thread.Sleep(TimeSpan.FromSeconds(5));
            var process = Process.GetCurrentProcess();
            // The warm-up (JIT, discovery, the first map blocks) is not part of the figures.
            node.Pipeline.ArrivalToIntegrated.Reset();
            node.Pipeline.IntegrationWaitedForMap.Reset();
            node.Snapshots.Durations.Reset();
            var report0 = node.Pipeline.Report();
            var cpu0 = process.TotalProcessorTime;
            var pause0 = GC.GetTotalPauseDuration();
            int gen2Before = GC.CollectionCount(2);
            var wall = Stopwatch.StartNew();
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            process.Refresh();
            double cores = (process.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds;
            var report = node.Pipeline.Report();
            var latency = node.Pipeline.ArrivalToIntegrated;
            var mapWait = node.Pipeline.IntegrationWaitedForMap;
            var snapshots = node.Snapshots.Durations;
            long framesIn = report.FramesIn - report0.FramesIn, integrated = report.FramesIntegrated - report0.FramesIntegrated;
            var result = new
            {
                bag,
                rate,
                voxel_size_m = voxel,
                seconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
                frames_in = framesIn,
                frames_integrated = integrated,
                input_rate_hz = Math.Round(framesIn / wall.Elapsed.TotalSeconds, 2),
                integrated_rate_hz = Math.Round(integrated / wall.Elapsed.TotalSeconds, 2),
                // Raw input dropped before the keyframe gate; the completion queue's replaced targets are not frames.
                dropped = Dropped(report, "ingest", "frames") - Dropped(report0, "ingest", "frames"),
                completion_targets_replaced = Dropped(report, "completion") - Dropped(report0, "completion"),
                latency_ms = new { p50 = Math.Round(latency.Percentile(0.5), 2), p95 = Math.Round(latency.Percentile(0.95), 2), p99 = Math.Round(latency.Percentile(0.99), 2) },
                // The part of the latency spent waiting for readers of the map (services, ~/points, completion renders).
                map_wait_ms = new { p95 = Math.Round(mapWait.Percentile(0.95), 2), p99 = Math.Round(mapWait.Percentile(0.99), 2), max = Math.Round(mapWait.MaxMilliseconds, 2) },
                // Snapshots are written by the integration stage: frames wait for them.
                snapshots = new { count = snapshots.Count, p50_ms = Math.Round(snapshots.Percentile(0.5), 1), max_ms = Math.Round(snapshots.MaxMilliseconds, 1) },
                cpu_cores = Math.Round(cores, 2),
                // Garbage collection stops every thread, integration included.
                gc_pause_ms = Math.Round((GC.GetTotalPauseDuration() - pause0).TotalMilliseconds, 1),
                gen2_collections = GC.CollectionCount(2) - gen2Before,
                peak_rss_mb = Math.Round(ProcessMemory.PeakRssMegabytes(), 1),
                keyframes = report.Keyframes,
                completion_enabled = node.Options.Mapping.Completion.Enabled,
                points_rate_hz = node.Options.PointsRateHz,
            };
            if (asJson) context.Out.WriteLine(JsonSerializer.Serialize(result));
            else
            {
                context.Out.WriteLine($"{result.frames_in} frames in ({result.input_rate_hz} Hz), {result.frames_integrated} integrated ({result.integrated_rate_hz} Hz), {result.dropped} dropped");
                context.Out.WriteLine($"depth arrival → integrated: p50 {result.latency_ms.p50} ms, p95 {result.latency_ms.p95} ms, p99 {result.latency_ms.p99} ms");
                context.Out.WriteLine($"integration waiting for map readers: p95 {result.map_wait_ms.p95} ms, p99 {result.map_wait_ms.p99} ms, max {result.map_wait_ms.max} ms");
                context.Out.WriteLine($"map snapshots: {result.snapshots.count}, p50 {result.snapshots.p50_ms} ms, longest {result.snapshots.max_ms} ms");
                context.Out.WriteLine($"GC pauses {result.gc_pause_ms} ms in all, {result.gen2_collections} gen2 collections");
                context.Out.WriteLine($"CPU {result.cpu_cores} cores, peak RSS {result.peak_rss_mb} MB, {result.keyframes} keyframes");
            }
            return 0;
        }
        finally
        {
            player.Kill(entireProcessTree: true);
            player.WaitForExit();
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static long Dropped(MappingReport report, params string[] queues) => report.Queues.Where(q => queues.Contains(q.Name)).Sum(q => q.Dropped);

    private static Process StartPlayer(string bag, double rate) =>
        SelfProcess.Start(["bag", "play", bag, "--loop", "--delay", "2", "--rate", rate.ToString(CultureInfo.InvariantCulture)], drain: true);
}
