using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.CaptureViews.Tests.Retrieval;

/// <summary>
/// Retrieval against ground-truth visibility: on a synthetic room the camera circles (with revisits), targets turned
/// away from the path's look direction must get keyframes that truly see what they see, judged by projecting each
/// target's true surface points into the keyframes with a depth test.
/// </summary>
public sealed class ViewRetrieverTests
{
    private const int Frames = 90, KeyframeEvery = 3;
    private static readonly PinholeIntrinsics s_camera = new SyntheticRecordingOptions { Width = 128, Height = 96, FocalPx = 105 }.Intrinsics;

    private sealed record Capture(KeyframeInfo Info, DepthImage Depth);

    private static readonly Lazy<(VoxelMemory Memory, List<Capture> Keyframes, Scene Scene)> s_room = new(() =>
    {
        var scene = SceneLibrary.Get("living_room");
        var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.04 });
        var integrator = new ProjectiveTsdfIntegrator();
        var keyframes = new List<Capture>();
        var observed = new List<BlockIndex>();
        for (int i = 0; i < Frames; i++)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, Frames);
            var image = SceneRenderer.Render(scene, s_camera, pose);
            integrator.Integrate(memory, image.Depth, image.Color, s_camera, pose);
            if (i % KeyframeEvery != 0) continue;
            integrator.GetObservedBlocks(observed);
            keyframes.Add(new Capture(new KeyframeInfo(keyframes.Count, i, s_camera, pose, observed.ToArray()), image.Depth));
        }
        return (memory, keyframes, scene);
    });

    /// <summary>Targets on the path between keyframes, turned about the vertical by ±(40..80)°.</summary>
    private static List<RigidTransform> Targets(Scene scene)
    {
        var random = new Random(4);
        var targets = new List<RigidTransform>();
        for (int i = 1; i < Frames; i += 7)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, Frames);
            double yaw = (random.Next(2) * 2 - 1) * (40 + 40 * random.NextDouble()) * Math.PI / 180;
            var turned = new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), yaw) * pose.Rotation, pose.Translation);
            targets.Add(turned);
        }
        return targets;
    }

    /// <summary>Fraction of the target's true surface points a keyframe sees (inside its image, passing its depth within 5 cm).</summary>
    private static double Visibility(DepthImage targetDepth, RigidTransform target, Capture keyframe)
    {
        var keyframeFromWorld = keyframe.Info.WorldFromCamera.Inverse();
        int valid = 0, seen = 0;
        for (int v = 1; v < s_camera.Height; v += 3)
            for (int u = 1; u < s_camera.Width; u += 3)
            {
                double d = targetDepth.Metres[v * s_camera.Width + u];
                if (!(d > 0)) continue;
                valid++;
                var p = keyframeFromWorld.Apply(target.Apply(s_camera.BackProject(u, v, d)));
                if (p.Z <= 0.05) continue;
                int ku = (int)Math.Round(s_camera.Fx * p.X / p.Z + s_camera.Cx), kv = (int)Math.Round(s_camera.Fy * p.Y / p.Z + s_camera.Cy);
                if (ku < 0 || kv < 0 || ku >= s_camera.Width || kv >= s_camera.Height) continue;
                double kd = keyframe.Depth.Metres[kv * s_camera.Width + ku];
                if (kd > 0 && Math.Abs(kd - p.Z) < 0.05) seen++;
            }
        return valid == 0 ? 0 : (double)seen / valid;
    }

    [Fact]
    public void Query_TurnedTargets_RetrievesViewsThatTrulySeeThemBetterThanNearestPose()
    {
        var (memory, keyframes, scene) = s_room.Value;
        var geometric = new ViewRetriever(memory.BlockSizeMeters);
        var nearest = new NearestPoseRetriever();
        foreach (var k in keyframes)
        {
            geometric.Add(k.Info);
            nearest.Add(k.Info);
        }
        const int K = 4;
        double geometricSeen = 0, nearestSeen = 0, geometricHits = 0, nearestHits = 0, oracle = 0;
        var targets = Targets(scene);
        foreach (var target in targets)
        {
            var depth = SceneRenderer.Render(scene, s_camera, target).Depth;
            var truth = keyframes.Select(k => (k.Info.Id, Seen: Visibility(depth, target, k))).OrderByDescending(t => t.Seen).ThenBy(t => t.Id).ToList();
            var best = truth.Take(K).Select(t => t.Id).ToHashSet();
            oracle += truth.Take(K).Average(t => t.Seen);
            var byGeometry = geometric.Query(target, s_camera, K, memory);
            var byPose = nearest.Query(target, K);
            Assert.Equal(K, byGeometry.Count);
            geometricSeen += byGeometry.Average(r => truth.First(t => t.Id == r.Id).Seen);
            nearestSeen += byPose.Average(r => truth.First(t => t.Id == r.Id).Seen);
            geometricHits += byGeometry.Count(r => best.Contains(r.Id));
            nearestHits += byPose.Count(r => best.Contains(r.Id));
        }
        geometricSeen /= targets.Count;
        nearestSeen /= targets.Count;
        TestContext.Current.SendDiagnosticMessage($"{targets.Count} targets: mean true visibility of the top {K}: geometric {geometricSeen:F3}, nearest pose {nearestSeen:F3}, best possible {oracle / targets.Count:F3}; " +
            $"in the true top {K}: geometric {geometricHits / (K * targets.Count):F3}, nearest pose {nearestHits / (K * targets.Count):F3}");
        Assert.True(geometricSeen > nearestSeen + 0.05, $"geometric {geometricSeen:F3} vs nearest pose {nearestSeen:F3}");
        Assert.True(geometricHits > nearestHits, $"true top-{K} hits: geometric {geometricHits}, nearest pose {nearestHits}");
    }

    [Fact]
    public void Query_Ranking_IsDeterministicAndBestFirst()
    {
        var (memory, keyframes, scene) = s_room.Value;
        var retriever = new ViewRetriever(memory.BlockSizeMeters);
        foreach (var k in keyframes) retriever.Add(k.Info);
        var target = CameraPath.WorldFromCamera(scene, 10, Frames);
        var first = retriever.Query(target, s_camera, 6, memory);
        var again = retriever.Query(target, s_camera, 6, memory);
        Assert.Equal(first, again);
        Assert.True(first.Zip(first.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        // A target exactly at a keyframe ranks that keyframe (or one seeing the same) first; it is among the top.
        Assert.Contains(first, r => r.Id == 10 / KeyframeEvery - 1 || r.Id == 10 / KeyframeEvery || r.Id == 10 / KeyframeEvery + 1);
    }
}
