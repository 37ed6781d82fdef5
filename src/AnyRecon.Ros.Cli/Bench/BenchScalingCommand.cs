using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Cli.Bench;

/// <summary>
/// <c>anyrecon bench scaling</c>: does integration cost per frame stay flat as the map grows, and does RAM stay within
/// the block budget? Renders a short and a long run of the same synthetic scene (the camera path is the same loop
/// travelled 1.25 times, so the long run is denser and revisits its start), integrates each into a fresh map and
/// compares per-frame integration time over the first and the last window of frames.
/// </summary>
internal static class BenchScalingCommand
{
    public static Command Build(CommandContext context)
    {
        var scene = new Option<string>("--scene") { Description = $"Scene to render: {string.Join(", ", SceneLibrary.Names)}", Required = true };
        scene.AcceptOnlyFromAmong([.. SceneLibrary.Names]);
        var small = new Option<int>("--frames-small") { Description = "Frames of the short run", DefaultValueFactory = _ => 200 };
        var large = new Option<int>("--frames-large") { Description = "Frames of the long run", DefaultValueFactory = _ => 2000 };
        var window = new Option<int>("--window") { Description = "Frames in the first and last window compared (capped at half a run)", DefaultValueFactory = _ => 200 };
        var voxel = new Option<double>("--voxel") { Description = "Voxel size in metres", DefaultValueFactory = _ => 0.01 };
        var width = new Option<int>("--width") { Description = "Image width (height is 3/4 of it)", DefaultValueFactory = _ => 320 };
        var budget = new Option<int?>("--budget") { Description = "Block budget in RAM (default unbounded); evicted blocks go to a temporary folder" };
        var lowWater = new Option<double>("--low-water") { Description = "Eviction low-water fraction of the budget", DefaultValueFactory = _ => VoxelMemoryOptions.DefaultEvictionLowWaterFraction };
        var threads = new Option<int>("--threads") { Description = "Worker threads for integration (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("scaling", "Integration ms/frame early vs late in a short and a long synthetic run, with resident blocks against the budget")
        {
            scene, small, large, window, voxel, width, budget, lowWater, threads, json,
        };
        command.SetAction(parse => context.Guard(() =>
        {
            var settings = new Settings(parse.GetValue(scene)!, parse.GetValue(small), parse.GetValue(large), parse.GetValue(window), parse.GetValue(voxel),
                parse.GetValue(width), parse.GetValue(budget), parse.GetValue(lowWater), parse.GetValue(threads));
            var result = Run(settings, parse.GetValue(json) ? null : context.Error);
            if (parse.GetValue(json)) context.Out.WriteLine(JsonSerializer.Serialize(result));
            else Print(context.Out, result);
            return 0;
        }));
        return command;
    }

    private sealed record Settings(string Scene, int FramesSmall, int FramesLarge, int Window, double Voxel, int Width, int? Budget, double LowWater, int Threads);

    private static Dictionary<string, object?> Run(Settings s, TextWriter? progress)
    {
        if (s.FramesSmall < 2 || s.FramesLarge < 2) throw new ArgumentException("--frames-small and --frames-large must be at least 2");
        if (s.Window < 1) throw new ArgumentException("--window must be at least 1");
        if (s.Width < 16 || s.Width % 4 != 0) throw new ArgumentException("--width must be a multiple of 4, at least 16");
        if (s.Threads < 1) throw new ArgumentException("--threads must be at least 1");
        // Checked here, before minutes of rendering, by the options' own setters.
        _ = NewOptions(s, "unused");
        var sceneModel = SceneLibrary.Get(s.Scene);
        var camera = new SyntheticRecordingOptions { Width = s.Width, Height = s.Width * 3 / 4 }.Intrinsics;

        var shortRun = RunOne(sceneModel, camera, s.FramesSmall, s, progress, "short");
        var longRun = RunOne(sceneModel, camera, s.FramesLarge, s, progress, "long");
        int peakResident = Math.Max((int)shortRun["peak_resident_blocks"]!, (int)longRun["peak_resident_blocks"]!);
        return new Dictionary<string, object?>
        {
            ["system"] = "anyrecon-" + typeof(VoxelMemory).Assembly.GetName().Version,
            ["scene"] = s.Scene,
            ["voxel"] = s.Voxel,
            ["width"] = camera.Width,
            ["height"] = camera.Height,
            ["threads"] = s.Threads,
            ["budget"] = s.Budget,
            ["low_water_fraction"] = s.LowWater,
            ["short"] = shortRun,
            ["long"] = longRun,
            // Flat scaling means these stay near 1.
            ["ratio_long_last_vs_first_p50"] = Ratio(longRun, "last_p50_ms", longRun, "first_p50_ms"),
            ["ratio_long_last_vs_first_p95"] = Ratio(longRun, "last_p95_ms", longRun, "first_p95_ms"),
            ["ratio_long_last_vs_short_last_p50"] = Ratio(longRun, "last_p50_ms", shortRun, "last_p50_ms"),
            ["ratio_long_last_vs_short_last_p95"] = Ratio(longRun, "last_p95_ms", shortRun, "last_p95_ms"),
            ["peak_resident_blocks"] = peakResident,
            ["within_budget"] = s.Budget is not int limit || peakResident <= limit,
            ["budget_overruns"] = (long)shortRun["budget_overruns"]! + (long)longRun["budget_overruns"]!,
            ["evictions"] = (long)shortRun["evictions"]! + (long)longRun["evictions"]!,
            ["reloads"] = (long)shortRun["reloads"]! + (long)longRun["reloads"]!,
            ["peak_rss_mb"] = Math.Max((double)shortRun["peak_rss_mb"]!, (double)longRun["peak_rss_mb"]!),
        };
    }

    private static VoxelMemoryOptions NewOptions(Settings s, string? spill)
    {
        var options = new VoxelMemoryOptions { VoxelSizeMeters = s.Voxel, EvictionLowWaterFraction = s.LowWater, EvictionDirectory = spill };
        if (s.Budget is int budget) options.MaxBlocksInMemory = budget;
        return options;
    }

    private static Dictionary<string, object?> RunOne(Scene scene, Geometry.PinholeIntrinsics camera, int frames, Settings s, TextWriter? progress, string label)
    {
        // Each run starts from a collected heap and a reset high-water mark, so its peak RSS is its own.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        bool ownPeak = ResetPeakRss();
        string? spill = s.Budget is null ? null : Path.Combine(Path.GetTempPath(), $"anyrecon-scaling-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var options = NewOptions(s, spill);
        var times = new double[frames];
        int window = Math.Min(s.Window, frames / 2);
        long totalStart = Stopwatch.GetTimestamp();
        try
        {
            using var memory = new VoxelMemory(options);
            var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions { MaxDegreeOfParallelism = s.Threads });
            double renderMs = 0;
            long lastReport = 0;
            for (int i = 0; i < frames; i++)
            {
                long renderStart = Stopwatch.GetTimestamp();
                var pose = CameraPath.WorldFromCamera(scene, i, frames);
                var image = SceneRenderer.Render(scene, camera, pose);
                renderMs += Stopwatch.GetElapsedTime(renderStart).TotalMilliseconds;
                // Timed as the pipeline's integrate stage does its work: integration plus the budget check.
                long start = Stopwatch.GetTimestamp();
                integrator.Integrate(memory, image.Depth, image.Color, camera, pose);
                memory.EnforceBudget(pose.Translation);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (progress is not null && (Environment.TickCount64 - lastReport > 1000 || i == frames - 1))
                {
                    lastReport = Environment.TickCount64;
                    progress.Write($"\r{label} run: {i + 1}/{frames} frames, {memory.BlockCount} blocks ({memory.ResidentBlockCount} resident)   ");
                    if (i == frames - 1) progress.WriteLine();
                }
            }
            var first = times.AsSpan(0, window).ToArray();
            var last = times.AsSpan(frames - window, window).ToArray();
            Array.Sort(first);
            Array.Sort(last);
            var all = (double[])times.Clone();
            Array.Sort(all);
            return new Dictionary<string, object?>
            {
                ["frames"] = frames,
                ["window"] = window,
                ["first_p50_ms"] = BenchStatistics.Percentile(first, 0.5),
                ["first_p95_ms"] = BenchStatistics.Percentile(first, 0.95),
                ["last_p50_ms"] = BenchStatistics.Percentile(last, 0.5),
                ["last_p95_ms"] = BenchStatistics.Percentile(last, 0.95),
                ["all_p50_ms"] = BenchStatistics.Percentile(all, 0.5),
                ["all_p95_ms"] = BenchStatistics.Percentile(all, 0.95),
                ["integrate_total_s"] = times.Sum() / 1000,
                ["render_total_s"] = renderMs / 1000,
                ["elapsed_s"] = Stopwatch.GetElapsedTime(totalStart).TotalSeconds,
                ["blocks"] = memory.BlockCount,
                ["resident_blocks"] = memory.ResidentBlockCount,
                ["peak_resident_blocks"] = memory.PeakResidentBlockCount,
                ["evictions"] = memory.EvictionCount,
                ["eviction_passes"] = memory.EvictionPasses,
                ["reloads"] = memory.ReloadCount,
                ["budget_overruns"] = memory.BudgetOverruns,
                ["spill_file_mb"] = memory.EvictedStoreBytes / 1048576.0,
                ["peak_rss_mb"] = ProcessMemory.PeakRssMegabytes(),
                ["peak_rss_is_per_run"] = ownPeak,
                ["warning"] = memory.BudgetWarning,
            };
        }
        finally
        {
            if (spill is not null && Directory.Exists(spill)) Directory.Delete(spill, recursive: true);
        }
    }

    /// <summary>Resets VmHWM (Linux: "5" into /proc/self/clear_refs); false where that is not possible.</summary>
    private static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double? Ratio(Dictionary<string, object?> a, string keyA, Dictionary<string, object?> b, string keyB)
    {
        double denominator = (double)b[keyB]!;
        return denominator > 0 ? (double)a[keyA]! / denominator : null;
    }

    private static void Print(TextWriter output, Dictionary<string, object?> result)
    {
        foreach (var (key, value) in result)
        {
            if (value is Dictionary<string, object?> run)
            {
                output.WriteLine($"{key}:");
                foreach (var (k, v) in run) output.WriteLine($"  {k,-22} {Format(v)}");
            }
            else output.WriteLine($"{key,-34} {Format(value)}");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
