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

    private static List<MapUpdate> PublishAll(MapUpdateSerializer serializer, IEnumerable<BlockIndex> changed, Header header)
    {
        var updates = new List<MapUpdate>();
        int count = serializer.Publish(changed, header, bytes => updates.Add(CdrSerializer.Deserialize<MapUpdate>(bytes.Span)));
        Assert.Equal(updates.Count, count);
        return updates;
    }

    [Fact]
    public void Steps_OfAFewBlocks_WriteTheSameBytesAsOnePublish()
    {
        var frames = Frames(6);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.04 });
        var integrator = new ProjectiveTsdfIntegrator();
        foreach (var f in frames) integrator.Integrate(memory, f.Image.Depth, f.Image.Color, s_small.Intrinsics, f.WorldFromCamera);
        var changed = memory.ChangedBlocksSince(0);
        Assert.True(changed.Count > 40, $"{changed.Count} blocks");
        // Two updates of at most 25 blocks, plus a remainder; steps of 7 blocks cross update boundaries.
        var whole = new MapUpdateSerializer(memory, maxBlocksPerUpdate: 25);
        var stepped = new MapUpdateSerializer(memory, maxBlocksPerUpdate: 25);
        var expected = new List<byte[]>();
        whole.Publish(changed, HeaderAt(7), bytes => expected.Add(bytes.ToArray()));
        var actual = new List<byte[]>();
        stepped.Begin(changed, HeaderAt(7));
        int steps = 1;
        while (stepped.Step(7, bytes => actual.Add(bytes.ToArray()))) steps++;
        Assert.Equal((changed.Count + 24) / 25, expected.Count);
        Assert.True(steps > expected.Count, $"{steps} steps");
        Assert.Equal(expected, actual);
        Assert.Equal(whole.SequenceNumber, stepped.SequenceNumber);
        Assert.False(stepped.Step(7, _ => Assert.Fail("nothing was left to publish")));

        // Nothing changed: still one (empty) update, in one step.
        var empty = new List<byte[]>();
        stepped.Begin([], HeaderAt(8));
        Assert.False(stepped.Step(7, bytes => empty.Add(bytes.ToArray())));
        Assert.Empty(CdrSerializer.Deserialize<MapUpdate>(Assert.Single(empty)).ChangedBlocks);
    }

    [Fact]
    public void Publish_IntegrateRemoveIntegrate_ReplicaRebuildsTheMemory()
    {
        var frames = Frames(12);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.04 });
        var integrator = new ProjectiveTsdfIntegrator();
        var serializer = new MapUpdateSerializer(memory, maxBlocksPerUpdate: int.MaxValue);
        var replica = new MapReplica();
        void Integrate(IEnumerable<SyntheticFrame> some)
        {
            foreach (var f in some) integrator.Integrate(memory, f.Image.Depth, f.Image.Color, s_small.Intrinsics, f.WorldFromCamera);
        }
        MapUpdate Publish(long since, long ns)
        {
            var updates = PublishAll(serializer, memory.ChangedBlocksSince(since), HeaderAt(ns));
            var update = Assert.Single(updates);
            replica.Apply(update);
            Assert.Equal(update.SequenceNumber, serializer.SequenceNumber);
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
    public void Publish_MoreBlocksThanOneUpdateHolds_SplitsInZYXOrderWithConsecutiveSequence()
    {
        var frames = Frames(2);
        using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.05 });
        new ProjectiveTsdfIntegrator().Integrate(memory, frames[0].Image.Depth, frames[0].Image.Color, s_small.Intrinsics, frames[0].WorldFromCamera);
        var changed = memory.ChangedBlocksSince(0);
        Assert.True(changed.Count > 50);
        var serializer = new MapUpdateSerializer(memory, maxBlocksPerUpdate: 16);
        var updates = PublishAll(serializer, changed, HeaderAt(1));
        Assert.Equal((changed.Count + 15) / 16, updates.Count);
        Assert.All(updates.SkipLast(1), u => Assert.Equal(16, u.ChangedBlocks.Length));
        Assert.Equal(Enumerable.Range(1, updates.Count).Select(i => (ulong)i), updates.Select(u => u.SequenceNumber));
        Assert.All(updates, u => Assert.Equal(1u, u.Header.Stamp.Nanosec));
        var order = updates.SelectMany(u => u.ChangedBlocks).Select(b => (b.Index[2], b.Index[1], b.Index[0])).ToList();
        Assert.Equal(changed.Select(i => (i.Z, i.Y, i.X)).Order().ToList(), order);
        var replica = new MapReplica();
        foreach (var u in updates) replica.Apply(u);
        Assert.Equal(changed.Count, replica.AssertMatches(memory));

        // Nothing changed: still one (empty) update, so subscribers see every publish.
        var empty = Assert.Single(PublishAll(serializer, memory.ChangedBlocksSince(memory.Stamp), HeaderAt(2)));
        Assert.Equal((ulong)updates.Count + 1, empty.SequenceNumber);
        Assert.Empty(empty.ChangedBlocks);
        Assert.Empty(empty.RemovedBlockIndices);
    }

    [Fact]
    public void Constructor_ZeroBlocksPerUpdate_Throws()
    {
        using var memory = new VoxelMemory();
        Assert.Throws<ArgumentOutOfRangeException>(() => new MapUpdateSerializer(memory, 0));
    }
}
