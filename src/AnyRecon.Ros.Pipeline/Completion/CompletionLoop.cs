using System.Collections.Concurrent;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Completion;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>Receives every completed view (replay writes PNGs, a topic and the contact sheet; the node publishes).</summary>
public interface ICompletionSink
{
    /// <summary>Called from the thread that owns the map, after the view was fused back.</summary>
    void OnViewCompleted(TargetPose target, CompletionRequest request, CompletedView view);
}

/// <summary>
/// The AnyRecon loop around the mapping pipeline. The integration stage, which owns the voxel memory, calls
/// <see cref="AfterFrame"/> after each frame: new keyframes join the retrieval index and may raise automatic targets,
/// which go to the completion stage through a bounded queue where the newest target wins. That stage renders the
/// guidance in bands of rows and retrieves keyframes, each step between two frames (through <see cref="MapAccess"/>),
/// then runs the completer; completed views come back and are fused as generated evidence before the next frame. So
/// integration waits at most one band for the loop, never for a whole render or a completion.
/// </summary>
internal sealed class CompletionLoop
{
    private readonly CompletionOptions _options;
    private readonly CaptureViewCache _cache;
    private readonly ICompletionSink? _sink;
    private readonly IViewCompleter _completer;
    private readonly MapAccess _withMap;
    private readonly ViewRetriever _retriever;
    private readonly AutomaticTargets _automatic;
    private readonly ConcurrentQueue<KeyframeInfo> _newKeyframes = new();
    private readonly ConcurrentQueue<(TargetPose Target, CompletionRequest Request, CompletedView View)> _done = new();
    private readonly List<TargetPose> _userTargets;
    private readonly List<TargetPose> _raised = [];
    private int _nextUserTarget;
    private long _completed, _fusedPixels;

    public CompletionLoop(CompletionOptions options, double blockSizeMeters, CaptureViewCache cache, ICompletionSink? sink, MapAccess withMap, IViewCompleter? completer = null)
    {
        _withMap = withMap;
        _retriever = new ViewRetriever(blockSizeMeters);
        _options = options;
        _cache = cache;
        _sink = sink;
        _completer = completer ?? options.Completer ?? new GeometricViewCompleter();
        _automatic = new AutomaticTargets(options.Automatic);
        // Targets stamped 0 wait for the end of input; the others come due in stamp order.
        _userTargets = options.TargetsFile is string file ? [.. TargetPoseFile.Read(file).OrderBy(t => t.StampNs)] : [];
        Jobs = new StageQueue<CompletionTarget>("completion", options.QueueCapacity, QueueFullPolicy.KeepNewest);
        Stage = new PipelineStage<CompletionTarget>("complete", Jobs, CompleteAsync);
        foreach (var info in cache.Infos) _retriever.Add(info);
    }

    /// <summary>A target raised after a frame, with the intrinsics to complete it at.</summary>
    internal sealed record CompletionTarget(TargetPose Target, PinholeIntrinsics Intrinsics);

    /// <summary>A target with its guidance render and retrieved keyframe ids, made where the map may be read.</summary>
    internal sealed record CompletionJob(TargetPose Target, PinholeIntrinsics Intrinsics, GuidanceRender Guidance, long[] Retrieved);

    public StageQueue<CompletionTarget> Jobs { get; }

    public PipelineStage<CompletionTarget> Stage { get; }

    public long Completed => Interlocked.Read(ref _completed);

    public long FusedPixels => _fusedPixels;

    /// <summary>From the cache stage: a keyframe is on disk.</summary>
    public void OnKeyframe(KeyframeInfo info) => _newKeyframes.Enqueue(info);

    /// <summary>The integration stage's hook after each frame (it owns <paramref name="memory"/>).</summary>
    public async ValueTask AfterFrame(VoxelMemory memory, ProjectiveTsdfIntegrator integrator, RgbdFrame frame, CancellationToken cancellationToken)
    {
        FuseFinished(memory, integrator);
        _raised.Clear();
        while (_newKeyframes.TryDequeue(out var info))
        {
            _retriever.Add(info);
            if (_options.Enabled && _options.Automatic.Any) _automatic.OnKeyframe(info.StampNs, info.WorldFromCamera, info.Intrinsics, memory, _raised);
        }
        while (_nextUserTarget < _userTargets.Count && _userTargets[_nextUserTarget].StampNs is > 0 and var stamp && stamp <= frame.StampNs)
            _raised.Add(_userTargets[_nextUserTarget++]);
        // The queue keeps the newest: raising several at once leaves the last one waiting, the others counted as dropped.
        foreach (var target in _raised)
            await Jobs.WriteAsync(new CompletionTarget(target, frame.Intrinsics), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After the last frame (the caller owns the map again): lets the completion stage finish what is queued, fuses it,
    /// then completes the remaining user targets one by one on the full map.
    /// </summary>
    public async Task FinishAsync(Task stage, VoxelMemory memory, ProjectiveTsdfIntegrator integrator, PinholeIntrinsics? intrinsics, CancellationToken cancellationToken)
    {
        Jobs.Complete();
        await stage.ConfigureAwait(false);
        FuseFinished(memory, integrator);
        while (_newKeyframes.TryDequeue(out var info)) _retriever.Add(info);
        if (intrinsics is not PinholeIntrinsics k) return;
        for (; _nextUserTarget < _userTargets.Count; _nextUserTarget++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var job = Prepare(memory, _userTargets[_nextUserTarget], k);
            var (request, view) = Complete(job, cancellationToken);
            _done.Enqueue((job.Target, request, view));
            FuseFinished(memory, integrator);
        }
    }

    /// <summary>Fuses a view completed on demand before the next frame (as the loop's own views are).</summary>
    public void FuseLater(TargetPose target, CompletionRequest request, CompletedView view) => _done.Enqueue((target, request, view));

    /// <summary>Guidance render and retrieval in one go, by the caller that owns <paramref name="memory"/>.</summary>
    public CompletionJob Prepare(VoxelMemory memory, TargetPose target, PinholeIntrinsics intrinsics)
    {
        var guidance = GuidanceRenderer.Render(memory, target.WorldFromCamera, intrinsics);
        return new CompletionJob(target, intrinsics, guidance, Retrieve(memory, target, intrinsics));
    }

    /// <summary>Guidance render and retrieval in small steps between frames, from any thread.</summary>
    public async Task<CompletionJob> PrepareAsync(TargetPose target, PinholeIntrinsics intrinsics, CancellationToken cancellationToken)
    {
        var guidance = await GuidanceRenderer.RenderAsync(_withMap, target.WorldFromCamera, intrinsics, cancellationToken: cancellationToken).ConfigureAwait(false);
        long[] retrieved = [];
        // The retriever is only changed by AfterFrame, which holds the map: querying with the map held is safe.
        await _withMap(memory => retrieved = Retrieve(memory, target, intrinsics), cancellationToken).ConfigureAwait(false);
        return new CompletionJob(target, intrinsics, guidance, retrieved);
    }

    private long[] Retrieve(VoxelMemory memory, TargetPose target, PinholeIntrinsics intrinsics) =>
        [.. _retriever.Query(target.WorldFromCamera, intrinsics, _options.RetrieveCount, memory).Select(r => r.Id)];

    private async ValueTask CompleteAsync(CompletionTarget target, CancellationToken cancellationToken)
    {
        var job = await PrepareAsync(target.Target, target.Intrinsics, cancellationToken).ConfigureAwait(false);
        var (request, view) = Complete(job, cancellationToken);
        _done.Enqueue((job.Target, request, view));
    }

    public (CompletionRequest, CompletedView) Complete(CompletionJob job, CancellationToken cancellationToken)
    {
        // The cache is safe to read while the pipeline appends; decoded keyframes come from its LRU.
        var keyframes = job.Retrieved.Select(_cache.Get).ToArray();
        var request = new CompletionRequest(job.Target.StampNs, job.Target.WorldFromCamera, job.Intrinsics, job.Guidance, keyframes);
        var view = _completer.Complete(request, cancellationToken);
        Interlocked.Increment(ref _completed);
        return (request, view);
    }

    /// <summary>
    /// Fuses finished views as generated evidence: only what the completer added (warped or filled pixels) with enough
    /// confidence; pixels that came from the map's own render would only echo it.
    /// </summary>
    private void FuseFinished(VoxelMemory memory, ProjectiveTsdfIntegrator integrator)
    {
        while (_done.TryDequeue(out var item))
        {
            var (target, request, view) = item;
            var k = request.Intrinsics;
            var depth = new float[view.Depth.Length];
            int fused = 0;
            for (int i = 0; i < depth.Length; i++)
            {
                if (view.Source[i] is not (PixelSource.Warped or PixelSource.Filled) || view.Confidence[i] < _options.MinConfidence) continue;
                depth[i] = view.Depth[i];
                fused++;
            }
            if (fused > 0)
                integrator.Integrate(memory, new DepthImage(k.Width, k.Height, depth), new ColorImage(k.Width, k.Height, view.Rgb), k, target.WorldFromCamera, EvidenceChannel.Generated);
            _fusedPixels += fused;
            _sink?.OnViewCompleted(target, request, view);
        }
    }
}
