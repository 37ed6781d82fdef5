using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Cli.Bench;

/// <summary>
/// <c>anyrecon bench retrieval</c>: how well and how fast keyframes are retrieved.
/// Quality: a synthetic room is fused (the camera circles it with revisits), every third frame kept as a keyframe;
/// targets on the path turned 40–80° away from its look direction rank the keyframes with <see cref="ViewRetriever"/>
/// and <see cref="NearestPoseRetriever"/>, judged by ground-truth visibility (the target's true surface points projected
/// into each keyframe with a depth test): mean visibility of the top k, and the share of the true top k retrieved.
/// Scale: keyframes along a long serpentine corridor (observed blocks of its floor and walls computed geometrically),
/// queried at poses along it, for growing keyframe counts: query time p50/p95 per count.
/// </summary>
internal static class BenchRetrievalCommand
{
    public static Command Build(CommandContext context)
    {
        var scene = new Option<string>("--scene") { Description = $"Scene for the quality part: {string.Join(", ", SceneLibrary.Names)}", DefaultValueFactory = _ => "living_room" };
        scene.AcceptOnlyFromAmong([.. SceneLibrary.Names]);
        var frames = new Option<int>("--frames") { Description = "Frames of the quality run (every third is a keyframe)", DefaultValueFactory = _ => 90 };
        var k = new Option<int>("--k") { Description = "Keyframes retrieved per target", DefaultValueFactory = _ => 4 };
        var sizes = new Option<string>("--keyframes") { Description = "Keyframe counts of the scale part, comma-separated", DefaultValueFactory = _ => "1000,2000,5000,10000" };
        var queries = new Option<int>("--queries") { Description = "Queries per keyframe count", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("retrieval", "Retrieval quality against ground-truth visibility (geometric vs nearest pose) and query time at up to 10,000 keyframes")
            { scene, frames, k, sizes, queries, json };
        command.SetAction(parse => context.Guard(() =>
        {
            int top = parse.GetValue(k);
            var quality = Quality(SceneLibrary.Get(parse.GetValue(scene)!), parse.GetValue(frames), top);
            var counts = parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var scale = counts.Select(n => Scale(n, parse.GetValue(queries), top)).ToArray();
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    targets = quality.Targets,
                    k = top,
                    geometric = new { mean_visibility = quality.Geometric, true_top_k_share = quality.GeometricHits },
                    nearest_pose = new { mean_visibility = quality.Nearest, true_top_k_share = quality.NearestHits },
                    best_possible_visibility = quality.Best,
                    scale = scale.Select(s => new { keyframes = s.Keyframes, query_ms_p50 = s.P50, query_ms_p95 = s.P95, candidates_scored_p50 = s.Scored }),
                }));
                return 0;
            }
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"quality, {quality.Targets} targets, top {top}: mean true visibility geometric {quality.Geometric:F3}, nearest pose {quality.Nearest:F3} (best possible {quality.Best:F3}); share of the true top {top}: {quality.GeometricHits:F3} vs {quality.NearestHits:F3}"));
            foreach (var s in scale)
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Keyframes,6} keyframes: query p50 {s.P50:F3} ms, p95 {s.P95:F3} ms, keyframes scored per query p50 {s.Scored}"));
            return 0;
        }));
        return command;
    }

    private sealed record QualityResult(int Targets, double Geometric, double Nearest, double Best, double GeometricHits, double NearestHits);

    private sealed record ScaleResult(int Keyframes, double P50, double P95, int Scored);

    private static QualityResult Quality(Scene scene, int frames, int top)
    {
        var camera = new SyntheticRecordingOptions { Width = 128, Height = 96, FocalPx = 105 }.Intrinsics;
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.04 });
        var integrator = new ProjectiveTsdfIntegrator();
        var geometric = new ViewRetriever(memory.BlockSizeMeters);
        var nearest = new NearestPoseRetriever();
        var keyframes = new List<(KeyframeInfo Info, DepthImage Depth)>();
        var observed = new List<BlockIndex>();
        for (int i = 0; i < frames; i++)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, frames);
            var image = SceneRenderer.Render(scene, camera, pose);
            integrator.Integrate(memory, image.Depth, image.Color, camera, pose);
            if (i % 3 != 0) continue;
            integrator.GetObservedBlocks(observed);
            var info = new KeyframeInfo(keyframes.Count, i, camera, pose, observed.ToArray());
            keyframes.Add((info, image.Depth));
            geometric.Add(info);
            nearest.Add(info);
        }
        var random = new Random(4);
        double g = 0, n = 0, best = 0, gh = 0, nh = 0;
        int targets = 0;
        for (int i = 1; i < frames; i += 7)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, frames);
            double yaw = (random.Next(2) * 2 - 1) * (40 + 40 * random.NextDouble()) * Math.PI / 180;
            var target = new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), yaw) * pose.Rotation, pose.Translation);
            var depth = SceneRenderer.Render(scene, camera, target).Depth;
            var truth = keyframes.Select(kf => (kf.Info.Id, Seen: Visibility(camera, depth, target, kf.Info.WorldFromCamera, kf.Depth)))
                .OrderByDescending(t => t.Seen).ThenBy(t => t.Id).ToList();
            var trueTop = truth.Take(top).Select(t => t.Id).ToHashSet();
            var seen = truth.ToDictionary(t => t.Id, t => t.Seen);
            var byGeometry = geometric.Query(target, camera, top, memory);
            var byPose = nearest.Query(target, top);
            g += byGeometry.Count == 0 ? 0 : byGeometry.Average(r => seen[r.Id]);
            n += byPose.Average(r => seen[r.Id]);
            best += truth.Take(top).Average(t => t.Seen);
            gh += byGeometry.Count(r => trueTop.Contains(r.Id)) / (double)top;
            nh += byPose.Count(r => trueTop.Contains(r.Id)) / (double)top;
            targets++;
        }
        return new QualityResult(targets, g / targets, n / targets, best / targets, gh / targets, nh / targets);
    }

    /// <summary>Share of the target's true surface points (every third pixel) the keyframe sees within 5 cm of its own depth.</summary>
    private static double Visibility(PinholeIntrinsics camera, DepthImage targetDepth, RigidTransform target, RigidTransform keyframePose, DepthImage keyframeDepth)
    {
        var keyframeFromWorld = keyframePose.Inverse();
        int valid = 0, seen = 0;
        for (int v = 1; v < camera.Height; v += 3)
            for (int u = 1; u < camera.Width; u += 3)
            {
                double d = targetDepth.Metres[v * camera.Width + u];
                if (!(d > 0)) continue;
                valid++;
                var p = keyframeFromWorld.Apply(target.Apply(camera.BackProject(u, v, d)));
                if (p.Z <= 0.05) continue;
                int ku = (int)Math.Round(camera.Fx * p.X / p.Z + camera.Cx), kv = (int)Math.Round(camera.Fy * p.Y / p.Z + camera.Cy);
                if (ku < 0 || kv < 0 || ku >= camera.Width || kv >= camera.Height) continue;
                double kd = keyframeDepth.Metres[kv * camera.Width + ku];
                if (kd > 0 && Math.Abs(kd - p.Z) < 0.05) seen++;
            }
        return valid == 0 ? 0 : (double)seen / valid;
    }

    /// <summary>
    /// Keyframes every 0.25 m along a serpentine corridor (2 m wide, 2.5 m high, legs of 40 m), each looking down it:
    /// its observed blocks are the floor and wall blocks within 4 m ahead in its field of view (2 cm voxels).
    /// </summary>
    private static ScaleResult Scale(int count, int queries, int top)
    {
        const double voxel = 0.02, spacing = 0.25, leg = 40;
        double block = voxel * 8;
        var camera = new PinholeIntrinsics(320, 240, 260, 260, 159.5, 119.5);
        var retriever = new ViewRetriever(block);
        var poses = new RigidTransform[count];
        for (int i = 0; i < count; i++)
        {
            poses[i] = CorridorPose(i * spacing, leg);
            retriever.Add(new KeyframeInfo(i, i, camera, poses[i], CorridorBlocks(poses[i], camera, block, leg)));
        }
        var random = new Random(1);
        var times = new double[queries];
        var scored = new int[queries];
        for (int q = 0; q < queries; q++)
        {
            var pose = CorridorPose((count - 1) * spacing * random.NextDouble(), leg);
            long start = Stopwatch.GetTimestamp();
            var result = retriever.Query(pose, camera, top, memory: null);
            times[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            scored[q] = retriever.LastQueryCandidates;
        }
        Array.Sort(times);
        Array.Sort(scored);
        return new ScaleResult(count, BenchStatistics.Percentile(times, 0.5), BenchStatistics.Percentile(times, 0.95), scored[queries / 2]);
    }

    /// <summary>A camera at distance s along the serpentine (legs along ±x, 3 m apart in y), 1.2 m up, looking along the leg.</summary>
    private static RigidTransform CorridorPose(double s, double leg)
    {
        int index = (int)(s / leg);
        double along = s - index * leg;
        bool forward = index % 2 == 0;
        double x = forward ? along : leg - along, y = index * 3.0;
        var eye = new Vector3d(x, y, 1.2);
        return CameraPath.LookAt(eye, eye + new Vector3d(forward ? 1 : -1, 0, -0.15));
    }

    private static BlockIndex[] CorridorBlocks(RigidTransform pose, PinholeIntrinsics camera, double block, double leg)
    {
        var blocks = new HashSet<BlockIndex>();
        var cameraFromWorld = pose.Inverse();
        var eye = pose.Translation;
        // Sample the corridor's floor (z = 0) and walls (y ± 1 m) ahead of the camera every half block.
        for (double ahead = 0.2; ahead <= 4; ahead += block / 2)
        {
            var forward = pose.Rotation.Rotate(new Vector3d(0, 0, 1));
            double direction = forward.X >= 0 ? 1 : -1;
            double x = eye.X + direction * ahead;
            if (x < -1 || x > leg + 1) continue;
            for (double t = -1; t <= 1; t += block / 2)
            {
                Add(new Vector3d(x, eye.Y + t, 0));
                double height = 1.25 + 1.25 * t;
                Add(new Vector3d(x, eye.Y - 1, height));
                Add(new Vector3d(x, eye.Y + 1, height));
            }
        }
        var sorted = blocks.ToArray();
        Array.Sort(sorted, static (a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.Z.CompareTo(b.Z));
        return sorted;

        void Add(Vector3d p)
        {
            var c = cameraFromWorld.Apply(p);
            if (c.Z <= 0.1) return;
            double u = camera.Fx * c.X / c.Z + camera.Cx, v = camera.Fy * c.Y / c.Z + camera.Cy;
            if (u < 0 || v < 0 || u >= camera.Width || v >= camera.Height) return;
            blocks.Add(BlockIndex.FromPoint(p.X, p.Y, p.Z, block));
        }
    }
}
