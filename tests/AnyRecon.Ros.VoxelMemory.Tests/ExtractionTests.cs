using System.Numerics;
using AnyRecon.Ros.Geometry;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

public sealed class ExtractionTests
{
    private static readonly Sphere s_sphere = new(new Vector3d(0.05, -0.03, 1.0), 0.3);

    /// <summary>A floating sphere seen from 26 directions (a ring at three heights plus top and bottom).</summary>
    internal static VoxelMemory IntegrateSphere(double voxelSize, VoxelMemoryOptions? options = null, TsdfIntegratorOptions? integratorOptions = null)
    {
        options ??= new VoxelMemoryOptions();
        options.VoxelSizeMeters = voxelSize;
        var memory = new VoxelMemory(options);
        var integrator = new ProjectiveTsdfIntegrator(integratorOptions);
        var k = DepthRenderer.Camera(320, 240, fov: 0.9);
        foreach (var pose in SpherePoses())
        {
            var (depth, color) = DepthRenderer.Render([s_sphere], k, pose);
            integrator.Integrate(memory, depth, color, k, pose);
            memory.EnforceBudget(pose.Translation);
        }
        return memory;
    }

    internal static IEnumerable<RigidTransform> SpherePoses()
    {
        var c = s_sphere.Center;
        foreach (double elevation in new[] { -0.7, 0.0, 0.7 })
            for (int i = 0; i < 8; i++)
            {
                double a = i * Math.PI / 4 + elevation;
                var eye = c + new Vector3d(Math.Cos(a) * Math.Cos(elevation), Math.Sin(a) * Math.Cos(elevation), Math.Sin(elevation)) * 1.2;
                yield return DepthRenderer.LookAt(eye, c);
            }
        yield return DepthRenderer.LookAt(c + new Vector3d(0.01, 0, 1.2), c);
        yield return DepthRenderer.LookAt(c + new Vector3d(0.01, 0, -1.2), c);
    }

    private static double AngleDegrees(Vector3 a, Vector3d b) =>
        Math.Acos(Math.Clamp(Vector3d.Dot(new Vector3d(a.X, a.Y, a.Z), b), -1, 1)) * 180 / Math.PI;

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.02)]
    public void ExtractPoints_Sphere_PointsOnSurfaceWithTrueNormals(double voxelSize)
    {
        using var memory = IntegrateSphere(voxelSize);
        var points = SurfaceExtractor.ExtractPoints(memory);
        Assert.True(points.Count > 1000, $"{points.Count} points");
        var angles = new List<double>();
        foreach (var p in points)
        {
            var position = new Vector3d(p.Position.X, p.Position.Y, p.Position.Z);
            Assert.True(Math.Abs(s_sphere.SignedDistance(position)) <= voxelSize / 2, $"{position} is {s_sphere.SignedDistance(position)} m off the sphere");
            angles.Add(AngleDegrees(p.Normal, s_sphere.Normal(position)));
            Assert.Equal(EvidenceChannel.Observed, p.Source);
            Assert.True(p.Confidence > 0);
            // The colour ramp changes by up to 200 per metre; a voxel takes colour from up to one truncation away.
            int tolerance = (int)(4 + 250 * memory.TruncationMeters);
            Assert.InRange(p.R, DepthRenderer.ColorAt(position.X) - tolerance, DepthRenderer.ColorAt(position.X) + tolerance);
        }
        // One view gives exact normals (see the plane test); where views overlap, each voxel averages a different
        // subset of views, and the switch between subsets tilts the gradient: about 5° on average here.
        angles.Sort();
        Assert.True(angles.Average() < 6, $"mean normal error {angles.Average():F2}°");
        Assert.True(angles[^1] < 20, $"largest normal error {angles[^1]:F2}°");
    }

    [Fact]
    public void ExtractPoints_PlaneOneView_ExactNormals()
    {
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.02 });
        var k = DepthRenderer.Camera(320, 240);
        var plane = new Plane(new Vector3d(0, 0, 0.013), DepthRenderer.Normalize(new Vector3d(0.1, -0.2, 1)));
        var pose = DepthRenderer.LookAt(new Vector3d(0.15, -0.3, 1.5), new Vector3d(0, 0, 0));
        var (depth, color) = DepthRenderer.Render([plane], k, pose);
        new ProjectiveTsdfIntegrator().Integrate(memory, depth, color, k, pose);
        var points = SurfaceExtractor.ExtractPoints(memory);
        Assert.True(points.Count > 2000);
        var angles = points.Select(p => AngleDegrees(p.Normal, plane.UnitNormal)).OrderBy(a => a).ToList();
        Assert.True(angles[(int)(angles.Count * 0.99)] < 0.1, $"99th percentile normal error {angles[(int)(angles.Count * 0.99)]:F3}°");
        Assert.All(points, p => Assert.True(Math.Abs(plane.SignedDistance(new Vector3d(p.Position.X, p.Position.Y, p.Position.Z))) < 1e-3));
    }

    [Fact]
    public void ExtractPoints_Plane_WithinHalfVoxel()
    {
        const double voxelSize = 0.02;
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = voxelSize });
        var integrator = new ProjectiveTsdfIntegrator();
        var k = DepthRenderer.Camera(320, 240);
        var plane = new Plane(new Vector3d(0, 0, 0.013), DepthRenderer.Normalize(new Vector3d(0.1, -0.2, 1)));
        for (int i = 0; i < 6; i++)
        {
            var pose = DepthRenderer.LookAt(new Vector3d(Math.Cos(i) * 0.8, Math.Sin(i) * 0.8, 1.5), new Vector3d(0.1 * i, 0, 0));
            var (depth, color) = DepthRenderer.Render([plane], k, pose);
            integrator.Integrate(memory, depth, color, k, pose);
        }
        var points = SurfaceExtractor.ExtractPoints(memory);
        Assert.True(points.Count > 2000, $"{points.Count} points");
        var angles = new List<double>();
        foreach (var p in points)
        {
            var position = new Vector3d(p.Position.X, p.Position.Y, p.Position.Z);
            Assert.True(Math.Abs(plane.SignedDistance(position)) <= voxelSize / 2, $"{position} is {plane.SignedDistance(position)} m off the plane");
            angles.Add(AngleDegrees(p.Normal, plane.UnitNormal));
        }
        Assert.True(angles.Average() < 3, $"mean normal error {angles.Average():F2}°");
        Assert.True(angles.Max() < 25, $"largest normal error {angles.Max():F2}°");
    }

    [Fact]
    public void ExtractMesh_Sphere_ClosedWithEulerCharacteristicTwo()
    {
        const double voxelSize = 0.02;
        using var memory = IntegrateSphere(voxelSize);
        var mesh = SurfaceExtractor.ExtractMesh(memory);
        Assert.True(mesh.TriangleCount > 1000);

        // Every undirected edge must be shared by exactly two triangles, in opposite directions (closed, oriented).
        var directed = new HashSet<(int, int)>();
        for (int t = 0; t < mesh.Indices.Length; t += 3)
            for (int e = 0; e < 3; e++)
            {
                int a = mesh.Indices[t + e], b = mesh.Indices[t + (e + 1) % 3];
                Assert.NotEqual(a, b);
                Assert.True(directed.Add((a, b)), $"edge {a}->{b} used twice in one direction");
            }
        foreach (var (a, b) in directed) Assert.Contains((b, a), directed);
        int edges = directed.Count / 2;
        Assert.Equal(2, mesh.Vertices.Length - edges + mesh.TriangleCount);

        // Vertices lie on the sphere and triangles face outwards.
        foreach (var v in mesh.Vertices)
            Assert.True(Math.Abs(s_sphere.SignedDistance(new Vector3d(v.Position.X, v.Position.Y, v.Position.Z))) <= voxelSize / 2);
        int outward = 0;
        for (int t = 0; t < mesh.Indices.Length; t += 3)
        {
            var p0 = mesh.Vertices[mesh.Indices[t]].Position;
            var n = Vector3.Cross(mesh.Vertices[mesh.Indices[t + 1]].Position - p0, mesh.Vertices[mesh.Indices[t + 2]].Position - p0);
            var radial = p0 - s_sphere.Center.ToFloat();
            if (Vector3.Dot(n, radial) > 0) outward++;
        }
        Assert.True(outward > mesh.TriangleCount * 0.99, $"{outward} of {mesh.TriangleCount} triangles face outwards");
    }

    [Theory]
    [InlineData(0.5f, -0.5f, 1)]
    [InlineData(0.998f, -0.998f, 1)]
    [InlineData(1f, -0.5f, 0)]
    [InlineData(0.5f, -1.1f, 0)]
    [InlineData(0.5f, -0.999f, 0)]
    public void ExtractPoints_CrossingNextToTruncatedVoxel_IsNotASurface(float front, float behind, int expected)
    {
        // Two observed voxels side by side along x; every other voxel stays unobserved (weight 0).
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.05 });
        var block = memory.GetOrAllocate(new BlockIndex(0, 0, 0));
        int a = BlockIndex.Linear(3, 3, 3), b = BlockIndex.Linear(4, 3, 3);
        (block.ObservedTsdf[a], block.ObservedWeight[a]) = (front, 1);
        (block.ObservedTsdf[b], block.ObservedWeight[b]) = (behind, 1);

        var points = SurfaceExtractor.ExtractPoints(memory);

        Assert.Equal(expected, points.Count);
        if (expected == 0) return;
        // Linear interpolation of the zero crossing between the two voxel centres (x = 0.175 m and 0.225 m).
        double x = 0.175 + 0.05 * front / (front - behind);
        Assert.Equal(x, points[0].Position.X, 5);
    }

    [Fact]
    public void ExtractMesh_VerticesAreThePointCloud()
    {
        using var memory = IntegrateSphere(0.03);
        var points = SurfaceExtractor.ExtractPoints(memory).Select(p => p.Position).ToHashSet();
        var mesh = SurfaceExtractor.ExtractMesh(memory);
        Assert.All(mesh.Vertices, v => Assert.Contains(v.Position, points));
    }

    [Fact]
    public void BlocksToReextract_AfterNewFrame_CoversEveryBlockWhoseOutputChanged()
    {
        var k = DepthRenderer.Camera(96, 72);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.01 });
        var integrator = new ProjectiveTsdfIntegrator();
        var poses = SpherePoses().ToList();
        foreach (var pose in poses.Take(5))
        {
            var (depth, color) = DepthRenderer.Render([s_sphere], k, pose);
            integrator.Integrate(memory, depth, color, k, pose);
        }
        static Dictionary<BlockIndex, string> PerBlock(VoxelMemory m) => m.GetBlockIndices().ToDictionary(b => b,
            b => string.Join(";", SurfaceExtractor.ExtractPoints(m, [b]).Select(p => $"{p.Position}{p.Confidence}{p.Normal}")));
        var before = PerBlock(memory);
        long stamp = memory.Stamp;
        var (d, c) = DepthRenderer.Render([s_sphere], k, poses[5]);
        integrator.Integrate(memory, d, c, k, poses[5]);
        var after = PerBlock(memory);
        var redo = SurfaceExtractor.BlocksToReextract(memory, memory.ChangedBlocksSince(stamp)).ToHashSet();
        int differing = 0;
        foreach (var (block, points) in after)
        {
            if (before.TryGetValue(block, out var old) && old == points) continue;
            differing++;
            Assert.Contains(block, redo);
        }
        Assert.True(differing > 10, $"{differing} blocks changed output");
        Assert.True(redo.Count < memory.BlockCount, "incremental extraction should not need every block");
    }

    [Fact]
    public void MarchingCubesTable_EveryCase_UsesExactlyTheCrossingEdges()
    {
        // Every cube edge with a sign change gets a vertex, and no other edge does.
        for (int config = 1; config < 255; config++)
        {
            int crossings = 0;
            for (int e = 0; e < 12; e++)
            {
                int c0 = MarchingCubesTable.EdgeCorner[e], c1 = c0 | 1 << MarchingCubesTable.EdgeAxis[e];
                if (((config >> c0) & 1) != ((config >> c1) & 1)) crossings++;
            }
            var used = new HashSet<int>();
            for (int t = MarchingCubesTable.CaseStart[config]; t < MarchingCubesTable.CaseStart[config + 1]; t++) used.Add(MarchingCubesTable.Triangles[t]);
            Assert.Equal(crossings, used.Count);
        }
        Assert.Equal(0, MarchingCubesTable.CaseStart[1] - MarchingCubesTable.CaseStart[0]);
    }

    [Fact]
    public void Integrate_ObjectRemoved_CarvingErasesItAndOffKeepsIt()
    {
        var k = DepthRenderer.Camera(96, 72);
        var wall = new Plane(new Vector3d(0, 0, 0), new Vector3d(0, 0, 1));
        var ball = new Sphere(new Vector3d(0, 0, 0.5), 0.15);
        var pose = DepthRenderer.LookAt(new Vector3d(0.3, 0, 1.8), new Vector3d(0, 0, 0));
        foreach (var carving in new[] { FreeSpaceCarving.ExistingBlocks, FreeSpaceCarving.Off })
        {
            using var memory = new VoxelMemory(new VoxelMemoryOptions { MaxWeight = 8 });
            var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions { Carving = carving });
            var before = DepthRenderer.Render([wall, ball], k, pose);
            for (int i = 0; i < 3; i++) integrator.Integrate(memory, before.Depth, before.Color, k, pose);
            var after = DepthRenderer.Render([wall], k, pose);
            for (int i = 0; i < 10; i++) integrator.Integrate(memory, after.Depth, after.Color, k, pose);
            int onBall = SurfaceExtractor.ExtractPoints(memory).Count(p => p.Position.Z > 0.2);
            if (carving == FreeSpaceCarving.ExistingBlocks) Assert.Equal(0, onBall);
            else Assert.True(onBall > 100, $"{onBall} ball points without carving");
        }
    }
}
