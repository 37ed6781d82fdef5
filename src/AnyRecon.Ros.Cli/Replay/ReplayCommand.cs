using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Cli.Replay;

/// <summary><c>anyrecon replay</c> and <c>anyrecon map info</c>.</summary>
internal static class ReplayCommand
{
    public static Command Build(CommandContext context)
    {
        var bag = new Argument<string>("bag") { Description = "Bag with depth, colour, CameraInfo and TF (or a pose topic)" };
        var parameters = new Option<string?>("--params") { Description = "YAML parameter file (keys: " + string.Join(", ", MappingParameters.Keys) + ")" };
        var output = new Option<string>("--out") { Description = "Output directory", DefaultValueFactory = _ => "replay_out" };
        var voxel = new Option<double?>("--voxel") { Description = "Voxel size in metres (0.01-0.05); overrides the parameter file" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the last snapshot in --out (map/voxels.map + map/progress.json, map/keyframes): skip the frames it holds" };
        var verbose = new Option<bool>("--verbose") { Description = "Print a line to stderr for every keyframe the capture-view cache acknowledges" };
        var complete = new Option<bool>("--complete") { Description = "Run the completion loop: complete views at the targets and fuse them back as generated evidence (writes completed/)" };
        var targets = new Option<string?>("--targets") { Description = "Target poses for --complete: TUM trajectory file (t tx ty tz qx qy qz qw, optical frame in the map frame); t = 0 completes at the end" };
        var auto = new Option<string?>("--auto") { Description = "Automatic targets for --complete: gaps, frontier or gaps,frontier" };
        var gtViews = new Option<string?>("--gt-views") { Description = "Ground-truth views NAME.png for the contact sheet (e.g. synth's held_out/)" };
        var command = new Command("replay", "Run the whole mapping pipeline on a bag as fast as it goes: map.ply, mesh.ply, map/, report.json, output.mcap")
            { bag, parameters, output, voxel, json, resume, verbose, complete, targets, auto, gtViews };
        command.SetAction(parse => context.Guard(() =>
        {
            var options = new MappingOptions();
            if (parse.GetValue(parameters) is string file) MappingParameters.Apply(options, file);
            if (parse.GetValue(voxel) is double v) options.Voxels.VoxelSizeMeters = v;
            if (parse.GetValue(complete))
            {
                options.Completion.Enabled = true;
                options.Completion.TargetsFile = parse.GetValue(targets);
                foreach (string kind in (parse.GetValue(auto) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (kind == "gaps") options.Completion.Automatic.Gaps = true;
                    else if (kind == "frontier") options.Completion.Automatic.Frontier = true;
                    else throw new ArgumentException($"--auto: unknown target kind '{kind}' (gaps, frontier)");
                }
                if (options.Completion.TargetsFile is null && !options.Completion.Automatic.Any)
                    throw new ArgumentException("--complete needs --targets FILE or --auto gaps,frontier");
            }
            else if (parse.GetValue(targets) is not null || parse.GetValue(auto) is not null)
                throw new ArgumentException("--targets and --auto need --complete");
            string dir = parse.GetValue(output)!;
            bool showProgress = !parse.GetValue(json) && !Console.IsErrorRedirected;
            // Warnings go to stderr even with --json (stdout is the report); the pipeline rate-limits them.
            var result = ReplayRun.RunAsync(parse.GetValue(bag)!, dir, options, showProgress ? Progress(context) : null,
                message => context.Error.WriteLine((showProgress ? "\n" : "") + "warning: " + message), resume: parse.GetValue(resume),
                groundTruthViews: parse.GetValue(gtViews),
                keyframeAcknowledged: parse.GetValue(verbose) ? info => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"keyframe {info.Id} stamp {info.StampNs} acknowledged")) : null).GetAwaiter().GetResult();
            if (showProgress) context.Error.WriteLine();
            foreach (string warning in result.Report.Warnings) context.Error.WriteLine("warning: " + warning);
            // The bar is for terminals; this line is for logs too, so it is written even when stderr is redirected.
            context.Error.WriteLine(Summary(result.Report));
            if (parse.GetValue(json)) context.Out.WriteLine(File.ReadAllText(Path.Combine(dir, "report.json")));
            else
            {
                var r = result.Report;
                context.Out.WriteLine($"integrated {r.FramesIntegrated} frames ({r.Keyframes} keyframes) in {r.ElapsedSeconds:F2} s = {r.FramesIntegrated / Math.Max(1e-9, r.ElapsedSeconds):F1} frames/s; " +
                    $"{r.BlocksInMemory + r.BlocksOnDisk} blocks, {result.Points} points, {result.Triangles} triangles, peak RSS {r.PeakRssMegabytes:F0} MB");
                foreach (var s in r.Stages)
                    context.Out.WriteLine($"  {s.Name,-14} {s.Processed,7} items  p50 {s.LatencyP50Ms,8:F2} ms  p95 {s.LatencyP95Ms,8:F2} ms" +
                        (s.Rejected.Count > 0 ? "  rejected: " + string.Join("; ", s.Rejected.Select(kv => $"{kv.Key} ×{kv.Value}")) : ""));
                if (options.Voxels.MaxBlocksInMemory != VoxelMemoryOptions.DefaultMaxBlocksInMemory)
                    context.Out.WriteLine($"  block budget {options.Voxels.MaxBlocksInMemory}: peak {r.PeakBlocksInMemory} resident, {r.BlocksOnDisk} on disk, " +
                        $"{r.Evictions} evictions, {r.Reloads} reloads, {r.BudgetOverruns} frames over budget");
                foreach (var q in r.Queues) if (q.Dropped > 0) context.Out.WriteLine($"  queue {q.Name}: {q.Dropped} dropped ({q.Policy})");
                context.Out.WriteLine($"wrote {dir}/map.ply, mesh.ply, map/, report.json, output.mcap");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>One line: frames integrated, what was dropped or rejected on the way, elapsed time.</summary>
    internal static string Summary(MappingReport r)
    {
        long dropped = r.Queues.Sum(q => q.Dropped);
        long rejected = r.Stages.Sum(s => s.Rejected.Values.Sum());
        long unsynchronized = r.Sync is { } sync ? RgbdFolders.RgbdFolderCommands.SyncDrops(sync).Sum(d => d.Count) : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"replay: {r.FramesIntegrated} frames integrated ({r.Keyframes} keyframes), {dropped} dropped from queues, {rejected} rejected, {unsynchronized} unsynchronized, {r.ElapsedSeconds:F2} s");
    }

    private static Action<long, long> Progress(CommandContext context)
    {
        long last = 0;
        return (done, total) =>
        {
            long now = Environment.TickCount64;
            if (now - last < 250 && done != total) return;
            last = now;
            int width = 30;
            int filled = total > 0 ? (int)(width * Math.Min(1, (double)done / total)) : 0;
            context.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} depth frames");
        };
    }

    public static Command BuildMap(CommandContext context)
    {
        var dir = new Argument<string>("dir") { Description = "A replay output directory (or its map/ folder, or the map file)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var info = new Command("info", "What a saved map holds: version, voxel size, blocks, bytes") { dir, json };
        info.SetAction(parse => context.Guard(() =>
        {
            string path = parse.GetValue(dir)!;
            if (Directory.Exists(Path.Combine(path, "map"))) path = Path.Combine(path, "map");
            if (Directory.Exists(path)) path = Path.Combine(path, ReplayRun.MapFileName);
            var m = VoxelMapFile.ReadInfo(path);
            // The capture-view cache sits beside the map file (replay: DIR/map/keyframes).
            string keyframeDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ReplayRun.KeyframeDirectoryName);
            int keyframes = 0;
            long keyframeBytes = 0;
            if (File.Exists(Path.Combine(keyframeDirectory, CaptureViewCache.DataFileName)))
            {
                using var cache = CaptureViewCache.Open(keyframeDirectory);
                keyframes = cache.Count;
                keyframeBytes = cache.Statistics.FileBytes;
            }
            if (parse.GetValue(json))
                context.Out.WriteLine(JsonSerializer.Serialize(new { version = m.Version, voxel_size_m = m.VoxelSizeMeters, truncation_voxels = m.TruncationVoxels, max_weight = m.MaxWeight, blocks = m.BlockCount, keyframes, keyframe_bytes = keyframeBytes, bytes = m.FileBytes, path }));
            else
                context.Out.WriteLine($"{path}\n  format version  {m.Version}\n  voxel size      {m.VoxelSizeMeters * 100:0.##} cm (truncation {m.TruncationVoxels} voxels, max weight {m.MaxWeight})\n  blocks          {m.BlockCount} ({m.BlockCount * 512} voxels)\n  keyframes       {keyframes} ({keyframeBytes} bytes in {keyframeDirectory})\n  bytes           {m.FileBytes}");
            return 0;
        }));
        var map = new Command("map", "Saved voxel maps") { info };
        return map;
    }
}
