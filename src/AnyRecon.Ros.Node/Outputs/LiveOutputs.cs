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
    private readonly Publisher<PointCloud2> _points;
    private readonly RawPublisher _mapUpdates;
    private readonly Publisher<PointCloud2> _mapUpdatePoints;
    private readonly Publisher<RosPipelineStatus> _status;
    private readonly Publisher<DiagnosticArray> _diagnostics;
    private readonly Publisher<Image> _completedImage;
    private readonly Publisher<CameraInfo> _completedInfo;
    private readonly Publisher<MarkerArray> _frustums;
    private readonly StatusMessages _statusMessages = new();
    private MapUpdateSerializer? _updates;
    private long _lastPointsStamp = -1, _lastFrustumTicks = long.MinValue;
    private VoxelMemory? _lastPointsMemory;
    private int _frustumKeyframes = -1;
    private long _lastStamp;

    public LiveOutputs(RosNode node, NodeOptions options, Func<CaptureViewCache?> keyframes, Func<IEnumerable<InputTopic>> inputs)
    {
        _options = options;
        _keyframes = keyframes;
        _inputs = inputs;
        _points = node.CreatePublisher<PointCloud2>("~/points", QosProfiles.Latched);
        _mapUpdates = node.CreateRawPublisher("~/map_updates", TopicType.From(Messages.AnyReconMsgs.MapUpdate.TypeInfo), QosProfiles.Default);
        _mapUpdatePoints = node.CreatePublisher<PointCloud2>("~/map_updates/points", QosProfiles.Default);
        _status = node.CreatePublisher<RosPipelineStatus>("~/status", QosProfiles.Default);
        _diagnostics = node.CreatePublisher<DiagnosticArray>("/diagnostics", QosProfiles.Default);
        _completedImage = node.CreatePublisher<Image>("~/completed/image", QosProfiles.Default);
        _completedInfo = node.CreatePublisher<CameraInfo>("~/completed/camera_info", QosProfiles.Default);
        _frustums = node.CreatePublisher<MarkerArray>("~/cache/frustums", QosProfiles.Latched);
    }

    /// <summary>How many ~/points messages went out.</summary>
    public long PointsPublished => _points.Published;

    public void OnMapChanged(VoxelMemory memory, long sinceStamp, long frameStampNs, bool final)
    {
        _lastStamp = frameStampNs;
        var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(frameStampNs), FrameId = _options.Mapping.WorldFrame };
        var changed = memory.ChangedBlocksSince(sinceStamp);
        // A replaced map (load, reset) skips one sequence number: consumers see the gap and fetch the full map.
        if (_updates is null || !ReferenceEquals(_updates.Memory, memory))
            _updates = new MapUpdateSerializer(memory, _options.Mapping.MapUpdateMaxBlocks, _updates is null ? 0 : _updates.SequenceNumber + 1);
        _updates.Publish(changed, header, update => _mapUpdates.PublishSerialized(update.Span));
        if (_mapUpdatePoints.MatchedSubscriptions > 0)
        {
            var changedPoints = SurfaceExtractor.ExtractPoints(memory, SurfaceExtractor.BlocksToReextract(memory, changed));
            _mapUpdatePoints.Publish(PointCloudMessages.ToPointCloud2(changedPoints, header));
        }
        // ~/points follows its own timer (MapperNode); the last one goes out with the final map.
        if (final && _options.PointsRateHz > 0) PublishPoints(memory, header);
    }

    /// <summary>The whole map now (the points timer, after a load or reset, at the end), if it changed since the last.</summary>
    public void PublishPoints(VoxelMemory memory, Header header, bool onlyIfChanged = false)
    {
        if (onlyIfChanged && ReferenceEquals(memory, _lastPointsMemory) && memory.Stamp == _lastPointsStamp) return;
        _lastPointsMemory = memory;
        _lastPointsStamp = memory.Stamp;
        var points = MapPoints.Select(SurfaceExtractor.ExtractPoints(memory), _options.PointsObservedOnly, _options.PointsVoxelSizeMeters, memory.VoxelSizeMeters);
        _points.Publish(PointCloudMessages.ToPointCloud2(points, header));
    }

    public void OnStatus(MappingReport report, long stampNs, bool final)
    {
        var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(stampNs) };
        var (status, diagnostics) = _statusMessages.Next(report, header);
        diagnostics.Status = [.. diagnostics.Status, InputDiagnostics()];
        _status.Publish(status);
        _diagnostics.Publish(diagnostics);
        PublishFrustums(stampNs);
    }

    /// <summary>Per input topic: received, dropped by the subscription queue, malformed — WARN when any was lost.</summary>
    private DiagnosticStatus InputDiagnostics()
    {
        var values = new List<KeyValue>();
        bool lost = false;
        foreach (var input in _inputs())
        {
            values.Add(new KeyValue { Key = $"{input.Topic} received", Value = input.Subscription.Received.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            values.Add(new KeyValue { Key = $"{input.Topic} dropped", Value = input.Subscription.Dropped.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            values.Add(new KeyValue { Key = $"{input.Topic} malformed", Value = input.Malformed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            lost |= input.Subscription.Dropped > 0 || input.Malformed > 0;
        }
        return new DiagnosticStatus
        {
            Level = lost ? DiagnosticStatus.WARN : DiagnosticStatus.OK,
            Name = StatusMessages.NamePrefix + "inputs",
            Message = lost ? "input messages dropped or malformed" : "ok",
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
        _frustums.Publish(new MarkerArray { Markers = [marker] });
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
        long stamp = target.StampNs > 0 ? target.StampNs : _lastStamp;
        PublishCompleted(request.Intrinsics, view, stamp);
    }

    /// <summary>A completed view and its intrinsics on ~/completed/image and ~/completed/camera_info.</summary>
    public void PublishCompleted(PinholeIntrinsics intrinsics, CompletedView view, long stampNs)
    {
        var header = new Header { Stamp = MessageConversions.TimeFromNanoseconds(stampNs), FrameId = CompletedViewOutputs.TargetFrame };
        _completedImage.Publish(RgbdBagWriter.ColorMessage(header, view.Width, view.Height, view.Rgb));
        _completedInfo.Publish(RgbdBagWriter.CameraInfoMessage(header, intrinsics));
    }

    public void Dispose()
    {
        foreach (var publisher in new RawPublisher[] { _points, _mapUpdates, _mapUpdatePoints, _status, _diagnostics, _completedImage, _completedInfo, _frustums })
            publisher.Dispose();
    }
}

/// <summary>One input subscription, with its malformed-sample count, for /diagnostics.</summary>
internal sealed record InputTopic(string Topic, RawSubscription Subscription, Func<long> MalformedCount)
{
    public long Malformed => MalformedCount();
}
