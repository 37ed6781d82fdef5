using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text.Json;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Cli.Bench;

/// <summary>
/// <c>anyrecon bench fusion</c>: TSDF fusion speed on an RGB-D folder, timed the way ../shared/peers/open3d_tsdf.py times
/// Open3D (frames decoded first; per frame the timed region is depth conversion + integration) and printing the same
/// keys, so the two can be run side by side on the very same frames and compared as ratios.
/// </summary>
internal static class BenchFusionCommand
{
    public static Command Build(CommandContext context)
    {
        var data = new Option<string>("--data") { Description = "RGB-D folder (../shared/design/RGBD_FOLDER.md)", Required = true };
        var voxel = new Option<double>("--voxel") { Description = "Voxel size in metres", Required = true };
        var threads = new Option<int>("--threads") { Description = "Worker threads for integration (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var frames = new Option<int>("--frames") { Description = "Use only the first N frames (0 = all)" };
        var warmup = new Option<int>("--warmup") { Description = "Frames left out of the statistics (as the peer script)", DefaultValueFactory = _ => 5 };
        var truncVox = new Option<int>("--trunc-vox") { Description = "Truncation in voxels (the peer's default is 4)", DefaultValueFactory = _ => 4 };
        var carving = new Option<string>("--carving")
        {
            Description = "Free-space carving of existing blocks in view: on (the node's default) or off (what Open3D's volumes do)",
            DefaultValueFactory = _ => "on",
        };
        carving.AcceptOnlyFromAmong("on", "off");
        var savePly = new Option<string?>("--save-ply") { Description = "Write the extracted points here" };
        var json = new Option<bool>("--json") { Description = "One JSON object with the peer script's keys, plus blocks" };
        var fusion = new Command("fusion", "TSDF integration ms/frame, point and mesh extraction, peak RSS on an RGB-D folder (same keys as the Open3D peer)")
        {
            data, voxel, threads, frames, warmup, truncVox, carving, savePly, json,
        };
        fusion.SetAction(parse => context.Guard(() =>
        {
            var result = Run(parse.GetValue(data)!, parse.GetValue(voxel), parse.GetValue(threads), parse.GetValue(frames), parse.GetValue(warmup),
                parse.GetValue(truncVox), parse.GetValue(carving) == "on", parse.GetValue(savePly));
            if (parse.GetValue(json)) context.Out.WriteLine(JsonSerializer.Serialize(result));
            else foreach (var (k, v) in result) context.Out.WriteLine($"{k,-20} {Convert.ToString(v, CultureInfo.InvariantCulture)}");
            return 0;
        }));
        var bench = new Command("bench", "Benchmarks measured the same way as the peer systems") { fusion, BenchScalingCommand.Build(context), BenchRetrievalCommand.Build(context), BenchTransportCommand.Build(context), BenchNodeCommand.Build(context) };
        return bench;
    }

    private static Dictionary<string, object> Run(string dir, double voxelSize, int threads, int frameLimit, int warmup, int truncVox, bool carving, string? savePly)
    {
        if (threads < 1) throw new ArgumentException("--threads must be at least 1");
        using var folder = RgbdFolder.Open(dir);
        int n = frameLimit > 0 ? Math.Min(frameLimit, folder.Count) : folder.Count;
        if (n == 0) throw new ArgumentException($"{dir} has no frames");

        // Decode before the timed loop, as the peer does; keep depth as the file's 16-bit values so the timed region
        // converts it to metres, like Open3D's RGBDImage creation does.
        var loaded = new (ColorImage Color, ushort[] Raw, Geometry.RigidTransform Pose)[n];
        for (int i = 0; i < n; i++)
        {
            var f = folder.ReadFrame(i);
            var raw = new ushort[f.Depth.Metres.Length];
            for (int k = 0; k < raw.Length; k++) raw[k] = (ushort)Math.Clamp(Math.Round(f.Depth.Metres[k] * folder.DepthScale), 0, ushort.MaxValue);
            loaded[i] = (f.Color, raw, f.WorldFromCamera);
        }

        var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = voxelSize, TruncationVoxels = truncVox });
        var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions
        {
            MaxIntegrationDistanceMeters = folder.DepthMaxMeters,
            MaxDegreeOfParallelism = threads,
            Carving = carving ? FreeSpaceCarving.ExistingBlocks : FreeSpaceCarving.Off,
        });
        var intrinsics = folder.Intrinsics;
        var depth = new DepthImage(intrinsics.Width, intrinsics.Height, new float[intrinsics.Width * intrinsics.Height]);
        float metresPerUnit = (float)(1 / folder.DepthScale);
        var times = new List<double>(n);
        foreach (var (color, raw, pose) in loaded)
        {
            long start = Stopwatch.GetTimestamp();
            ToMetres(raw, depth.Metres, metresPerUnit);
            integrator.Integrate(memory, depth, color, intrinsics, pose);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        long t0 = Stopwatch.GetTimestamp();
        var points = SurfaceExtractor.ExtractPoints(memory, maxDegreeOfParallelism: threads);
        double pointsMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        if (savePly is not null) PlyFile.WritePoints(savePly, points);
        int pointCount = points.Count;
        points = null;
        t0 = Stopwatch.GetTimestamp();
        var mesh = SurfaceExtractor.ExtractMesh(memory, maxDegreeOfParallelism: threads);
        double meshMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;

        var steady = (times.Count > warmup ? times.Skip(warmup) : times).Order().ToArray();
        double median = BenchStatistics.Percentile(steady, 0.5);
        return new Dictionary<string, object>
        {
            ["system"] = "anyrecon-" + typeof(VoxelMemory).Assembly.GetName().Version,
            ["voxel"] = voxelSize,
            ["frames"] = n,
            ["integrate_ms_median"] = median,
            ["integrate_ms_p95"] = BenchStatistics.Percentile(steady, 0.95),
            ["fps"] = 1000 / median,
            ["extract_points_ms"] = pointsMs,
            ["points"] = pointCount,
            ["extract_mesh_ms"] = meshMs,
            ["triangles"] = mesh.TriangleCount,
            ["peak_rss_mb"] = ProcessMemory.PeakRssMegabytes(),
            ["threads"] = threads,
            ["blocks"] = memory.BlockCount,
            ["carving"] = carving,
        };
    }

    /// <summary>16-bit depth units to metres, 16 pixels per step (the timed region includes it, as the peer's does).</summary>
    private static void ToMetres(ReadOnlySpan<ushort> raw, Span<float> metres, float metresPerUnit)
    {
        var scale = Vector256.Create(metresPerUnit);
        int i = 0;
        for (; i + 16 <= raw.Length; i += 16)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(raw.Slice(i, 16)));
            (Vector256.ConvertToSingle(lo) * scale).CopyTo(metres.Slice(i, 8));
            (Vector256.ConvertToSingle(hi) * scale).CopyTo(metres.Slice(i + 8, 8));
        }
        for (; i < raw.Length; i++) metres[i] = raw[i] * metresPerUnit;
    }
}
