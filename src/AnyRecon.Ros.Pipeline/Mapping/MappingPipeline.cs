using System.Diagnostics;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>Where the mapping pipeline sends its incremental results (an output bag in replay, DDS topics live).</summary>
public interface IMapSink
{
    /// <summary>Called from the integration stage after every <see cref="MappingOptions.PointCloudEveryFrames"/> frames and at the end.</summary>
    void OnMapChanged(VoxelMemory memory, long sinceStamp, long frameStampNs, bool final);
}

/// <summary>Where the mapping pipeline sends its periodic status (~/status and /diagnostics).</summary>
public interface IStatusSink
{
    /// <summary>
    /// Called from the integration stage once every <see cref="MappingOptions.StatusPeriodSeconds"/> of bag (header)
    /// time, and once at the end with <paramref name="final"/> set. <paramref name="stampNs"/> is the newest integrated frame's stamp.
    /// </summary>
    void OnStatus(MappingReport report, long stampNs, bool final);
}

/// <summary>Where the mapping pipeline saves snapshots it can resume from (a map file and the input position).</summary>
public interface ISnapshotSink
{
    /// <summary>
    /// Called from the integration stage once every <see cref="MappingOptions.SnapshotPeriodSeconds"/> of frame time:
    /// the memory holds every frame up to and including <paramref name="lastFrameStampNs"/>. Must leave a complete
    /// snapshot on disk or the previous one (write a temp file, then rename).
    /// </summary>
    void SaveSnapshot(VoxelMemory memory, long lastFrameStampNs, long framesIntegrated);
}

/// <summary>
/// Frames in, a fused map out: ingest → decode+sync → keyframe gate → integrate, each stage joined by a bounded
/// <see cref="StageQueue{T}"/> with the policies of ARCHITECTURE.md. The same object runs replay and the live node;
/// only the source that fills <see cref="Ingest"/> and the <see cref="IMapSink"/> differ.
/// </summary>
public sealed class MappingPipeline : IDisposable
{
    private readonly MappingOptions _options;
    private readonly IMapSink? _sink;
    private readonly IStatusSink? _statusSink;
    private readonly FrameAssembler[] _assemblers;
    private readonly ProjectiveTsdfIntegrator _integrator;
    private readonly PipelineStage<IngestMessage> _decode;
    private readonly PipelineStage<RgbdFrame> _gate;
    private readonly PipelineStage<RgbdFrame> _integrate;
    private readonly StageQueue<RgbdFrame> _frames;
    private readonly StageQueue<RgbdFrame> _keyframeGated;
    private readonly StageQueue<KeyframeWrite> _keyframeWrites;
    private readonly PipelineStage<KeyframeWrite> _cacheStage;
    private readonly KeyframeSelector[] _selectors;
    private readonly List<BlockIndex> _observed = [];
    private readonly List<RgbdFrame> _assembled = [];
    private readonly long[] _lastGateStamps, _lastCachedStamps;
    // Per camera, for /diagnostics: frames assembled (decode stage), integrated (integration stage), keyframes on disk (cache stage).
    private readonly long[] _assembledPerCamera, _integratedPerCamera, _keyframesPerCamera, _lastStampPerCamera;
    private readonly string[] _cameraNames;
    private long _keyframes, _integrated, _lastPublishedStamp, _lastFrameStamp;
    private long? _lastStatusStamp;
    private int _sincePublish;
    private long _warnedOverruns;
    private TimeSpan _lastWarning;
    private readonly Stopwatch _clock = new();
    private readonly ISnapshotSink? _snapshots;
    private readonly ResumePoint? _resume;
    private long? _lastSnapshotStamp;
    private long _skippedBeforeResume;

    /// <summary>Least time between two warnings of the same kind, so a log is not flooded once per frame.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    public MappingPipeline(MappingOptions options, IMapSink? sink = null, IStatusSink? statusSink = null)
        : this(options, sink, statusSink, resume: null)
    {
    }

    /// <summary>
    /// A pipeline that continues from a snapshot: <paramref name="resume"/>'s memory is the map so far, and frames
    /// stamped at or before its last frame are counted as already integrated and skipped.
    /// </summary>
    public MappingPipeline(MappingOptions options, IMapSink? sink, IStatusSink? statusSink, ResumePoint? resume, ISnapshotSink? snapshots = null,
        ICompletionSink? completions = null)
    {
        _options = options;
        _sink = sink;
        _statusSink = statusSink;
        _snapshots = snapshots;
        _resume = resume;
        Memory = resume?.Memory ?? new VoxelMemory(options.Voxels);
        _integrated = resume?.FramesIntegrated ?? 0;
        _integrator = new ProjectiveTsdfIntegrator(options.Integration);
        var rawPolicy = options.IngestWaits ? QueueFullPolicy.Wait : QueueFullPolicy.DropOldest;
        Ingest = new StageQueue<IngestMessage>("ingest", options.QueueCapacity * 8, rawPolicy);
        _frames = new StageQueue<RgbdFrame>("frames", options.QueueCapacity, rawPolicy);
        // After the keyframe gate nothing is dropped: a frame accepted for the map is integrated.
        _keyframeGated = new StageQueue<RgbdFrame>("integrate", options.QueueCapacity, QueueFullPolicy.Wait);
        _decode = new PipelineStage<IngestMessage>("decode_sync", Ingest, DecodeAsync);
        var cameras = options.EffectiveCameras;
        // With several cameras a rejection names its camera, so a monitor sees which one is misconfigured.
        _assemblers = cameras.Select((camera, i) => new FrameAssembler(options, camera, i,
            cameras.Count > 1 ? reason => _decode.Reject($"{camera.Name}: {reason}") : _decode.Reject)).ToArray();
        _cameraNames = [.. cameras.Select(c => c.Name)];
        _assembledPerCamera = new long[cameras.Count];
        _integratedPerCamera = new long[cameras.Count];
        _keyframesPerCamera = new long[cameras.Count];
        _lastStampPerCamera = new long[cameras.Count];
        _lastGateStamps = Enumerable.Repeat(long.MinValue, cameras.Count).ToArray();
        _lastCachedStamps = Enumerable.Repeat(long.MinValue, cameras.Count).ToArray();
        _gate = new PipelineStage<RgbdFrame>("keyframe_gate", _frames, GateAsync);
        _integrate = new PipelineStage<RgbdFrame>("integrate", _keyframeGated, IntegrateAsync);
        // Keyframes are written (encoded, compressed, fsynced) off the integration thread; none is ever dropped.
        _keyframeWrites = new StageQueue<KeyframeWrite>("keyframes", options.QueueCapacity, QueueFullPolicy.Wait);
        _cacheStage = new PipelineStage<KeyframeWrite>("capture_cache", _keyframeWrites, CacheAsync);
        // Each camera keeps its own keyframe sequence: two cameras' poses never count as one camera's motion.
        _selectors = cameras.Select(_ => new KeyframeSelector(options.Keyframes)).ToArray();
        if (options.KeyframeDirectory is string directory)
        {
            Keyframes = CaptureViewCache.Open(directory, options.KeyframeCache);
            // A reopened cache: its newest keyframe is the reference, and frames up to it are not cached again.
            if (Keyframes.Count > 0)
            {
                var last = Keyframes.Infos[Keyframes.Count - 1];
                foreach (var selector in _selectors) selector.Accept(last.WorldFromCamera, last.ObservedBlocks.ToArray());
                Array.Fill(_lastCachedStamps, last.StampNs);
                _keyframes = Keyframes.Count;
            }
            if (options.Completion.Enabled || options.Completion.OnDemand) _loop = new CompletionLoop(options.Completion, Memory.BlockSizeMeters, Keyframes, completions, ReadMapAsync);
        }
        else if (options.Completion.Enabled || options.Completion.OnDemand)
            throw new ArgumentException("the completion loop needs the capture-view cache: set KeyframeDirectory", nameof(options));
    }

    private readonly CompletionLoop? _loop;
    private PinholeIntrinsics? _lastIntrinsics;

    /// <summary>The capture-view cache (null when <see cref="MappingOptions.KeyframeDirectory"/> is not set).</summary>
    public CaptureViewCache? Keyframes { get; }

    /// <summary>Called from the cache stage each time a keyframe is durable on disk (acknowledged).</summary>
    public Action<KeyframeInfo>? KeyframeAcknowledged { get; set; }

    private sealed record KeyframeWrite(RgbdFrame Frame, BlockIndex[] ObservedBlocks);

    public VoxelMemory Memory { get; private set; }

    /// <summary>Live input: from a depth image's arrival to the end of its frame's integration (frames whose arrival is known).</summary>
    public LatencyRecorder ArrivalToIntegrated { get; } = new();

    /// <summary>How long each frame's integration waited for the map while a reader (a service, ~/points, the completion stage) held it.</summary>
    public LatencyRecorder IntegrationWaitedForMap { get; } = new();

    /// <summary>Header stamp of the newest integrated frame (0 before the first).</summary>
    public long LastFrameStampNs => Interlocked.Read(ref _lastFrameStamp);

    /// <summary>Held by the integration stage for each frame; <see cref="WithMapAsync"/> takes it to use the map from elsewhere.</summary>
    private readonly SemaphoreSlim _mapGate = new(1, 1);

    /// <summary>
    /// Runs <paramref name="action"/> with the map between two frames (services: save, load, reset, render). It may
    /// replace the map by returning another memory through <see cref="ReplaceMemory"/>.
    /// </summary>
    public async Task<T> WithMapAsync<T>(Func<VoxelMemory, T> action, CancellationToken cancellationToken = default)
    {
        await _mapGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return action(Memory);
        }
        finally
        {
            _mapGate.Release();
        }
    }

    /// <summary>
    /// Completes the view at <paramref name="target"/> now: the map is rendered there and the overlapping keyframes
    /// retrieved between two frames, the completer runs off the integration thread. With <paramref name="fuse"/> the
    /// view joins the map as generated evidence before the next frame. <paramref name="intrinsics"/> null: the last frame's.
    /// </summary>
    public async Task<(Completion.CompletionRequest Request, Completion.CompletedView View)> CompleteViewAsync(TargetPose target, PinholeIntrinsics? intrinsics, bool fuse,
        CancellationToken cancellationToken = default)
    {
        var loop = _loop ?? throw new InvalidOperationException("view completion needs the capture-view cache (a map directory)");
        // The integration stage writes the last intrinsics with the map held.
        var k = intrinsics ?? await WithMapAsync(_ => _lastIntrinsics, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("no camera frame has been integrated yet: give the intrinsics");
        var job = await loop.PrepareAsync(target, k, cancellationToken).ConfigureAwait(false);
        var (request, view) = await Task.Run(() => loop.Complete(job, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (fuse) loop.FuseLater(target, request, view);
        return (request, view);
    }

    /// <summary>One step of a long reader (see <see cref="MapAccess"/>): <paramref name="read"/> runs between two frames.</summary>
    public Task ReadMapAsync(Action<VoxelMemory> read, CancellationToken cancellationToken) =>
        WithMapAsync(memory =>
        {
            read(memory);
            return true;
        }, cancellationToken);

    /// <summary>Swaps the map (load or reset); only inside <see cref="WithMapAsync"/>. The old memory is disposed.</summary>
    public void ReplaceMemory(VoxelMemory memory)
    {
        if (_mapGate.CurrentCount != 0) throw new InvalidOperationException("ReplaceMemory runs inside WithMapAsync");
        var old = Memory;
        Memory = memory;
        _lastPublishedStamp = 0;
        old.Dispose();
    }

    /// <summary>
    /// Receives warnings while the pipeline runs (called from the integration stage), at most one per
    /// <see cref="WarningInterval"/>; <see cref="Report"/> lists them all, summarised, at the end.
    /// </summary>
    public Action<string>? Warning { get; set; }

    /// <summary>The source writes here and completes it at the end of input.</summary>
    public StageQueue<IngestMessage> Ingest { get; }

    /// <summary>Runs the stages until <see cref="Ingest"/> is completed and everything queued is integrated.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _clock.Start();
        var decode = Task.Run(async () =>
        {
            try
            {
                await _decode.RunAsync(cancellationToken).ConfigureAwait(false);
                _assembled.Clear();
                foreach (var assembler in _assemblers) assembler.Flush(_assembled);
                foreach (var frame in _assembled) await _frames.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            finally { _frames.Complete(); }
        }, cancellationToken);
        var gate = Task.Run(async () =>
        {
            try { await _gate.RunAsync(cancellationToken).ConfigureAwait(false); }
            finally { _keyframeGated.Complete(); }
        }, cancellationToken);
        var integrate = Task.Run(async () =>
        {
            try { await _integrate.RunAsync(cancellationToken).ConfigureAwait(false); }
            finally { _keyframeWrites.Complete(); }
        }, cancellationToken);
        var cache = Task.Run(() => _cacheStage.RunAsync(cancellationToken), cancellationToken);
        var completion = _loop is null ? Task.CompletedTask : Task.Run(() => _loop.Stage.RunAsync(cancellationToken), cancellationToken);
        await Task.WhenAll(decode, gate, integrate, cache).ConfigureAwait(false);
        // Input is done and every keyframe is on disk: the rest of the loop runs here, owning the map.
        if (_loop is not null) await _loop.FinishAsync(completion, Memory, _integrator, _lastIntrinsics, cancellationToken).ConfigureAwait(false);
        _sink?.OnMapChanged(Memory, _lastPublishedStamp, _lastFrameStamp, final: true);
        _snapshots?.SaveSnapshot(Memory, Math.Max(_lastFrameStamp, _resume?.LastFrameStampNs ?? 0), _integrated);
        _clock.Stop();
        _statusSink?.OnStatus(Report(), _lastFrameStamp, final: true);
    }

    private async ValueTask DecodeAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        _assembled.Clear();
        foreach (var assembler in _assemblers)
            if (assembler.Wants(message.Topic)) assembler.Add(message, _assembled);
        foreach (var frame in _assembled)
        {
            Interlocked.Increment(ref _assembledPerCamera[frame.Camera]);
            await _frames.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Admits frames into the map: after the gate nothing is dropped. Every frame with a finite pose is fused; whether
    /// it also becomes a keyframe needs the blocks it observed, so the integration stage decides that.
    /// </summary>
    private async ValueTask GateAsync(RgbdFrame frame, CancellationToken cancellationToken)
    {
        if (!frame.WorldFromCamera.IsFinite) throw new RejectedItemException("pose not finite");
        // Time going backwards (a looped bag): the next frame starts a new keyframe sequence.
        if (frame.StampNs < _lastGateStamps[frame.Camera]) frame.RestartsKeyframes = true;
        _lastGateStamps[frame.Camera] = frame.StampNs;
        await _keyframeGated.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask CacheAsync(KeyframeWrite write, CancellationToken cancellationToken)
    {
        var frame = write.Frame;
        // Depth-only cameras still get a keyframe: black colour, so retrieval and warping of depth work alike.
        var color = frame.Color ?? new ColorImage(frame.Depth.Width, frame.Depth.Height, new byte[frame.Depth.Width * frame.Depth.Height * 3]);
        var info = Keyframes!.Append(frame.StampNs, frame.Intrinsics, frame.WorldFromCamera, color, frame.Depth, write.ObservedBlocks);
        Interlocked.Increment(ref _keyframes);
        Interlocked.Increment(ref _keyframesPerCamera[frame.Camera]);
        KeyframeAcknowledged?.Invoke(info);
        _loop?.OnKeyframe(info);
        return ValueTask.CompletedTask;
    }

    private async ValueTask IntegrateAsync(RgbdFrame frame, CancellationToken cancellationToken)
    {
        long waitStart = Stopwatch.GetTimestamp();
        await _mapGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        IntegrationWaitedForMap.Record(Stopwatch.GetElapsedTime(waitStart));
        try
        {
            await IntegrateWithMapAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _mapGate.Release();
        }
    }

    private async ValueTask IntegrateWithMapAsync(RgbdFrame frame, CancellationToken cancellationToken)
    {
        // A resumed run sees the bag from its start again: what the snapshot already holds is not fused twice.
        if (_resume is { } resume && frame.StampNs <= resume.LastFrameStampNs)
        {
            _skippedBeforeResume++;
            return;
        }
        if (!frame.WorldFromCamera.IsFinite) throw new RejectedItemException("pose not finite");
        _integrator.Integrate(Memory, frame.Depth, frame.Color, frame.Intrinsics, frame.WorldFromCamera);
        if (frame.RestartsKeyframes)
        {
            _selectors[frame.Camera].Reset();
            _lastCachedStamps[frame.Camera] = long.MinValue;
        }
        _integrator.GetObservedBlocks(_observed);
        // A resumed run sees frames the reopened cache already holds: they are fused, not cached again.
        if (Keyframes is not null && frame.StampNs > _lastCachedStamps[frame.Camera] && _selectors[frame.Camera].Consider(frame.WorldFromCamera, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_observed)).IsKeyframe)
        {
            frame.IsKeyframe = true;
            await _keyframeWrites.WriteAsync(new KeyframeWrite(frame, _observed.ToArray()), cancellationToken).ConfigureAwait(false);
        }
        Memory.EnforceBudget(frame.WorldFromCamera.Translation);
        _integrated++;
        Interlocked.Increment(ref _integratedPerCamera[frame.Camera]);
        Volatile.Write(ref _lastStampPerCamera[frame.Camera], frame.StampNs);
        if (frame.ArrivalTicks != 0) ArrivalToIntegrated.Record(Stopwatch.GetElapsedTime(frame.ArrivalTicks));
        if (Memory.BudgetOverruns != _warnedOverruns && (_warnedOverruns == 0 || _clock.Elapsed - _lastWarning >= WarningInterval))
        {
            _warnedOverruns = Memory.BudgetOverruns;
            _lastWarning = _clock.Elapsed;
            Warning?.Invoke($"frame {_integrated}: block budget {Memory.MaxBlocksInMemory} is smaller than the blocks of this and the previous frame; keeping them resident " +
                $"({Memory.ResidentBlockCount} blocks, {Memory.BudgetOverruns} frame(s) over budget so far)");
        }
        _lastFrameStamp = frame.StampNs;
        _lastIntrinsics = frame.Intrinsics;
        if (_loop is not null) await _loop.AfterFrame(Memory, _integrator, frame, cancellationToken).ConfigureAwait(false);
        if (_sink is not null && ++_sincePublish >= _options.PointCloudEveryFrames)
        {
            _sink.OnMapChanged(Memory, _lastPublishedStamp, frame.StampNs, final: false);
            _lastPublishedStamp = Memory.Stamp;
            _sincePublish = 0;
        }
        if (_snapshots is not null && _options.SnapshotPeriodSeconds > 0)
        {
            if (_lastSnapshotStamp is not long lastSnapshot || frame.StampNs < lastSnapshot) _lastSnapshotStamp = frame.StampNs;
            else if (frame.StampNs - lastSnapshot >= (long)(_options.SnapshotPeriodSeconds * 1e9))
            {
                _snapshots.SaveSnapshot(Memory, frame.StampNs, _integrated);
                _lastSnapshotStamp = frame.StampNs;
            }
        }
        // Bag time, not wall time: replay runs faster than real time, and a status per bag second matches the live node.
        // Time going backwards (a looped bag) restarts the period.
        if (_statusSink is not null && (_lastStatusStamp is not long last || frame.StampNs < last
            || frame.StampNs - last >= (long)(_options.StatusPeriodSeconds * 1e9)))
        {
            _statusSink.OnStatus(Report(), frame.StampNs, final: false);
            _lastStatusStamp = frame.StampNs;
        }
    }

    /// <summary>Counts, timings and drops so far.</summary>
    public MappingReport Report() => new(
        FramesIn: _frames.Status.Enqueued,
        FramesIntegrated: _integrated,
        Keyframes: Interlocked.Read(ref _keyframes),
        Stages: _loop is null ? [_decode.Status, _gate.Status, _integrate.Status, _cacheStage.Status]
            : [_decode.Status, _gate.Status, _integrate.Status, _cacheStage.Status, _loop.Stage.Status],
        Queues: _loop is null ? [Ingest.Status, _frames.Status, _keyframeGated.Status, _keyframeWrites.Status]
            : [Ingest.Status, _frames.Status, _keyframeGated.Status, _keyframeWrites.Status, _loop.Jobs.Status],
        Sync: _assemblers[0].SyncStatistics,
        LastPoseError: _assemblers.Select(a => a.LastPoseError).FirstOrDefault(e => e is not null),
        TransformRejections: _assemblers[0].Transforms.Statistics,
        BlocksInMemory: Memory.ResidentBlockCount,
        BlocksOnDisk: Memory.EvictedBlockCount,
        Evictions: Memory.EvictionCount,
        Reloads: Memory.ReloadCount,
        ElapsedSeconds: _clock.Elapsed.TotalSeconds,
        PeakRssMegabytes: ProcessMemory.PeakRssMegabytes(),
        PeakBlocksInMemory: Memory.PeakResidentBlockCount,
        BudgetOverruns: Memory.BudgetOverruns,
        Warnings: Memory.BudgetWarning is string budget ? [budget] : [],
        ResumedAfterStampNs: _resume?.LastFrameStampNs,
        SkippedBeforeResume: _skippedBeforeResume,
        ViewsCompleted: _loop?.Completed ?? 0,
        GeneratedPixelsFused: _loop?.FusedPixels ?? 0,
        Cameras: [.. _cameraNames.Select((name, i) => new CameraReport(name, Interlocked.Read(ref _assembledPerCamera[i]), Interlocked.Read(ref _integratedPerCamera[i]),
            Interlocked.Read(ref _keyframesPerCamera[i]), Volatile.Read(ref _lastStampPerCamera[i])))]);

    public void Dispose()
    {
        Keyframes?.Dispose();
        foreach (var assembler in _assemblers) assembler.Dispose();
        Memory.Dispose();
    }
}

/// <summary>What a mapping run did: the replay report and the /diagnostics status.</summary>
/// <remarks>
/// <c>FramesIn</c> counts synchronised RGB-D frames (colour, depth, pose) that entered the pipeline, dropped ones
/// included. <c>Queues[i]</c> is the input queue of <c>Stages[i]</c>.
/// </remarks>
public sealed record MappingReport(
    long FramesIn,
    long FramesIntegrated,
    long Keyframes,
    IReadOnlyList<StageStatus> Stages,
    IReadOnlyList<QueueStatus> Queues,
    SynchronizerStatistics? Sync,
    string? LastPoseError,
    TransformBufferStatistics TransformRejections,
    int BlocksInMemory,
    int BlocksOnDisk,
    long Evictions,
    long Reloads,
    double ElapsedSeconds,
    double PeakRssMegabytes,
    int PeakBlocksInMemory,
    long BudgetOverruns,
    IReadOnlyList<string> Warnings,
    long? ResumedAfterStampNs = null,
    long SkippedBeforeResume = 0,
    long ViewsCompleted = 0,
    long GeneratedPixelsFused = 0,
    IReadOnlyList<CameraReport>? Cameras = null);

/// <summary>One camera's share of a mapping run: frames assembled (colour, depth, pose), integrated, cached as keyframes, and its newest integrated stamp.</summary>
public sealed record CameraReport(string Name, long FramesAssembled, long FramesIntegrated, long Keyframes, long LastStampNs);

/// <summary>Where a resumed run starts: the map of a snapshot and the last frame it holds.</summary>
public sealed record ResumePoint(VoxelMemory Memory, long LastFrameStampNs, long FramesIntegrated);

/// <summary>Resident memory of this process: peak (VmHWM, the figure the benchmarks compare) and now (VmRSS).</summary>
public static class ProcessMemory
{
    public static double PeakRssMegabytes() => Read("VmHWM:");

    public static double RssMegabytes() => Read("VmRSS:");

    private static double Read(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(field.Length).Trim().ToString().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
        }
        return Environment.WorkingSet / 1048576.0;
    }
}
