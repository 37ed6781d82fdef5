using Xunit;

namespace AnyRecon.Ros.Geometry.Tests;

public sealed class ApproximateTimeSynchronizerTests
{
    private const long Ms = 1_000_000;
    private const long Second = 1_000_000_000;
    private const long Period = 33_333_333; // 30 Hz

    // The camera moves along world x at 1 m/s: the pose at stamp t has x = t seconds.
    private static RigidTransform PoseAt(long stampNs) => new(QuaternionD.Identity, new Vector3d(stampNs / 1e9, 0, 0));

    private static ApproximateTimeSynchronizer<int, int> PoseTopicSynchronizer(List<(int Payload, SynchronizationDropReason Reason)>? colorDrops = null,
        List<(int Payload, SynchronizationDropReason Reason)>? depthDrops = null, SynchronizerOptions? options = null) =>
        new(options ?? new SynchronizerOptions())
        {
            ColorDropped = (c, r) => colorDrops?.Add((c, r)),
            DepthDropped = (d, r) => depthDrops?.Add((d, r)),
        };

    private static void AddPoses(ApproximateTimeSynchronizer<int, int> sync, long fromNs, long toNs)
    {
        for (long t = fromNs; t <= toNs; t += 10 * Ms) sync.AddPose(t, PoseAt(t));
    }

    private static List<SynchronizedFrame<int, int>> Drain(ApproximateTimeSynchronizer<int, int> sync, List<SynchronizedFrame<int, int>>? into = null)
    {
        into ??= [];
        while (sync.TryTake(out var frame)) into.Add(frame);
        return into;
    }

    /// <summary>Feeds n frames at 30 Hz with seeded jitter, poses at 100 Hz, in a shuffled-but-plausible arrival order.</summary>
    private static List<SynchronizedFrame<int, int>> Feed(ApproximateTimeSynchronizer<int, int> sync, int frames, long jitterNs, int seed,
        Func<int, bool>? keepColor = null, Func<int, bool>? keepDepth = null, long startNs = Second)
    {
        var random = new Random(seed);
        var output = new List<SynchronizedFrame<int, int>>();
        long nextPose = startNs - 50 * Ms;
        for (int i = 0; i < frames; i++)
        {
            long t = startNs + i * Period;
            long tc = t + random.NextInt64(-jitterNs, jitterNs + 1);
            long td = t + random.NextInt64(-jitterNs, jitterNs + 1);
            while (nextPose <= t + 20 * Ms)
            {
                sync.AddPose(nextPose, PoseAt(nextPose));
                nextPose += 10 * Ms;
            }
            bool depthFirst = random.Next(2) == 0;
            if (depthFirst && (keepDepth?.Invoke(i) ?? true)) sync.AddDepth(td, i);
            if (keepColor?.Invoke(i) ?? true) sync.AddColor(tc, i);
            if (!depthFirst && (keepDepth?.Invoke(i) ?? true)) sync.AddDepth(td, i);
            Drain(sync, output);
        }
        sync.AddPose(nextPose, PoseAt(nextPose));
        sync.Flush();
        return Drain(sync, output);
    }

    [Fact]
    public void Add_JitterWithinTolerance_MatchesEveryFrameWithItsPartnerAndPose()
    {
        var sync = PoseTopicSynchronizer();
        var frames = Feed(sync, 300, 8 * Ms, seed: 1);
        Assert.Equal(300, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(i, frames[i].Color);
            Assert.Equal(i, frames[i].Depth);
            Assert.True(Math.Abs(frames[i].StampNs - frames[i].ColorStampNs) <= 20 * Ms);
            // Interpolated between the 100 Hz samples around the depth stamp: exact on a straight line.
            Assert.Equal(frames[i].StampNs / 1e9, frames[i].WorldFromCamera.Translation.X, 9);
        }
        var stats = sync.Statistics;
        Assert.Equal(300, stats.Matched);
        Assert.Equal(new SynchronizerStatistics(300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), stats);
    }

    [Fact]
    public void Add_DepthGapAndMissingColor_CountsEachUnmatchedFrame()
    {
        var colorDrops = new List<(int, SynchronizationDropReason)>();
        var depthDrops = new List<(int, SynchronizationDropReason)>();
        var sync = PoseTopicSynchronizer(colorDrops, depthDrops);
        var frames = Feed(sync, 200, 5 * Ms, seed: 2, keepColor: i => i != 100, keepDepth: i => i is < 50 or >= 60);
        Assert.Equal(189, frames.Count);
        Assert.All(frames, f => Assert.Equal(f.Color, f.Depth));
        var stats = sync.Statistics;
        Assert.Equal(10, stats.ColorNoPartner);
        Assert.Equal(1, stats.DepthNoPartner);
        Assert.Equal(Enumerable.Range(50, 10).Select(i => (i, SynchronizationDropReason.NoPartner)), colorDrops);
        Assert.Equal([(100, SynchronizationDropReason.NoPartner)], depthDrops);
    }

    [Fact]
    public void Add_StampBeyondTolerance_IsNoPartner()
    {
        var sync = PoseTopicSynchronizer(options: new SynchronizerOptions { ToleranceNanoseconds = 10 * Ms });
        AddPoses(sync, 0, Second);
        sync.AddColor(100 * Ms, 1);
        sync.AddDepth(111 * Ms, 1); // 11 ms apart
        sync.AddColor(200 * Ms, 2);
        sync.AddDepth(209 * Ms, 2); // 9 ms apart
        sync.Flush();
        var frames = Drain(sync);
        Assert.Equal(2, Assert.Single(frames).Color);
        Assert.Equal(1, sync.Statistics.ColorNoPartner);
        Assert.Equal(1, sync.Statistics.DepthNoPartner);
    }

    [Fact]
    public void Add_CloserLaterColor_TakesTheDepthFrame()
    {
        var sync = PoseTopicSynchronizer();
        AddPoses(sync, 0, Second);
        sync.AddColor(0, 1);
        sync.AddColor(5 * Ms, 2);
        sync.AddDepth(10 * Ms, 2);
        sync.Flush();
        var frame = Assert.Single(Drain(sync));
        Assert.Equal((2, 2), (frame.Color, frame.Depth));
        Assert.Equal(1, sync.Statistics.ColorNoPartner);
    }

    [Fact]
    public void Add_NeighbourPrefersItsOwnNeighbour_BothPairsMatch()
    {
        // Color 15 is nearer depth 10 than color 0 is, but depth 18 is nearer still to color 15.
        var sync = PoseTopicSynchronizer();
        AddPoses(sync, 0, Second);
        sync.AddColor(0, 1);
        sync.AddDepth(10 * Ms, 1);
        sync.AddColor(15 * Ms, 2);
        sync.AddDepth(18 * Ms, 2);
        sync.Flush();
        var frames = Drain(sync);
        Assert.Equal([(1, 1), (2, 2)], frames.Select(f => (f.Color, f.Depth)));
    }

    [Fact]
    public void Add_EqualStamps_MatchWithoutWaitingForTheNextFrame()
    {
        var sync = PoseTopicSynchronizer();
        AddPoses(sync, 0, Second);
        sync.AddColor(500 * Ms, 7);
        sync.AddDepth(500 * Ms, 7);
        Assert.True(sync.TryTake(out var frame));
        Assert.Equal(0.5, frame.WorldFromCamera.Translation.X, 12);
    }

    [Fact]
    public void Add_BagLoops_ResetsCountsWhatWasWaitingAndMatchesTheSecondPass()
    {
        var colorDrops = new List<(int Payload, SynchronizationDropReason Reason)>();
        var depthDrops = new List<(int Payload, SynchronizationDropReason Reason)>();
        var sync = PoseTopicSynchronizer(colorDrops, depthDrops);
        var first = Feed(sync, 100, 5 * Ms, seed: 3);
        Assert.Equal(100, first.Count);
        sync.AddColor(10 * Second, 1000); // waits for a depth partner

        // The bag starts again: its first pose sample goes back in time and resets everything.
        var second = Feed(sync, 100, 5 * Ms, seed: 3);
        Assert.Equal(100, second.Count);
        Assert.Equal(first.Select(f => (f.StampNs, f.ColorStampNs, f.Color)), second.Select(f => (f.StampNs, f.ColorStampNs, f.Color)));
        var stats = sync.Statistics;
        Assert.Equal((1, 1, 0, 200), (stats.Resets, stats.ColorDroppedOnReset, stats.DepthDroppedOnReset, stats.Matched));
        Assert.Equal((1000, SynchronizationDropReason.TimeReset), Assert.Single(colorDrops));
        Assert.Empty(depthDrops);
    }

    [Fact]
    public void AddColor_TimeGoesBackwards_Resets()
    {
        var colorDrops = new List<(int Payload, SynchronizationDropReason Reason)>();
        var sync = PoseTopicSynchronizer(colorDrops);
        sync.AddColor(2 * Second, 1);
        sync.AddColor(Second, 2);
        Assert.Equal((1, 1, 1), (sync.Statistics.Resets, sync.Statistics.ColorDroppedOnReset, sync.Statistics.WaitingColor));
        Assert.Equal((1, SynchronizationDropReason.TimeReset), Assert.Single(colorDrops));
    }

    [Fact]
    public void AddDepth_TimeGoesBackwards_DropsPairsWaitingForPose()
    {
        var depthDrops = new List<(int Payload, SynchronizationDropReason Reason)>();
        var sync = PoseTopicSynchronizer(depthDrops: depthDrops);
        sync.AddColor(Second, 1);
        sync.AddDepth(Second, 1); // matched, waiting for a pose sample
        Assert.Equal(1, sync.Statistics.WaitingForPose);
        sync.AddDepth(Second / 2, 2);
        var stats = sync.Statistics;
        Assert.Equal((1, 1, 1, 0), (stats.Resets, stats.ColorDroppedOnReset, stats.DepthDroppedOnReset, stats.WaitingForPose));
        Assert.Equal((1, SynchronizationDropReason.TimeReset), Assert.Single(depthDrops));
    }

    [Fact]
    public void AddColor_DepthStreamSilent_OverflowsOldestThenFlushCountsTheRest()
    {
        var colorDrops = new List<(int Payload, SynchronizationDropReason Reason)>();
        var sync = PoseTopicSynchronizer(colorDrops, options: new SynchronizerOptions { ColorQueueSize = 30 });
        for (int i = 0; i < 40; i++) sync.AddColor(Second + i * Period, i);
        Assert.Equal(10, sync.Statistics.ColorQueueOverflow);
        Assert.Equal(30, sync.Statistics.WaitingColor);
        sync.Flush();
        Assert.Equal(30, sync.Statistics.ColorNoPartner);
        Assert.Equal(Enumerable.Range(0, 10), colorDrops.Where(d => d.Reason == SynchronizationDropReason.QueueOverflow).Select(d => d.Payload));
        Assert.Equal(0, sync.Statistics.WaitingColor);
    }

    [Fact]
    public void Flush_NoPoseSamples_CountsPairsAsPoseUnavailable()
    {
        var sync = PoseTopicSynchronizer();
        sync.AddColor(Second, 1);
        sync.AddDepth(Second, 1);
        sync.AddColor(Second + Period, 2);
        sync.AddDepth(Second + Period, 2);
        Assert.False(sync.TryTake(out _));
        sync.Flush();
        Assert.Equal(2, sync.Statistics.PoseUnavailable);
        Assert.Equal("No pose sample has arrived.", sync.LastPoseError);
    }

    [Fact]
    public void Add_PoseSamplesTooFarAway_AreNotUsed()
    {
        var sync = PoseTopicSynchronizer();
        sync.AddPose(Second - 100 * Ms, PoseAt(Second - 100 * Ms));
        sync.AddPose(Second + 100 * Ms, PoseAt(Second + 100 * Ms));
        sync.AddColor(Second, 1);
        sync.AddDepth(Second, 1);
        sync.Flush();
        Assert.Equal(1, sync.Statistics.PoseUnavailable);
        Assert.Contains("nearest is 100.0 ms away", sync.LastPoseError);
    }

    [Fact]
    public void Add_DuplicateStamp_IsCounted()
    {
        var sync = PoseTopicSynchronizer();
        sync.AddColor(Second, 1);
        sync.AddColor(Second, 2);
        Assert.Equal(1, sync.Statistics.DuplicateStamps);
        Assert.Equal(1, sync.Statistics.WaitingColor);
    }

    [Fact]
    public void Add_WithTransformBuffer_UsesTheTfPoseAtTheDepthStamp()
    {
        var tf = new TransformBuffer();
        tf.SetTransform("map", "odom", 0, new RigidTransform(QuaternionD.Identity, new Vector3d(0, 2, 0)), isStatic: true);
        tf.SetTransform("base_link", "camera_link", 0, new RigidTransform(QuaternionD.Identity, new Vector3d(0, 0, 1)), isStatic: true);
        tf.SetTransform("camera_link", "camera_optical", 0, FrameConventions.BodyFromOptical, isStatic: true);
        var sync = new ApproximateTimeSynchronizer<int, int>(new SynchronizerOptions(), tf, "map", "camera_optical");
        var frames = new List<SynchronizedFrame<int, int>>();
        for (int i = 0; i < 60; i++)
        {
            long t = Second + i * Period;
            // TF at 50 Hz lags the camera by one sample: frames wait for it instead of failing.
            for (long tt = Second + (i - 1) * Period; tt <= t; tt += 20 * Ms)
                tf.SetTransform("odom", "base_link", tt - tt % (20 * Ms), PoseAt(tt - tt % (20 * Ms)));
            sync.AddDepth(t + 3 * Ms, i);
            sync.AddColor(t, i);
            Drain(sync, frames);
        }
        for (long tt = Second + 60 * Period; tt <= Second + 61 * Period; tt += 20 * Ms)
            tf.SetTransform("odom", "base_link", tt - tt % (20 * Ms), PoseAt(tt - tt % (20 * Ms)));
        sync.Flush();
        Drain(sync, frames);
        Assert.Equal(60, frames.Count);
        foreach (var frame in frames)
        {
            // A point 1 m down the optical axis: 1 m ahead (x) of camera_link, 1 m up, odom 2 m along y.
            var p = frame.WorldFromCamera.Apply(new Vector3d(0, 0, 1));
            Assert.Equal(frame.StampNs / 1e9 + 1, p.X, 9);
            Assert.Equal(2, p.Y, 9);
            Assert.Equal(1, p.Z, 9);
        }
    }

    [Fact]
    public void Flush_WithTransformBufferBehindTheFrames_CountsPoseUnavailableWithTheTfError()
    {
        var tf = new TransformBuffer();
        tf.SetTransform("map", "camera", Second, RigidTransform.Identity);
        tf.SetTransform("map", "camera", 2 * Second, RigidTransform.Identity);
        var sync = new ApproximateTimeSynchronizer<int, int>(new SynchronizerOptions(), tf, "map", "camera");
        sync.AddColor(3 * Second, 1);
        sync.AddDepth(3 * Second, 1);
        Assert.Equal(1, sync.Statistics.WaitingForPose); // TF may still catch up
        sync.AddColor(4 * Second, 2);
        sync.AddDepth(4 * Second, 2);                   // 1 s later in stream time: stop waiting for the first
        Assert.Equal(1, sync.Statistics.PoseUnavailable);
        sync.Flush();
        Assert.Equal(2, sync.Statistics.PoseUnavailable);
        Assert.Contains("extrapolation into the future", sync.LastPoseError);
    }

    [Fact]
    public void Add_SeededRandomStreams_EveryFrameIsMatchedDroppedOrWaiting()
    {
        var random = new Random(7);
        var colorDrops = new List<(int, SynchronizationDropReason)>();
        var depthDrops = new List<(int, SynchronizationDropReason)>();
        var sync = PoseTopicSynchronizer(colorDrops, depthDrops, new SynchronizerOptions { ColorQueueSize = 4, DepthQueueSize = 4 });
        var matched = new List<SynchronizedFrame<int, int>>();
        long clock = Second, tc = long.MinValue, td = long.MinValue, tp = long.MinValue;
        int colors = 0, depths = 0;
        for (int step = 0; step < 5000; step++)
        {
            clock += random.NextInt64(0, 20 * Ms);
            if (random.Next(400) == 0) clock -= 3 * Second; // a bag loop: every stream goes back
            long Next(long last) => Math.Max(last + 1, clock + random.NextInt64(-15 * Ms, 15 * Ms));
            switch (random.Next(3))
            {
                case 0: tc = tc > clock + Second ? clock : Next(tc); sync.AddColor(tc, colors++); break;
                case 1: td = td > clock + Second ? clock : Next(td); sync.AddDepth(td, depths++); break;
                default: tp = tp > clock + Second ? clock : Next(tp); sync.AddPose(tp, PoseAt(tp)); break;
            }
            Drain(sync, matched);
        }
        sync.Flush();
        Drain(sync, matched);
        var s = sync.Statistics;
        Assert.True(s.Resets > 0 && s.Matched > 0);
        Assert.Equal(colors, matched.Count + colorDrops.Count + s.WaitingColor);
        Assert.Equal(depths, matched.Count + depthDrops.Count + s.WaitingDepth);
        Assert.Equal(colors, s.Matched + s.ColorNoPartner + s.ColorQueueOverflow + s.PoseUnavailable + s.PendingPoseOverflow + s.ColorDroppedOnReset
            + colorDrops.Count(d => d.Item2 == SynchronizationDropReason.DuplicateStamp));
        Assert.All(matched, f => Assert.True(Math.Abs(f.StampNs - f.ColorStampNs) <= SynchronizerOptions.DefaultToleranceNanoseconds));
        // Every payload leaves exactly once.
        Assert.Equal(colors, matched.Select(f => f.Color).Concat(colorDrops.Select(d => d.Item1)).Distinct().Count());
    }

    [Fact]
    public void Add_WithoutDropCallbacks_StillDropsOverflowsPartnerlessAndResetFrames()
    {
        // Regression: drops must dequeue even when nobody listens.
        var sync = new ApproximateTimeSynchronizer<int, int>(new SynchronizerOptions { ColorQueueSize = 2 });
        for (int i = 0; i < 5; i++) sync.AddColor(Second + i * Period, i);
        Assert.Equal((3, 2), (sync.Statistics.ColorQueueOverflow, sync.Statistics.WaitingColor));
        sync.AddDepth(10 * Second, 0); // far after every color: they have no partner
        Assert.Equal((2, 0), (sync.Statistics.ColorNoPartner, sync.Statistics.WaitingColor));
        sync.AddColor(20 * Second, 9); // far after the depth: it has no partner either
        Assert.Equal((1, 1), (sync.Statistics.DepthNoPartner, sync.Statistics.WaitingColor));
        sync.AddDepth(Second, 1); // backwards
        var stats = sync.Statistics;
        Assert.Equal((1, 1, 0, 1, 0), (stats.Resets, stats.ColorDroppedOnReset, stats.DepthDroppedOnReset, stats.WaitingDepth, stats.WaitingColor));
    }
}
