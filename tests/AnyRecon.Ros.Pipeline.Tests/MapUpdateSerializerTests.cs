using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

public sealed class MapUpdateSerializerTests
{
    private static readonly SyntheticRecordingOptions s_small = new() { Width = 96, Height = 72 };

    private static List<SyntheticFrame> Frames(int count) => new SyntheticRecording(SceneLibrary.Get("office"), count, s_small).Frames().ToList();

    private static Header HeaderAt(long ns) => new() { Stamp = MessageConversions.TimeFromNanoseconds(ns), FrameId = "map" };

    [Fact]
    public void Next_IntegrateRemoveIntegrate_ReplicaRebuildsTheMemory()
    {
        var frames = Frames(12);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.04 });
        var integrator = new ProjectiveTsdfIntegrator();
        var serializer = new MapUpdateSerializer(memory);
        var replica = new MapReplica();
        void Integrate(IEnumerable<SyntheticFrame> some)
        {
            foreach (var f in some) integrator.Integrate(memory, f.Image.Depth, f.Image.Color, s_small.Intrinsics, f.WorldFromCamera);
        }
        MapUpdate Publish(long since, long ns)
        {
            var update = CdrSerializer.Deserialize<MapUpdate>(serializer.Next(memory.ChangedBlocksSince(since), HeaderAt(ns)).Span);
            replica.Apply(update);
            Assert.Equal(update.SequenceNumber, serializer.SequenceNumber);
            Assert.Equal(update.ChangedBlocks.Length, serializer.ChangedBlockCount);
            return update;
        }

        Integrate(frames.Take(6));
        var first = Publish(0, 5);
        long stamp = memory.Stamp;
        Assert.Equal(memory.ChangedBlocksSince(0).Count, first.ChangedBlocks.Length);
        Assert.Equal(0.04f, first.VoxelSizeM);
        Assert.Equal(5u, first.Header.Stamp.Nanosec);
        Assert.Equal("map", first.Header.FrameId);

        // Removals only: no block changed, three blocks sent before are gone.
        var removed = replica.Blocks.Keys.OrderBy(i => (i.X, i.Y, i.Z)).Where((_, n) => n % 17 == 0).Take(3).ToList();
        Assert.Equal(3, removed.Count);
        foreach (var index in removed) Assert.True(memory.Remove(index));
        var second = Publish(stamp, 6);
        stamp = memory.Stamp;
        Assert.Empty(second.ChangedBlocks);
        Assert.Equal(removed.SelectMany(i => new[] { i.X, i.Y, i.Z }).Order(), second.RemovedBlockIndices.Order());

        // The camera moves on (and may bring removed blocks back: those come as changed blocks).
        Integrate(frames.Skip(6));
        var third = Publish(stamp, 7);
        Assert.NotEmpty(third.ChangedBlocks);
        Assert.True(third.ChangedBlocks.Length < memory.BlockCount, "an update holds only what changed");
        Assert.Equal(3ul, third.SequenceNumber);
        Assert.True(replica.AssertMatches(memory) > 100);
    }

    [Fact]
    public void Next_BlocksInZYXOrder_AndEmptyUpdateIsStillSequenced()
    {
        var frames = Frames(2);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.05 });
        new ProjectiveTsdfIntegrator().Integrate(memory, frames[0].Image.Depth, frames[0].Image.Color, s_small.Intrinsics, frames[0].WorldFromCamera);
        var serializer = new MapUpdateSerializer(memory);
        var update = CdrSerializer.Deserialize<MapUpdate>(serializer.Next(memory.ChangedBlocksSince(0), HeaderAt(1)).Span);
        var order = update.ChangedBlocks.Select(b => (b.Index[2], b.Index[1], b.Index[0])).ToList();
        Assert.Equal(order.Order().ToList(), order);
        var empty = CdrSerializer.Deserialize<MapUpdate>(serializer.Next(memory.ChangedBlocksSince(memory.Stamp), HeaderAt(2)).Span);
        Assert.Equal(2ul, empty.SequenceNumber);
        Assert.Empty(empty.ChangedBlocks);
        Assert.Empty(empty.RemovedBlockIndices);
    }
}
