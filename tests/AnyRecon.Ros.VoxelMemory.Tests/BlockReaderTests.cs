using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

public sealed class BlockReaderTests
{
    private const int N = BlockIndex.VoxelCount;

    /// <summary>A wall observed once (weak, below the settle weight of 4) on its left half, generated 3 cm higher everywhere.</summary>
    private static VoxelMemory WeaklyObservedAndGenerated()
    {
        var k = DepthRenderer.Camera(64, 48);
        var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.02 });
        var integrator = new ProjectiveTsdfIntegrator();
        var pose = DepthRenderer.LookAt(new Vector3d(0, 0, 1.5), new Vector3d(0.01, 0, 0));
        var (observed, observedColor) = DepthRenderer.Render([new Plane(Vector3d.Zero, new Vector3d(0, 0, 1))], k, pose);
        for (int v = 0; v < k.Height; v++) for (int u = k.Width / 2; u < k.Width; u++) observed.Metres[v * k.Width + u] = 0;
        integrator.Integrate(memory, observed, observedColor, k, pose);
        var (generated, generatedColor) = DepthRenderer.Render([new Plane(new Vector3d(0, 0, 0.03), new Vector3d(0, 0, 1))], k, pose);
        for (int i = 0; i < generatedColor.Rgb.Length; i++) generatedColor.Rgb[i] = (byte)(255 - generatedColor.Rgb[i]);
        integrator.Integrate(memory, generated, generatedColor, k, pose, EvidenceChannel.Generated);
        return memory;
    }

    [Fact]
    public void TryRead_BothChannels_EqualsFusedVoxelSamples()
    {
        using var memory = WeaklyObservedAndGenerated();
        var reader = new BlockReader(memory);
        float[] tsdf = new float[N], weight = new float[N];
        byte[] rgb = new byte[3 * N];
        var source = new EvidenceChannel[N];
        int blended = 0, generatedOnly = 0, observedOnly = 0;
        foreach (var index in memory.GetBlockIndices())
        {
            Assert.True(reader.TryRead(index, tsdf, weight, rgb, source, out var evidence));
            var expectedEvidence = BlockEvidence.None;
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                Assert.True(memory.TryGetVoxel(index.X * 8 + x, index.Y * 8 + y, index.Z * 8 + z, out var s));
                int i = x + 8 * (y + 8 * z);
                Assert.Equal(s.EffectiveTsdf * (float)memory.TruncationMeters, tsdf[i]);
                Assert.Equal(s.EffectiveWeight, weight[i]);
                Assert.Equal(s.Source, source[i]);
                // The colour rule, written out: observed colour, or both colours blended by weight.
                (byte R, byte G, byte B) expected = s.Source == EvidenceChannel.Observed
                    ? (s.ObservedR, s.ObservedG, s.ObservedB)
                    : (Blend(s.ObservedR, s.GeneratedR), Blend(s.ObservedG, s.GeneratedG), Blend(s.ObservedB, s.GeneratedB));
                Assert.Equal(expected, (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]));
                if (s.ObservedWeight > 0) expectedEvidence |= BlockEvidence.Observed;
                if (s.GeneratedWeight > 0) expectedEvidence |= BlockEvidence.Generated;
                if (s.Source == EvidenceChannel.Generated) { if (s.ObservedWeight > 0) blended++; else generatedOnly++; }
                else if (s.ObservedWeight > 0) observedOnly++;

                byte Blend(byte o, byte g) => (byte)((o * s.ObservedWeight + g * s.GeneratedWeight) / s.EffectiveWeight + 0.5f);
            }
            Assert.Equal(expectedEvidence, evidence);
        }
        // Every branch of the fusion rule was exercised.
        Assert.True(blended > 100, $"{blended} blended voxels");
        Assert.True(generatedOnly > 100, $"{generatedOnly} generated-only voxels");
        Assert.True(observedOnly > 100, $"{observedOnly} observed-only voxels");
    }

    [Fact]
    public void TryRead_EvictedBlocks_ReadsThemWithoutMakingThemResident()
    {
        using var dir = new TempDirectory();
        // The budget holds two frames' blocks (never evicted) but not the whole sphere.
        using var unbounded = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.01 });
        using var bounded = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.01, MaxBlocksInMemory = 250, EvictionDirectory = dir.Path });
        // Without carving a frame works on the blocks near what it sees, not on every block in view (the whole sphere).
        var integrator = new ProjectiveTsdfIntegrator(new TsdfIntegratorOptions { Carving = FreeSpaceCarving.Off });
        var k = DepthRenderer.Camera(64, 48, fov: 0.9);
        var sphere = new Sphere(new Vector3d(0.05, -0.03, 1.0), 0.3);
        foreach (var pose in ExtractionTests.SpherePoses())
        {
            var (depth, color) = DepthRenderer.Render([sphere], k, pose);
            integrator.Integrate(unbounded, depth, color, k, pose);
            integrator.Integrate(bounded, depth, color, k, pose);
            bounded.EnforceBudget(pose.Translation);
        }
        Assert.True(bounded.EvictedBlockCount > 0, $"{bounded.EvictedBlockCount} evicted of {bounded.BlockCount}, peak {bounded.PeakResidentBlockCount}, overruns {bounded.BudgetOverruns}");
        int resident = bounded.ResidentBlockCount;
        long reloads = bounded.ReloadCount;

        var fromBounded = new BlockReader(bounded);
        var fromUnbounded = new BlockReader(unbounded);
        float[] t1 = new float[N], w1 = new float[N], t2 = new float[N], w2 = new float[N];
        byte[] c1 = new byte[3 * N], c2 = new byte[3 * N];
        EvidenceChannel[] s1 = new EvidenceChannel[N], s2 = new EvidenceChannel[N];
        var indices = unbounded.GetBlockIndices();
        Assert.Equal(indices.Count, bounded.BlockCount);
        foreach (var index in indices)
        {
            Assert.True(fromBounded.TryRead(index, t1, w1, c1, s1, out var e1));
            Assert.True(fromUnbounded.TryRead(index, t2, w2, c2, s2, out var e2));
            Assert.Equal(e2, e1);
            Assert.Equal(t2, t1);
            Assert.Equal(w2, w1);
            Assert.Equal(c2, c1);
            Assert.Equal(s2, s1);
        }
        Assert.Equal(resident, bounded.ResidentBlockCount);
        Assert.Equal(reloads, bounded.ReloadCount);
    }

    [Fact]
    public void TryRead_MissingBlock_ReturnsFalse()
    {
        using var memory = new VoxelMemory();
        Assert.False(new BlockReader(memory).TryRead(new BlockIndex(1, 2, 3), new float[N], new float[N], new byte[3 * N], new EvidenceChannel[N], out var evidence));
        Assert.Equal(BlockEvidence.None, evidence);
    }

    [Fact]
    public void TryRead_ShortColourBuffer_Throws()
    {
        using var memory = new VoxelMemory();
        Assert.Throws<ArgumentException>(() => new BlockReader(memory).TryRead(default, new float[N], new float[N], new byte[N], new EvidenceChannel[N], out _));
    }
}
