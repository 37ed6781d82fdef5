using AnyRecon.Ros.Geometry;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

/// <summary>
/// The incremental surface points behind ~/points and ~/get_map against a full extraction of the same map, with the
/// map's writer integrating frames between the cache's steps as the live node's integration stage does.
/// </summary>
public sealed class SurfacePointCacheTests
{
    private static readonly Sphere s_sphere = new(new Vector3d(0.05, -0.03, 1.0), 0.3);
    private static readonly PinholeIntrinsics s_camera = DepthRenderer.Camera(160, 120, fov: 0.9);

    private static void Integrate(VoxelMemory memory, ProjectiveTsdfIntegrator integrator, RigidTransform pose)
    {
        var (depth, color) = DepthRenderer.Render([s_sphere], s_camera, pose);
        integrator.Integrate(memory, depth, color, s_camera, pose);
    }

    private static MapAccess Direct(VoxelMemory memory) => (read, _) =>
    {
        read(memory);
        return Task.CompletedTask;
    };

    /// <summary>Points in a canonical order, so two extractions compare as sets.</summary>
    private static List<SurfacePoint> Sorted(IEnumerable<SurfacePoint> points) =>
        [.. points.OrderBy(p => p.Position.X).ThenBy(p => p.Position.Y).ThenBy(p => p.Position.Z).ThenBy(p => p.Normal.X)];

    [Fact]
    public async Task FramesIntegratedBetweenSteps_TheNextRefreshEqualsAFullExtraction()
    {
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.02 });
        var integrator = new ProjectiveTsdfIntegrator();
        var poses = ExtractionTests.SpherePoses().ToList();
        Integrate(memory, integrator, poses[0]);
        var cache = new SurfacePointCache(blocksPerStep: 8);
        int next = 1, steps = 0;
        // The writer gets in before every step of the cache, as integration does between the node's map accesses.
        MapAccess interleaved = (read, _) =>
        {
            if (next < poses.Count) Integrate(memory, integrator, poses[next++]);
            steps++;
            read(memory);
            return Task.CompletedTask;
        };
        var ct = TestContext.Current.CancellationToken;
        while (next < poses.Count) Assert.NotNull(await cache.SnapshotAsync(interleaved, onlyIfChanged: true, ct));
        Assert.True(steps > poses.Count, $"{steps} map accesses for {poses.Count} frames: the refreshes were not stepped");

        // Every frame is in; one more refresh catches the blocks that changed during the last one.
        var points = await cache.SnapshotAsync(Direct(memory), onlyIfChanged: true, ct);
        Assert.NotNull(points);
        var full = SurfaceExtractor.ExtractPoints(memory);
        Assert.True(full.Count > 1000, $"{full.Count} points");
        Assert.Equal(Sorted(full), Sorted(points!));
        // Nothing changed since: no snapshot when only changes are wanted, the same points otherwise.
        Assert.Null(await cache.SnapshotAsync(Direct(memory), onlyIfChanged: true, ct));
        Assert.Equal(Sorted(full), Sorted((await cache.SnapshotAsync(Direct(memory), onlyIfChanged: false, ct))!));
    }

    [Fact]
    public async Task RemovedBlocksLoseTheirPoints_AndAReplacedMapStartsOver()
    {
        var ct = TestContext.Current.CancellationToken;
        using var memory = ExtractionTests.IntegrateSphere(0.02);
        var cache = new SurfacePointCache(blocksPerStep: 32);
        Assert.Equal(Sorted(SurfaceExtractor.ExtractPoints(memory)), Sorted((await cache.SnapshotAsync(Direct(memory), onlyIfChanged: false, ct))!));

        var withPoints = SurfaceExtractor.ExtractPointsByBlock(memory, memory.GetBlockIndices());
        var blocks = memory.GetBlockIndices();
        var removed = blocks.Where((_, i) => withPoints[i] is { Count: > 0 }).Take(5).ToList();
        Assert.Equal(5, removed.Count);
        foreach (var index in removed) Assert.True(memory.Remove(index));
        var afterRemoval = await cache.SnapshotAsync(Direct(memory), onlyIfChanged: true, ct);
        Assert.NotNull(afterRemoval);
        Assert.Equal(Sorted(SurfaceExtractor.ExtractPoints(memory)), Sorted(afterRemoval!));

        using var other = ExtractionTests.IntegrateSphere(0.03);
        var replaced = await cache.SnapshotAsync(Direct(other), onlyIfChanged: true, ct);
        Assert.NotNull(replaced);
        Assert.Equal(Sorted(SurfaceExtractor.ExtractPoints(other)), Sorted(replaced!));
        Assert.Equal(0.03, cache.VoxelSizeMeters, 9);
    }

    [Fact]
    public void RenderInBandsOfRows_EqualsOneRender()
    {
        using var memory = ExtractionTests.IntegrateSphere(0.02);
        var pose = DepthRenderer.LookAt(s_sphere.Center + new Vector3d(0.4, -0.9, 0.5), s_sphere.Center);
        var k = DepthRenderer.Camera(96, 71, fov: 0.8);
        var whole = VoxelRaycaster.Render(memory, pose, k);
        var banded = new RaycastImage(k.Width, k.Height);
        for (int row = 0; row < k.Height; row += 7) VoxelRaycaster.RenderRows(memory, pose, k, banded, row, Math.Min(7, k.Height - row));
        Assert.Contains(whole.Depth, d => d > 0);
        Assert.Equal(whole.Depth, banded.Depth);
        Assert.Equal(whole.Rgb, banded.Rgb);
        Assert.Equal(whole.Confidence, banded.Confidence);
        Assert.Equal(whole.Generated, banded.Generated);
        Assert.Throws<ArgumentOutOfRangeException>(() => VoxelRaycaster.RenderRows(memory, pose, k, banded, 70, 2));
    }
}
