using AnyRecon.Ros.Geometry;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

public sealed class IntegrationTests
{
    internal static List<IShape> RandomScene(Random random)
    {
        var shapes = new List<IShape> { new Plane(new Vector3d(0, 0, 0), new Vector3d(0, 0, 1)) };
        for (int i = 0; i < 4; i++)
            shapes.Add(new Sphere(new Vector3d(random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1, random.NextDouble() * 0.5), 0.15 + random.NextDouble() * 0.3));
        return shapes;
    }

    internal static RigidTransform RandomPose(Random random)
    {
        double angle = random.NextDouble() * Math.PI * 2;
        var eye = new Vector3d(2.2 * Math.Cos(angle), 2.2 * Math.Sin(angle), 0.8 + random.NextDouble());
        return DepthRenderer.LookAt(eye, new Vector3d(random.NextDouble() * 0.4 - 0.2, random.NextDouble() * 0.4 - 0.2, 0.2));
    }

    [Theory]
    [InlineData(1, 0.02, DepthWeighting.InverseSquare)]
    [InlineData(2, 0.03, DepthWeighting.InverseSquare)]
    [InlineData(3, 0.05, DepthWeighting.InverseSquare)]
    [InlineData(4, 0.02, DepthWeighting.Constant)]
    public void Integrate_RandomScenes_MatchesDoublePrecisionReference(int seed, double voxelSize, DepthWeighting weighting)
    {
        var random = new Random(seed);
        var shapes = RandomScene(random);
        var k = DepthRenderer.Camera(96, 72);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = voxelSize, MaxWeight = 3 });
        var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions { DepthWeighting = weighting });
        var options = integrator.Options;
        var reference = new ReferenceTsdfIntegrator(voxelSize, memory.TruncationVoxels, memory.MaxWeight,
            options.MinIntegrationDistanceMeters, options.MaxIntegrationDistanceMeters, weighting);

        for (int frame = 0; frame < 5; frame++)
        {
            var pose = RandomPose(random);
            var (depth, color) = DepthRenderer.Render(shapes, k, pose);
            // Random holes, as real sensors drop pixels.
            for (int i = 0; i < depth.Metres.Length; i++) if (random.NextDouble() < 0.05) depth.Metres[i] = i % 2 == 0 ? 0 : float.NaN;
            integrator.Integrate(memory, depth, color, k, pose);
            reference.Integrate(memory.GetBlockIndices(), depth, color, k, pose);
        }

        int compared = 0, ambiguous = 0;
        foreach (var index in memory.GetBlockIndices())
        {
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                var key = (index.X * 8 + x, index.Y * 8 + y, index.Z * 8 + z);
                Assert.True(memory.TryGetVoxel(key.Item1, key.Item2, key.Item3, out var fast));
                if (!reference.Voxels.TryGetValue(key, out var slow))
                {
                    Assert.Equal(0f, fast.ObservedWeight);
                    continue;
                }
                if (slow.Ambiguous)
                {
                    ambiguous++;
                    continue;
                }
                compared++;
                Assert.True(Math.Abs(slow.Weight - fast.ObservedWeight) <= 1e-5, $"voxel {key}: reference weight {slow.Weight}, fast {fast.ObservedWeight}");
                if (slow.Weight == 0) continue;
                Assert.True(Math.Abs(slow.Tsdf - fast.ObservedTsdf) <= 1e-4, $"voxel {key}: reference {slow.Tsdf}, fast {fast.ObservedTsdf}");
                Assert.InRange(fast.ObservedR, slow.R - 1, slow.R + 1);
                Assert.InRange(fast.ObservedG, slow.G - 1, slow.G + 1);
                Assert.InRange(fast.ObservedB, slow.B - 1, slow.B + 1);
            }
        }
        Assert.True(compared > 5000, $"only {compared} voxels compared");
        Assert.True(ambiguous < compared / 50, $"{ambiguous} ambiguous of {compared}");
    }

    [Fact]
    public void GetObservedBlocks_SecondFrame_AreTheBlocksWithAVoxelInItsBand()
    {
        var random = new Random(5);
        var shapes = RandomScene(random);
        var k = DepthRenderer.Camera(120, 90);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.03 });
        var integrator = new ProjectiveTsdfIntegrator();
        var first = RandomPose(random);
        var (d0, c0) = DepthRenderer.Render(shapes, k, first);
        integrator.Integrate(memory, d0, c0, k, first);
        var pose = RandomPose(random);
        var (depth, color) = DepthRenderer.Render(shapes, k, pose);
        integrator.Integrate(memory, depth, color, k, pose);
        var observed = new List<BlockIndex>();
        integrator.GetObservedBlocks(observed);

        // Truth in double precision over every voxel of the map: a block is observed when some voxel centre projects
        // to a valid reading within the truncation band (along the optical axis). Voxels at a pixel border or at the
        // band's edge could go either way in float: they make a block "possible", not "required".
        var cameraFromWorld = pose.Inverse();
        double trunc = memory.TruncationMeters, vs = memory.VoxelSizeMeters;
        var required = new HashSet<BlockIndex>();
        var possible = new HashSet<BlockIndex>();
        foreach (var index in memory.GetBlockIndices())
            for (int i = 0; i < BlockIndex.VoxelCount; i++)
            {
                var c = cameraFromWorld.Apply(new Vector3d((index.X * 8 + (i & 7) + 0.5) * vs, (index.Y * 8 + (i >> 3 & 7) + 0.5) * vs, (index.Z * 8 + (i >> 6) + 0.5) * vs));
                if (c.Z <= 0.1) continue;
                double uf = k.Fx * c.X / c.Z + k.Cx + 0.5, vf = k.Fy * c.Y / c.Z + k.Cy + 0.5;
                int ui = (int)Math.Floor(uf), vi = (int)Math.Floor(vf);
                if (ui < 0 || vi < 0 || ui >= k.Width || vi >= k.Height) continue;
                double d = depth.Metres[vi * k.Width + ui];
                if (!(d >= 0.1 && d <= 5)) continue;
                double gap = Math.Abs(d - c.Z);
                bool border = Math.Abs(uf - Math.Round(uf)) < 1e-3 || Math.Abs(vf - Math.Round(vf)) < 1e-3;
                if (gap < trunc + 1e-4 || border) possible.Add(index);
                if (gap < trunc - 1e-4 && !border) required.Add(index);
            }

        Assert.True(required.Count > 50, $"{required.Count} blocks observed");
        Assert.Equal(observed.Count, observed.Distinct().Count());
        Assert.Equal(observed.OrderBy(b => (b.X, b.Y, b.Z)), observed);
        Assert.Empty(required.Except(observed));
        Assert.Empty(observed.Except(possible));
    }

    [Theory]
    [InlineData(0.02, DepthWeighting.InverseSquare)]
    [InlineData(0.01, DepthWeighting.Constant)]
    public void Integrate_Vector512AndVector256Paths_GiveIdenticalBits(double voxelSize, DepthWeighting weighting)
    {
        if (!new ProjectiveTsdfIntegrator().UseVector512) Assert.Skip("this CPU has no AVX-512: only the Vector256 path runs here");
        var random = new Random(11);
        var shapes = RandomScene(random);
        // 160×120 so the last pixel's colour (read scalar by both paths) is inside some voxel's view.
        var k = DepthRenderer.Camera(160, 120);
        var options = new VoxelMemoryOptions { VoxelSizeMeters = voxelSize, MaxWeight = 5, SettledObservedWeight = 2 };
        using var wide = new VoxelMemory(options);
        using var narrow = new VoxelMemory(options);
        var integratorOptions = new TsdfIntegratorOptions { DepthWeighting = weighting };
        var wideIntegrator = new ProjectiveTsdfIntegrator(integratorOptions);
        var narrowIntegrator = new ProjectiveTsdfIntegrator(integratorOptions) { UseVector512 = false };
        for (int frame = 0; frame < 8; frame++)
        {
            var pose = RandomPose(random);
            var (depth, color) = DepthRenderer.Render(shapes, k, pose);
            for (int i = 0; i < depth.Metres.Length; i++) if (random.NextDouble() < 0.05) depth.Metres[i] = i % 2 == 0 ? 0 : float.NaN;
            // The last frames write the generated channel, which skips settled voxels.
            var channel = frame >= 6 ? EvidenceChannel.Generated : EvidenceChannel.Observed;
            var a = wideIntegrator.Integrate(wide, depth, color, k, pose, channel);
            var b = narrowIntegrator.Integrate(narrow, depth, color, k, pose, channel);
            Assert.Equal(b, a);
        }

        var expected = Snapshot(narrow);
        var actual = Snapshot(wide);
        Assert.Equal(expected.Count, actual.Count);
        int observed = 0, generated = 0;
        foreach (var (key, e) in expected)
        {
            Assert.Equal(e, actual[key]);
            if (e.ObservedWeight > 0) observed++;
            if (e.GeneratedWeight > 0) generated++;
        }
        Assert.True(observed > 10000 && generated > 1000, $"{observed} observed, {generated} generated voxels");
    }

    [Fact]
    public void Integrate_GeneratedFrame_NeverChangesSettledVoxels()
    {
        var k = DepthRenderer.Camera(64, 48);
        var options = new VoxelMemoryOptions { VoxelSizeMeters = 0.02, SettledObservedWeight = 2 };
        using var memory = new VoxelMemory(options);
        // Constant weights: two readings are weight 2, so "seen twice" settles whatever the distance.
        var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions { DepthWeighting = DepthWeighting.Constant });
        var pose = DepthRenderer.LookAt(new Vector3d(0, 0, 1.5), new Vector3d(0.01, 0, 0));
        // Observed: a wall at z = 0, seen twice, so its voxels settle.
        var (observed, observedColor) = DepthRenderer.Render([new Plane(Vector3d.Zero, new Vector3d(0, 0, 1))], k, pose);
        // Observation covers only the left half of the image; generation claims a wall 3 cm higher everywhere.
        for (int v = 0; v < k.Height; v++) for (int u = k.Width / 2; u < k.Width; u++) observed.Metres[v * k.Width + u] = 0;
        integrator.Integrate(memory, observed, observedColor, k, pose);
        integrator.Integrate(memory, observed, observedColor, k, pose);
        var before = Snapshot(memory);
        var (generated, generatedColor) = DepthRenderer.Render([new Plane(new Vector3d(0, 0, 0.03), new Vector3d(0, 0, 1))], k, pose);
        integrator.Integrate(memory, generated, generatedColor, k, pose, EvidenceChannel.Generated);
        var after = Snapshot(memory);

        int settled = 0, filled = 0;
        foreach (var (key, a) in after)
        {
            var b = before.GetValueOrDefault(key);
            if (b.ObservedWeight >= options.SettledObservedWeight)
            {
                settled++;
                Assert.Equal(0f, a.GeneratedWeight);
                Assert.Equal(b.ObservedTsdf, a.EffectiveTsdf);
                Assert.Equal(EvidenceChannel.Observed, a.Source);
            }
            // Observed channel is never touched by generated evidence.
            Assert.Equal(b.ObservedTsdf, a.ObservedTsdf);
            Assert.Equal(b.ObservedWeight, a.ObservedWeight);
            if (b.ObservedWeight == 0 && a.GeneratedWeight > 0)
            {
                filled++;
                Assert.Equal(EvidenceChannel.Generated, a.Source);
                Assert.Equal(a.GeneratedTsdf, a.EffectiveTsdf);
            }
        }
        Assert.True(settled > 500, $"{settled} settled voxels");
        Assert.True(filled > 500, $"{filled} voxels filled by generation");
    }

    internal static Dictionary<(int, int, int), VoxelSample> Snapshot(VoxelMemory memory)
    {
        var all = new Dictionary<(int, int, int), VoxelSample>();
        foreach (var index in memory.GetBlockIndices())
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                memory.TryGetVoxel(index.X * 8 + x, index.Y * 8 + y, index.Z * 8 + z, out var s);
                all[(index.X * 8 + x, index.Y * 8 + y, index.Z * 8 + z)] = s;
            }
        return all;
    }

    [Theory]
    [InlineData(0.01, 4)]
    [InlineData(0.02, 4)]
    [InlineData(0.05, 2)]
    public void Integrate_RandomScene_BlocksAreExactlyThoseWithVoxelsInABand(double voxelSize, int truncationVoxels)
    {
        var random = new Random(7);
        // Odd sizes: the scalar tail after the 8-pixel groups and a partial last row of 8×8 tiles run too.
        var k = DepthRenderer.Camera(101, 77);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = voxelSize, TruncationVoxels = truncationVoxels });
        var pose = RandomPose(random);
        var (depth, color) = DepthRenderer.Render(RandomScene(random), k, pose);
        new ProjectiveTsdfIntegrator().Integrate(memory, depth, color, k, pose);
        var cameraFromWorld = pose.Inverse();
        double trunc = memory.TruncationMeters;

        // Every voxel whose centre lies within the truncation band of the reading at its own pixel has its block,
        // but for a few where the band search samples each ray at half-block steps (tiles with a depth edge): a block
        // the band only clips between two samples can be missed there.
        int checkedVoxels = 0, missing = 0;
        string? firstMissing = null;
        for (int v = 0; v < k.Height; v++)
            for (int u = 0; u < k.Width; u++)
            {
                double d = depth.Metres[v * k.Width + u];
                if (!(d >= 0.1 && d <= 5)) continue;
                foreach (double offset in new[] { -0.999, -0.5, 0, 0.5, 0.999 })
                {
                    var p = pose.Apply(k.BackProject(u, v, d + offset * trunc));
                    var voxel = (X: (int)Math.Floor(p.X / voxelSize), Y: (int)Math.Floor(p.Y / voxelSize), Z: (int)Math.Floor(p.Z / voxelSize));
                    var centre = cameraFromWorld.Apply(new Vector3d((voxel.X + 0.5) * voxelSize, (voxel.Y + 0.5) * voxelSize, (voxel.Z + 0.5) * voxelSize));
                    if (centre.Z <= 0.1) continue;
                    double uf = k.Fx * centre.X / centre.Z + k.Cx + 0.5, vf = k.Fy * centre.Y / centre.Z + k.Cy + 0.5;
                    // Float and double may pick different pixels right at a pixel border.
                    if (Math.Abs(uf - Math.Round(uf)) < 1e-3 || Math.Abs(vf - Math.Round(vf)) < 1e-3) continue;
                    int ui = (int)Math.Floor(uf), vi = (int)Math.Floor(vf);
                    if (ui < 0 || vi < 0 || ui >= k.Width || vi >= k.Height) continue;
                    double dAtVoxel = depth.Metres[vi * k.Width + ui];
                    if (!(dAtVoxel >= 0.1 && dAtVoxel <= 5) || Math.Abs(dAtVoxel - centre.Z) >= trunc - 1e-4) continue;
                    var block = BlockIndex.FromVoxel(voxel.X, voxel.Y, voxel.Z);
                    checkedVoxels++;
                    if (memory.Contains(block)) continue;
                    missing++;
                    firstMissing ??= $"pixel ({u}, {v}) depth {d} offset {offset}: voxel {voxel} in the band, block {block} missing";
                }
            }
        Assert.True(checkedVoxels > 10000, $"{checkedVoxels} voxels checked");
        Assert.True(missing <= checkedVoxels / 200, $"{missing} of {checkedVoxels} in-band voxels without a block, e.g. {firstMissing}");

        // And no block is kept without a voxel the reading reached.
        foreach (var index in memory.GetBlockIndices())
        {
            bool any = false;
            for (int i = 0; i < BlockIndex.VoxelCount && !any; i++)
                any = memory.TryGetVoxel(index.X * 8 + (i & 7), index.Y * 8 + (i >> 3 & 7), index.Z * 8 + (i >> 6), out var sample) && sample.ObservedWeight > 0;
            Assert.True(any, $"block {index} holds no observed voxel");
        }
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        var options = new VoxelMemoryOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.VoxelSizeMeters = 0.005);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.VoxelSizeMeters = 0.06);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.TruncationVoxels = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWeight = float.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxBlocksInMemory = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TsdfIntegratorOptions().MaxDegreeOfParallelism = 0);
        Assert.Equal(0.02, options.VoxelSizeMeters);
        Assert.Equal(4, options.TruncationVoxels);
    }

    [Fact]
    public void ChangedBlocksSince_AfterSecondFrame_ListsOnlyBlocksItTouched()
    {
        var k = DepthRenderer.Camera(64, 48);
        using var memory = new VoxelMemory();
        var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions { Carving = FreeSpaceCarving.Off });
        var wallA = DepthRenderer.Render([new Plane(Vector3d.Zero, new Vector3d(0, 0, 1))], k, DepthRenderer.LookAt(new Vector3d(0, 0, 1), new Vector3d(0.01, 0, 0)));
        var poseB = DepthRenderer.LookAt(new Vector3d(5, 0, 1), new Vector3d(5.01, 0, 0));
        var wallB = DepthRenderer.Render([new Plane(Vector3d.Zero, new Vector3d(0, 0, 1))], k, poseB);
        integrator.Integrate(memory, wallA.Depth, wallA.Color, k, DepthRenderer.LookAt(new Vector3d(0, 0, 1), new Vector3d(0.01, 0, 0)));
        long stamp = memory.Stamp;
        var firstBlocks = memory.GetBlockIndices().ToHashSet();
        var result = integrator.Integrate(memory, wallB.Depth, wallB.Color, k, poseB);
        var changed = memory.ChangedBlocksSince(stamp);
        Assert.NotEmpty(changed);
        Assert.Equal(result.BlocksUpdated, changed.Count);
        Assert.All(changed, index => Assert.DoesNotContain(index, firstBlocks));
        Assert.Equal(memory.BlockCount, memory.ChangedBlocksSince(0).Count);
    }
}
