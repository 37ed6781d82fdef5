using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Completion;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

/// <summary>
/// The AnyRecon loop in replay, judged against the synthetic scene's own renders at held-out targets: completed views
/// closer to the truth than the plain guidance render, written where eval and RViz find them, and fused back only as
/// generated evidence.
/// </summary>
public sealed class CompletionLoopTests
{
    private const int FrameCount = 60;

    private static double Psnr(byte[] a, byte[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        double mse = sum / a.Length;
        return mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    [Fact]
    public async Task Replay_WithHeldOutTargets_CompletesBetterThanGuidanceAndFusesGeneratedEvidence()
    {
        using var temp = new TempDirectory();
        var recordingOptions = new SyntheticRecordingOptions { Width = 160, Height = 120 };
        var scene = SceneLibrary.Get("living_room");
        var recording = new SyntheticRecording(scene, FrameCount, recordingOptions);
        string bag = temp.Combine("bag");
        using (var writer = RgbdBagWriter.Create(bag, recording.Intrinsics))
            foreach (var frame in recording.Frames()) writer.Write(frame.TimestampNs, frame.WorldFromCamera, frame.Image.Color, frame.Image.Depth.Metres);

        // Held-out targets: on the path between frames, turned 20..35° about the vertical; stamp 0 = at the end.
        var random = new Random(9);
        var targets = new List<TargetPose>();
        for (int i = 0; i < 5; i++)
        {
            var pose = CameraPath.WorldFromCamera(scene, 5 + 12 * i, FrameCount);
            double yaw = (random.Next(2) * 2 - 1) * (20 + 15 * random.NextDouble()) * Math.PI / 180;
            targets.Add(new TargetPose(i.ToString("D6"), 0, new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), yaw) * pose.Rotation, pose.Translation)));
        }
        string targetsFile = temp.Combine("targets.tum");
        TargetPoseFile.Write(targetsFile, targets);
        string truthDir = temp.Combine("truth");
        Directory.CreateDirectory(truthDir);
        var png = new PngCodec();
        var truths = targets.Select(t => SceneRenderer.Render(scene, recording.Intrinsics, t.WorldFromCamera)).ToList();
        for (int i = 0; i < targets.Count; i++) File.WriteAllBytes(Path.Combine(truthDir, targets[i].Name + ".png"), png.Encode(truths[i].Color));

        var options = new MappingOptions();
        options.Voxels.VoxelSizeMeters = 0.02;
        options.Completion.Enabled = true;
        options.Completion.TargetsFile = targetsFile;
        string output = temp.Combine("out");
        var result = await ReplayRun.RunAsync(bag, output, options, groundTruthViews: truthDir, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(targets.Count, result.Report.ViewsCompleted);
        Assert.True(result.Report.GeneratedPixelsFused > 0, "nothing fused back");
        double completed = 0, guidance = 0;
        int warped = 0, filled = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            string name = targets[i].Name;
            var view = png.DecodeRgb(File.ReadAllBytes(Path.Combine(output, "completed", name + ".png")));
            var render = png.DecodeRgb(File.ReadAllBytes(Path.Combine(output, "completed", "guidance", name + ".png")));
            completed += Psnr(view.Rgb, truths[i].Color.Rgb);
            guidance += Psnr(render.Rgb, truths[i].Color.Rgb);
            var source = png.DecodeMono8(File.ReadAllBytes(Path.Combine(output, "completed", "source", name + ".png")), out _, out _);
            warped += source.Count(s => s == (byte)PixelSource.Warped * 80);
            filled += source.Count(s => s == (byte)PixelSource.Filled * 80);
        }
        completed /= targets.Count;
        guidance /= targets.Count;
        Assert.True(completed > guidance + 0.5, $"PSNR completed {completed:F2} dB vs guidance {guidance:F2} dB");
        Assert.True(warped > 0 && filled >= 0, $"{warped} warped, {filled} filled pixels");
        Assert.True(File.Exists(Path.Combine(output, "completed", "contact_sheet.png")));

        // The completed images are on their topic, one per target.
        using var reader = BagReader.Open(Path.Combine(output, "output.mcap"));
        int images = reader.ReadMessages(new MessageFilter { Topics = [NodeTopics.CompletedImage.Name] }).Count();
        Assert.Equal(targets.Count, images);

        // Generated evidence is in the map, and the saved points say which points it made.
        using var map = VoxelMapFile.Load(Path.Combine(output, "map", ReplayRun.MapFileName));
        int generatedVoxels = 0;
        foreach (var index in map.GetBlockIndices())
            for (int v = 0; v < BlockIndex.VoxelCount; v++)
                if (map.TryGetVoxel(index.X * 8 + (v & 7), index.Y * 8 + (v >> 3 & 7), index.Z * 8 + (v >> 6), out var s) && s.GeneratedWeight > 0)
                {
                    generatedVoxels++;
                    // Observed-settled voxels never take generated weight.
                    Assert.True(s.ObservedWeight < map.SettledObservedWeight, $"settled voxel got generated evidence: {s}");
                }
        Assert.True(generatedVoxels > 100, $"{generatedVoxels} voxels with generated evidence");
    }
}

public sealed class CompletionStageTests
{
    /// <summary>A completer that holds its first call until the test lets it go.</summary>
    private sealed class HeldCompleter(ManualResetEventSlim release) : IViewCompleter
    {
        private readonly GeometricViewCompleter _inner = new();
        public int Calls;

        public string Name => "held";

        public CompletedView Complete(CompletionRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref Calls) == 1) release.Wait(TimeSpan.FromMinutes(2), cancellationToken);
            return _inner.Complete(request, cancellationToken);
        }
    }

    [Fact]
    public async Task AutomaticTargets_WhileTheCompleterIsBusy_IntegrationGoesOnAndTheNewestTargetWins()
    {
        using var temp = new TempDirectory();
        var recordingOptions = new SyntheticRecordingOptions { Width = 160, Height = 120 };
        var recording = new SyntheticRecording(SceneLibrary.Get("office"), 40, recordingOptions);
        string bag = temp.Combine("bag");
        using (var writer = RgbdBagWriter.Create(bag, recording.Intrinsics))
            foreach (var frame in recording.Frames()) writer.Write(frame.TimestampNs, frame.WorldFromCamera, frame.Image.Color, frame.Image.Depth.Metres);

        using var release = new ManualResetEventSlim();
        var completer = new HeldCompleter(release);
        var options = new MappingOptions();
        options.Voxels.VoxelSizeMeters = 0.04;
        // Every frame is a keyframe, so the 40th acknowledgement says integration reached the end of the bag.
        options.Keyframes.MinTranslationMeters = 1e-6;
        options.Completion.Enabled = true;
        options.Completion.Automatic.Gaps = true;
        options.Completion.Automatic.Frontier = true;
        options.Completion.Automatic.EveryKeyframes = 1;
        options.Completion.Completer = completer;
        var allIntegrated = new TaskCompletionSource();
        long keyframes = 0;
        var run = ReplayRun.RunAsync(bag, temp.Combine("out"), options, cancellationToken: TestContext.Current.CancellationToken,
            keyframeAcknowledged: _ => { if (Interlocked.Increment(ref keyframes) == 40) allIntegrated.TrySetResult(); });
        // The first completion is held: integration must still get through every frame (the safety timeout only
        // turns a stall into a failure instead of a hung test).
        var first = await Task.WhenAny(allIntegrated.Task, run, Task.Delay(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken));
        Assert.Same(allIntegrated.Task, first);
        Assert.False(run.IsCompleted);
        release.Set();
        var result = await run;
        Assert.Equal(40, result.Report.FramesIntegrated);
        var queue = result.Report.Queues.Single(q => q.Name == "completion");
        Assert.Equal(QueueFullPolicy.KeepNewest, queue.Policy);
        Assert.True(queue.Dropped > 0, $"no target was dropped ({queue.Enqueued} raised)");
        // Every raised target was either completed or dropped for a newer one.
        Assert.Equal(queue.Enqueued - queue.Dropped, result.Report.ViewsCompleted);
        Assert.Equal(completer.Calls, result.Report.ViewsCompleted);
    }
}
