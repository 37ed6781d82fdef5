using AnyRecon.Ros.Bags;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Completion;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.DiagnosticMsgs;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.VisualizationMsgs;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Transport;
using AnyRecon.Ros.Voxels;
using RosPipelineStatus = AnyRecon.Ros.Messages.AnyReconMsgs.PipelineStatus;

namespace AnyRecon.Ros.Node;

/// <summary>
/// What the node publishes, fed by the pipeline's integration stage: ~/points (whole map, latched, rate-limited),
/// ~/map_updates (changed blocks with a sequence number) and their points, ~/status and /diagnostics, completed
/// views with their camera info, and the cached keyframes' frustums for RViz.
/// </summary>
internal sealed class LiveOutputs : IMapSink, IStatusSink, ICompletionSink, IDisposable
{
    private readonly NodeOptions _options;
    private readonly Func<CaptureViewCache?> _keyframes;
    private readonly Func<IEnumerable<InputTopic>> _inputs;
    private readonly OutputQueue _points;
    private readonly OutputQueue _mapUpdates;
    private readonly OutputQueue _mapUpdatePoints;
    private readonly OutputQueue _status;
    private readonly OutputQueue _diagnostics;
    private readonly OutputQueue _completedImage;
    private readonly OutputQueue _completedInfo;
    private readonly OutputQueue _frustums;
    private readonly StatusMessages _statusMessages = new();
    private MapUpdateSerializer? _updates;
    private long _updatesSince;
    private readonly MapAccess _withMap;
    private readonly Action<string> _log;
    // ~/map_updates is due: the newest frame stamp wins, since an update carries everything changed since the last.
    private readonly System.Threading.Channels.Channel<long> _mapChanges = System.Threading.Channels.Channel.CreateBounded<long>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stopUpdates = new();
    private readonly Task _mapUpdatesTask;
    private long _lastFrustumTicks = long.MinValue;
    private readonly SurfacePointCache _surface = new();
    private int _frustumKeyframes = -1;
    private long _lastStamp;

    private readonly Func<LatencyRecorder> _latency;

    public LiveOutputs(RosNode node, NodeOptions options, Func<CaptureViewCache?> keyframes, Func<IEnumerable<InputTopic>> inputs, Func<LatencyRecorder> latency,
        MapAccess withMap, Action<string> log)
    {
        _withMap = withMap;
        _log = log;
        _latency = latency;
        _options = options;
        _keyframes = keyframes;
        _inputs = inputs;
        // Each output publishes from its own queue: the map's thread never waits on a subscriber.
        _points = new OutputQueue(node.CreatePublisher<PointCloud2>("~/points", QosProfiles.Latched), capacity: 1);
        _mapUpdates = new OutputQueue(node.CreateRawPublisher("~/map_updates", TopicType.From(Messages.AnyReconMsgs.MapUpdate.TypeInfo), QosProfiles.Default), capacity: 64);
        _mapUpdatePoints = new OutputQueue(node.CreatePublisher<PointCloud2>("~/map_updates/points", QosProfiles.Default), capacity: 4);
        _status = new OutputQueue(node.CreatePublisher<RosPipelineStatus>("~/status", QosProfiles.Default), capacity: 8);
        _diagnostics = new OutputQueue(node.CreatePublisher<DiagnosticArray>("/diagnostics", QosProfiles.Default), capacity: 8);
        _completedImage = new OutputQueue(node.CreatePublisher<Image>("~/completed/image", QosProfiles.Default), capacity: 2);
        _completedInfo = new OutputQueue(node.CreatePublisher<CameraInfo>("~/completed/camera_info", QosProfiles.Default), capacity: 2);
        _frustums = new OutputQueue(node.CreatePublisher<MarkerArray>("~/cache/frustums", QosProfiles.Latched), capacity: 1);
        _mapUpdatesTask = Task.Run(PublishMapUpdatesAsync);
    }

    /// <summary>How many ~/points messages went out.</summary>
    public long PointsPublished => _points.Publisher.Published;

    /// <summary>Output messages dropped because a topic's writes fell behind (a stalled or vanished reliable subscriber).</summary>
    public long OutputsDropped => AllQueues.Sum(q => q.Dropped);

    private IEnumerable<OutputQueue> AllQueues => [_points, _mapUpdates, _mapUpdatePoints, _status, _diagnostics, _completedImage, _completedInfo, _frustums];

    /// <summary>
    /// From the integration stage, with the map held: only notes that ~/map_updates is due. The map-update task
    /// serializes the changed blocks a few at a time through the map's gate, so integration never waits for a whole
    /// update. The pipeline's <paramref name="sinceStamp"/> is not used: the task keeps its own, taken with the map
    /// held when an update starts. The final call also waits for that task and publishes the last ~/points.
    /// </summary>
    public void OnMapChanged(VoxelMemory memory, long sinceStamp, long frameStampNs, bool final)
    {
        Volatile.Write(ref _lastStamp, frameStampNs);
        _mapChanges.Writer.TryWrite(frameStampNs);
        if (!final) return;
        // The task publishes what is left (the map's gate is free now) and ends; ~/points reads the map directly.
        _mapChanges.Writer.TryComplete();
        _mapUpdatesTask.GetAwaiter().GetResult();
        if (_options.PointsRateHz > 0)
        {
            var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(frameStampNs), FrameId = _options.Mapping.WorldFrame };
            PublishPointsAsync(Direct(memory), () => header, onlyIfChanged: false, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private static MapAccess Direct(VoxelMemory memory) => (read, _) =>
    {
        read(memory);
        return Task.CompletedTask;
    };

    /// <summary>Blocks serialized (or extracted for ~/map_updates/points) per map access.</summary>
    private const int MapUpdateBlocksPerStep = 128;

    private async Task PublishMapUpdatesAsync()
    {
        try
        {
            await foreach (long stamp in _mapChanges.Reader.ReadAllAsync(_stopUpdates.Token).ConfigureAwait(false))
            {
                try
                {
                    await PublishMapUpdateAsync(_withMap, stamp, _stopUpdates.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log($"publishing ~/map_updates failed: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One ~/map_updates publish (possibly several messages) and its ~/map_updates/points, step by step.</summary>
    private async Task PublishMapUpdateAsync(MapAccess withMap, long frameStampNs, CancellationToken cancellationToken)
    {
        var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(frameStampNs), FrameId = _options.Mapping.WorldFrame };
        bool withPoints = _mapUpdatePoints.MatchedSubscriptions > 0;
        BlockIndex[] reextract = [];
        MapUpdateSerializer? serializer = null;
        await withMap(memory =>
        {
            // A replaced map (load, reset) skips one sequence number: consumers see the gap and fetch the full map.
            if (_updates is null || !ReferenceEquals(_updates.Memory, memory))
            {
                _updates = new MapUpdateSerializer(memory, _options.Mapping.MapUpdateMaxBlocks, _updates is null ? 0 : _updates.SequenceNumber + 1);
                _updatesSince = 0;
            }
            var changed = memory.ChangedBlocksSince(_updatesSince);
            _updatesSince = memory.Stamp;
            _updates.Begin(changed, header);
            serializer = _updates;
            if (withPoints) reextract = [.. SurfaceExtractor.BlocksToReextract(memory, changed)];
        }, cancellationToken).ConfigureAwait(false);

        bool more = true;
        while (more)
            await withMap(memory =>
            {
                // Replaced mid-way: the next update starts on the new map, after a gap.
                more = ReferenceEquals(memory, serializer!.Memory)
                    && serializer.Step(MapUpdateBlocksPerStep, update => _mapUpdates.Enqueue(update.ToArray()));
            }, cancellationToken).ConfigureAwait(false);
        if (!withPoints) return;
        var points = new List<SurfacePoint>();
        for (int start = 0; start < reextract.Length; start += MapUpdateBlocksPerStep)
        {
            var step = new ArraySegment<BlockIndex>(reextract, start, Math.Min(MapUpdateBlocksPerStep, reextract.Length - start));
            await withMap(memory =>
            {
                if (!ReferenceEquals(memory, serializer!.Memory)) return;
                foreach (var block in SurfaceExtractor.ExtractPointsByBlock(memory, step))
                    if (block is not null) points.AddRange(block);
            }, cancellationToken).ConfigureAwait(false);
        }
        _mapUpdatePoints.Enqueue(PointCloudMessages.ToPointCloud2(points, header));
    }

    /// <summary>
    /// The whole map (the points timer, after a load or reset, at the end), if it changed since the last when
    /// <paramref name="onlyIfChanged"/>. Only changed blocks are extracted, a step at a time through
    /// <paramref name="withMap"/>; thinning and the message are built without the map.
    /// </summary>
    public async Task PublishPointsAsync(MapAccess withMap, Func<Header> header, bool onlyIfChanged, CancellationToken cancellationToken)
    {
        if (await _surface.SnapshotAsync(withMap, onlyIfChanged, cancellationToken).ConfigureAwait(false) is not { } all) return;
        var points = MapPoints.Select(all, _options.PointsObservedOnly, _options.PointsVoxelSizeMeters, _surface.VoxelSizeMeters);
        _points.Enqueue(PointCloudMessages.ToPointCloud2(points, header()));
    }

    /// <summary>Every surface point of the map now (~/get_map) and the map's voxel size, from the same incremental extraction as ~/points.</summary>
    public async Task<(List<SurfacePoint> Points, double VoxelSizeMeters)> MapPointsAsync(MapAccess withMap, CancellationToken cancellationToken)
    {
        var all = await _surface.SnapshotAsync(withMap, onlyIfChanged: false, cancellationToken).ConfigureAwait(false);
        return (all!, _surface.VoxelSizeMeters);
    }

    public void OnStatus(MappingReport report, long stampNs, bool final)
    {
        var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(stampNs) };
        var (status, diagnostics) = _statusMessages.Next(report, header);
        diagnostics.Status = [.. diagnostics.Status, InputDiagnostics(report)];
        _status.Enqueue(status);
        _diagnostics.Enqueue(diagnostics);
        PublishFrustums(stampNs);
    }

    /// <summary>Per input topic: received, dropped by the subscription queue, malformed — WARN when any was lost.</summary>
    private DiagnosticStatus InputDiagnostics(MappingReport report)
    {
        var values = new List<KeyValue>();
        bool lost = false;
        // The decode stage counts input bytes that are not their topic's type, by topic.
        var decodeRejections = report.Stages[0].Rejected;
        foreach (var input in _inputs())
        {
            long malformed = decodeRejections.GetValueOrDefault($"malformed CDR on {input.Topic}");
            values.Add(new KeyValue { Key = $"{input.Topic} received", Value = input.Subscription.Received.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            values.Add(new KeyValue { Key = $"{input.Topic} dropped", Value = input.Subscription.Dropped.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            values.Add(new KeyValue { Key = $"{input.Topic} malformed", Value = malformed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            lost |= input.Subscription.Dropped > 0 || malformed > 0;
        }
        double rss = ProcessMemory.RssMegabytes();
        values.Add(new KeyValue { Key = "rss mb", Value = rss.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) });
        if (_options.MemoryBudgetMb > 0)
        {
            values.Add(new KeyValue { Key = "memory budget mb", Value = _options.MemoryBudgetMb.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) });
            lost |= rss > _options.MemoryBudgetMb;
        }
        var latency = _latency();
        foreach (var (name, q) in new[] { ("p50", 0.5), ("p95", 0.95), ("p99", 0.99) })
            values.Add(new KeyValue { Key = $"depth arrival to integrated {name} ms", Value = latency.Percentile(q).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) });
        foreach (var queue in AllQueues)
            if (queue.Dropped > 0) values.Add(new KeyValue { Key = $"{queue.Publisher.Topic} output dropped", Value = queue.Dropped.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new DiagnosticStatus
        {
            Level = lost ? DiagnosticStatus.WARN : DiagnosticStatus.OK,
            Name = StatusMessages.NamePrefix + "inputs",
            Message = lost ? "input messages dropped or malformed, or memory over budget" : "ok",
            HardwareId = StatusMessages.HardwareId,
            Values = [.. values],
        };
    }

    private void PublishFrustums(long stampNs)
    {
        var cache = _keyframes();
        if (cache is null || cache.Count == _frustumKeyframes) return;
        long now = Environment.TickCount64;
        if (_lastFrustumTicks != long.MinValue && _options.FrustumsRateHz > 0 && now - _lastFrustumTicks < 1000 / _options.FrustumsRateHz) return;
        _lastFrustumTicks = now;
        var infos = cache.Infos;
        _frustumKeyframes = infos.Count;
        var marker = new Marker
        {
            Header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(stampNs), FrameId = _options.Mapping.WorldFrame },
            Ns = "keyframes",
            Id = 0,
            Type = Marker.LINE_LIST,
            Action = Marker.ADD,
            Pose = new Pose { Orientation = new Quaternion { W = 1 } },
            Scale = new Vector3 { X = 0.005 },
            Color = new ColorRGBA { R = 0.1f, G = 0.8f, B = 1.0f, A = 1.0f },
            Points = new Point[infos.Count * 16],
        };
        for (int i = 0; i < infos.Count; i++) FrustumLines(infos[i], marker.Points.AsSpan(i * 16, 16));
        _frustums.Enqueue(new MarkerArray { Markers = [marker] });
    }

    /// <summary>A keyframe's camera as 8 segments: centre to the 4 image corners at 0.2 m, and the corners' rectangle.</summary>
    private static void FrustumLines(KeyframeInfo keyframe, Span<Point> into)
    {
        const double depth = 0.2;
        var k = keyframe.Intrinsics;
        var pose = keyframe.WorldFromCamera;
        Span<Vector3d> corners = stackalloc Vector3d[4];
        ReadOnlySpan<(double U, double V)> pixels = [(0, 0), (k.Width, 0), (k.Width, k.Height), (0, k.Height)];
        for (int c = 0; c < 4; c++)
            corners[c] = pose.Apply(new Vector3d((pixels[c].U - k.Cx) / k.Fx * depth, (pixels[c].V - k.Cy) / k.Fy * depth, depth));
        var centre = pose.Translation;
        for (int c = 0; c < 4; c++)
        {
            into[c * 4] = ToPoint(centre);
            into[c * 4 + 1] = ToPoint(corners[c]);
            into[c * 4 + 2] = ToPoint(corners[c]);
            into[c * 4 + 3] = ToPoint(corners[(c + 1) % 4]);
        }
    }

    private static Point ToPoint(Vector3d v) => new() { X = v.X, Y = v.Y, Z = v.Z };

    public void OnViewCompleted(TargetPose target, CompletionRequest request, CompletedView view)
    {
        long stamp = target.StampNs > 0 ? target.StampNs : Volatile.Read(ref _lastStamp);
        PublishCompleted(request.Intrinsics, view, stamp);
    }

    /// <summary>A completed view and its intrinsics on ~/completed/image and ~/completed/camera_info.</summary>
    public void PublishCompleted(PinholeIntrinsics intrinsics, CompletedView view, long stampNs)
    {
        var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(stampNs), FrameId = CompletedViewOutputs.TargetFrame };
        _completedImage.Enqueue(RgbdBagWriter.ColorMessage(header, view.Width, view.Height, view.Rgb));
        _completedInfo.Enqueue(RgbdBagWriter.CameraInfoMessage(header, intrinsics));
    }

    public void Dispose()
    {
        // Normally the final OnMapChanged has ended the map-update task; a pipeline that failed has not.
        _mapChanges.Writer.TryComplete();
        _stopUpdates.Cancel();
        _mapUpdatesTask.GetAwaiter().GetResult();
        _stopUpdates.Dispose();
        // The last map and status go out, acknowledged by live subscribers (a dead one costs at most the timeout).
        foreach (var queue in AllQueues) queue.Dispose(TimeSpan.FromSeconds(2));
    }
}

/// <summary>One input subscription, for /diagnostics.</summary>
internal sealed record InputTopic(string Topic, RawSubscription Subscription);
