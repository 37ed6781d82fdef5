using System.Runtime.InteropServices;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

/// <summary>
/// The block budget on a camera walking 1.25 times around a furnished room (so it sees only part of the map at a
/// time and comes back to where it started): bounded maps must equal unbounded ones bit for bit, hold the budget,
/// never evict what a frame works on, and never thrash.
/// </summary>
public sealed class EvictionTests
{
    private const double Voxel = 0.04;
    private const int FrameCount = 80;

    private sealed record Frame(DepthImage Depth, ColorImage Color, RigidTransform Pose);

    private static readonly PinholeIntrinsics s_camera = new SyntheticRecordingOptions { Width = 160, Height = 120 }.Intrinsics;

    private static readonly Lazy<Frame[]> s_frames = new(() =>
    {
        var scene = SceneLibrary.Get("living_room");
        var frames = new Frame[FrameCount];
        for (int i = 0; i < FrameCount; i++)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, FrameCount);
            var image = SceneRenderer.Render(scene, s_camera, pose);
            frames[i] = new Frame(image.Depth, image.Color, pose);
        }
        return frames;
    });

    /// <summary>What each frame did in the unbounded twin: its work list (as indices) and the blocks that existed before it.</summary>
    private sealed record FrameTruth(HashSet<BlockIndex> WorkList, int BlocksBefore, HashSet<BlockIndex> Existing);

    /// <summary>
    /// Integrates the room into an unbounded map and a bounded one side by side, calling <paramref name="afterFrame"/>
    /// with the bounded map and the unbounded twin's truth for that frame.
    /// </summary>
    private static (VoxelMemory Unbounded, VoxelMemory Bounded) Run(VoxelMemoryOptions bounded, Action<int, VoxelMemory, FrameTruth>? afterFrame = null,
        long compactionMinBytes = 64L << 20, int laps = 1)
    {
        bounded.VoxelSizeMeters = Voxel;
        var a = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = Voxel });
        var b = new VoxelMemory(bounded) { StoreCompactionMinBytes = compactionMinBytes };
        var integrator = new ProjectiveTsdfIntegrator();
        var frames = s_frames.Value;
        for (int i = 0; i < frames.Length * laps; i++)
        {
            var f = frames[i % frames.Length];
            var existing = afterFrame is null ? [] : a.GetBlockIndices().ToHashSet();
            integrator.Integrate(a, f.Depth, f.Color, s_camera, f.Pose);
            integrator.Integrate(b, f.Depth, f.Color, s_camera, f.Pose);
            b.EnforceBudget(f.Pose.Translation);
            if (afterFrame is null) continue;
            // The unbounded map never evicts, so its stamps name each frame's work list exactly.
            var work = new HashSet<BlockIndex>();
            foreach (var index in a.GetBlockIndices())
                if (a.TryGetBlock(index, out var block) && block.LastUsedStamp == a.Stamp) work.Add(index);
            afterFrame(i, b, new FrameTruth(work, existing.Count, existing));
        }
        return (a, b);
    }

    private static List<BlockIndex> Sorted(IEnumerable<BlockIndex> indices) => indices.OrderBy(i => (i.X, i.Y, i.Z)).ToList();

    /// <summary>Every voxel of both channels, compared as bits; reads evicted blocks without making them resident.</summary>
    private static void AssertBitwiseSame(VoxelMemory expected, VoxelMemory actual)
    {
        var indices = expected.GetBlockIndices();
        Assert.Equal(Sorted(indices), Sorted(actual.GetBlockIndices()));
        var scratchA = new VoxelBlock(default);
        var scratchB = new VoxelBlock(default);
        foreach (var index in indices)
        {
            var x = expected.PeekBlock(index, scratchA)!;
            var y = actual.PeekBlock(index, scratchB)!;
            Assert.Equal(x.ChangedStamp, y.ChangedStamp);
            Assert.True(MemoryMarshal.AsBytes(x.ObservedTsdf.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(y.ObservedTsdf.AsSpan())), $"tsdf of {index}");
            Assert.True(MemoryMarshal.AsBytes(x.ObservedWeight.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(y.ObservedWeight.AsSpan())), $"weight of {index}");
            Assert.True(x.ObservedColor.AsSpan().SequenceEqual(y.ObservedColor), $"colour of {index}");
            Assert.Equal(x.HasGenerated, y.HasGenerated);
        }
    }

    [Fact]
    public void Budget_RevisitingRoom_MapBitwiseSameAsUnbounded()
    {
        using var dir = new TempDirectory();
        const int budget = 700;
        int largestWorkList = 0;
        var (unbounded, bounded) = Run(new VoxelMemoryOptions { MaxBlocksInMemory = budget, EvictionDirectory = dir.Path },
            (_, _, truth) => largestWorkList = Math.Max(largestWorkList, truth.WorkList.Count));
        using (unbounded)
        using (bounded)
        {
            // The scenario must exercise the budget: it fits any one frame, not the whole room.
            Assert.True(largestWorkList < budget * VoxelMemoryOptions.DefaultEvictionLowWaterFraction, $"work list of {largestWorkList} blocks");
            Assert.True(unbounded.BlockCount > budget * 1.2, $"{unbounded.BlockCount} blocks");
            Assert.True(bounded.EvictionCount > 0);
            Assert.True(bounded.ReloadCount > 0, "the camera comes back, so evicted blocks must be reloaded");
            Assert.Equal(0, bounded.BudgetOverruns);
            Assert.Null(bounded.BudgetWarning);
            Assert.True(bounded.PeakResidentBlockCount <= budget, $"peak {bounded.PeakResidentBlockCount}");
            AssertBitwiseSame(unbounded, bounded);
            Assert.Equal(Sorted(unbounded.ChangedBlocksSince(FrameCount / 2)), Sorted(bounded.ChangedBlocksSince(FrameCount / 2)));

            // Extraction reads evicted blocks without making them resident.
            int resident = bounded.ResidentBlockCount;
            var expectedPoints = SurfaceExtractor.ExtractPoints(unbounded).Select(p => p.Position).OrderBy(p => (p.X, p.Y, p.Z)).ToList();
            var actualPoints = SurfaceExtractor.ExtractPoints(bounded).Select(p => p.Position).OrderBy(p => (p.X, p.Y, p.Z)).ToList();
            Assert.Equal(expectedPoints, actualPoints);
            Assert.Equal(resident, bounded.ResidentBlockCount);

            // Saving includes evicted blocks; loading with a budget holds it.
            string path = dir.Combine("bounded.arvm");
            VoxelMapFile.Save(bounded, path);
            using var loaded = VoxelMapFile.Load(path, new VoxelMemoryOptions { MaxBlocksInMemory = budget, EvictionDirectory = dir.Combine("load") });
            Assert.True(loaded.PeakResidentBlockCount <= budget);
            AssertBitwiseSame(unbounded, loaded);
        }
    }

    [Fact]
    public void Budget_EveryFrame_WorkListResidentAndNoBlockReloadedWhileInUse()
    {
        using var dir = new TempDirectory();
        const int budget = 700;
        long reentries = 0;
        HashSet<BlockIndex> previous = [];
        var (unbounded, bounded) = Run(new VoxelMemoryOptions { MaxBlocksInMemory = budget, EvictionDirectory = dir.Path }, (i, memory, truth) =>
        {
            foreach (var index in truth.WorkList) Assert.True(memory.IsResident(index), $"frame {i}: block {index} of its work list is not resident");
            Assert.True(memory.ResidentBlockCount <= budget);
            // A block can only come back from disk if it existed and the previous frame did not use it.
            foreach (var index in truth.WorkList)
                if (truth.Existing.Contains(index) && !previous.Contains(index)) reentries++;
            previous = truth.WorkList;
        });
        using (unbounded)
        using (bounded)
        {
            Assert.True(bounded.ReloadCount > 0);
            Assert.True(bounded.ReloadCount <= reentries, $"{bounded.ReloadCount} reloads for {reentries} re-entries into the work list");
        }
    }

    [Fact]
    public void Budget_BelowOneFrame_KeepsFramesResidentCountsOverrunsAndDoesNotThrash()
    {
        using var dir = new TempDirectory();
        const int budget = 150;
        long reentries = 0, overFrames = 0;
        HashSet<BlockIndex> previous = [];
        var (unbounded, bounded) = Run(new VoxelMemoryOptions { MaxBlocksInMemory = budget, EvictionDirectory = dir.Path }, (i, memory, truth) =>
        {
            foreach (var index in truth.WorkList) Assert.True(memory.IsResident(index), $"frame {i}: block {index} of its work list is not resident");
            // Over budget only by the frame's own blocks.
            Assert.True(memory.ResidentBlockCount <= Math.Max(budget, truth.WorkList.Count), $"frame {i}: {memory.ResidentBlockCount} resident, work list {truth.WorkList.Count}");
            if (truth.WorkList.Count > budget) overFrames++;
            foreach (var index in truth.WorkList)
                if (truth.Existing.Contains(index) && !previous.Contains(index)) reentries++;
            previous = truth.WorkList;
        });
        using (unbounded)
        using (bounded)
        {
            Assert.True(overFrames > FrameCount / 2, $"{overFrames} frames over budget");
            Assert.True(bounded.BudgetOverruns >= overFrames, $"{bounded.BudgetOverruns} overruns counted, {overFrames} frames larger than the budget");
            Assert.True(bounded.BudgetOverruns <= FrameCount);
            Assert.Contains($"block budget {budget}", bounded.BudgetWarning);
            Assert.True(bounded.LargestOverrunBlocks > budget);
            Assert.True(bounded.ReloadCount <= reentries, $"{bounded.ReloadCount} reloads for {reentries} re-entries: thrashing");
            AssertBitwiseSame(unbounded, bounded);
        }
    }

    [Fact]
    public void LowWaterMark_RevisitingRoom_EvictsInFarFewerPasses()
    {
        using var dir = new TempDirectory();
        const int budget = 700;
        var (u1, exact) = Run(new VoxelMemoryOptions { MaxBlocksInMemory = budget, EvictionDirectory = dir.Combine("exact"), EvictionLowWaterFraction = 1 });
        var (u2, batched) = Run(new VoxelMemoryOptions { MaxBlocksInMemory = budget, EvictionDirectory = dir.Combine("batched") });
        using (u1)
        using (u2)
        using (exact)
        using (batched)
        {
            Assert.True(exact.EvictionPasses > 0);
            Assert.True(batched.EvictionPasses * 10 <= exact.EvictionPasses, $"{batched.EvictionPasses} passes with hysteresis, {exact.EvictionPasses} without");
            Assert.True(batched.PeakResidentBlockCount <= budget && exact.PeakResidentBlockCount <= budget);
            AssertBitwiseSame(exact, batched);
        }
    }

    [Fact]
    public void Budget_CameraCirclingRoom_CompactsSpillFile()
    {
        using var dir = new TempDirectory();
        // A budget under one frame and a low low-water mark churn the spill file the most.
        var (unbounded, bounded) = Run(new VoxelMemoryOptions { MaxBlocksInMemory = 200, EvictionLowWaterFraction = 0.5, EvictionDirectory = dir.Path },
            compactionMinBytes: 200_000, laps: 3);
        using (unbounded)
        using (bounded)
        {
            Assert.True(bounded.StoreCompactions > 0, $"the spill file was never compacted ({bounded.EvictionCount} evictions, {bounded.ReloadCount} reloads, {bounded.EvictedStoreBytes} bytes)");
            long liveBytes = (long)bounded.EvictedBlockCount * VoxelBlock.RecordLength(hasGenerated: false);
            Assert.True(bounded.EvictedStoreBytes <= Math.Max(3 * liveBytes, 200_000) + 200L * VoxelBlock.RecordLength(false),
                $"spill file {bounded.EvictedStoreBytes} bytes for {liveBytes} live bytes");
            AssertBitwiseSame(unbounded, bounded);
        }
    }

    [Fact]
    public void Integrate_BudgetBelowOneFrame_KeepsItResidentThenEvictsItForTheNext()
    {
        using var dir = new TempDirectory();
        using var memory = new VoxelMemory(new VoxelMemoryOptions { MaxBlocksInMemory = 5, EvictionDirectory = dir.Path });
        var integrator = new ProjectiveTsdfIntegrator();
        var k = DepthRenderer.Camera(32, 24);
        var floor = new Plane(Vector3d.Zero, new Vector3d(0, 0, 1));
        var first = DepthRenderer.LookAt(new Vector3d(0, 0, 1), new Vector3d(0.01, 0, 0));
        var (depth, color) = DepthRenderer.Render([floor], k, first);
        integrator.Integrate(memory, depth, color, k, first);
        var firstBlocks = memory.GetBlockIndices().ToHashSet();
        Assert.True(firstBlocks.Count > 5);
        Assert.Equal(firstBlocks.Count, memory.ResidentBlockCount);
        Assert.Equal(0, memory.EvictionCount);
        Assert.Equal(1, memory.BudgetOverruns);

        // Ten metres away: the next frame shares no block with the first, which now goes to disk.
        var second = DepthRenderer.LookAt(new Vector3d(10, 0, 1), new Vector3d(10.01, 0, 0));
        (depth, color) = DepthRenderer.Render([floor], k, second);
        integrator.Integrate(memory, depth, color, k, second);
        memory.EnforceBudget(second.Translation);
        var evicted = memory.GetBlockIndices().Where(i => !memory.IsResident(i)).ToHashSet();
        Assert.Equal(firstBlocks, evicted);
        Assert.Equal(memory.BlockCount - firstBlocks.Count, memory.ResidentBlockCount);
        Assert.Equal(2, memory.BudgetOverruns);
        Assert.Equal(0, memory.ReloadCount);
    }

    [Fact]
    public void Options_LowWaterOutOfRange_Throws()
    {
        var options = new VoxelMemoryOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.EvictionLowWaterFraction = 0.4);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.EvictionLowWaterFraction = 1.01);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.EvictionLowWaterFraction = double.NaN);
        options.EvictionLowWaterFraction = 0.5;
        Assert.Equal(0.5, options.EvictionLowWaterFraction);
    }
}
