using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.NavMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;

namespace AnyRecon.Ros.Pipeline;

/// <summary>One serialized message entering the pipeline (from a bag or, later, a DDS topic).</summary>
public sealed record IngestMessage(string Topic, string Type, long TimestampNs, byte[] Data)
{
    /// <summary>When the message arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks); 0 when unknown (replay).</summary>
    public long ArrivalTicks { get; init; }
}

/// <summary>
/// The decode-and-sync stage: decodes camera info, images and poses, keeps the TF buffer, rectifies distorted images,
/// and pairs colour, depth and pose into <see cref="RgbdFrame"/>s. Everything it cannot use is counted by reason through
/// <see cref="Rejected"/>. Single-threaded: one stage owns it.
/// </summary>
public sealed class FrameAssembler : IDisposable
{
    private readonly MappingOptions _options;
    private readonly TransformBuffer _transforms = new();
    private readonly RosImageDecoder _decoder = new();
    private ApproximateTimeSynchronizer<ColorImage, DepthImage>? _sync;
    private CameraModel? _camera;
    private RectificationMap? _rectification;
    private string? _cameraFrame;

    private readonly CameraTopics _topics;
    private readonly Dictionary<long, long> _depthArrivals = [];
    private static readonly ColorImage s_noColor = new(1, 1, new byte[3]);
    private readonly int _cameraIndex;

    /// <summary>Assembles the frames of <paramref name="options"/>'s first camera.</summary>
    public FrameAssembler(MappingOptions options, Action<string> rejected) : this(options, options.EffectiveCameras[0], 0, rejected)
    {
    }

    /// <summary>Assembles the frames of <paramref name="camera"/>; they carry <paramref name="cameraIndex"/>.</summary>
    public FrameAssembler(MappingOptions options, CameraTopics camera, int cameraIndex, Action<string> rejected)
    {
        _options = options;
        _topics = camera;
        _cameraIndex = cameraIndex;
        Rejected = rejected;
    }

    /// <summary>Whether a message on <paramref name="topic"/> concerns this camera (its topics, poses or TF).</summary>
    public bool Wants(string topic) =>
        topic == _topics.DepthTopic || topic == _topics.ColorTopic || topic == _topics.CameraInfoTopic || topic == _options.PoseTopic || topic is "/tf" or "/tf_static";

    /// <summary>Called with the reason of each item that could not be used.</summary>
    public Action<string> Rejected { get; }

    public TransformBuffer Transforms => _transforms;

    public SynchronizerStatistics? SyncStatistics => _sync?.Statistics;

    public string? LastPoseError => _sync?.LastPoseError;

    /// <summary>Takes one message; completed frames are appended to <paramref name="frames"/>.</summary>
    public void Add(IngestMessage message, List<RgbdFrame> frames)
    {
        try
        {
            Dispatch(message);
        }
        catch (CdrFormatException)
        {
            Rejected($"malformed CDR on {message.Topic}");
            return;
        }
        Drain(frames);
    }

    /// <summary>End of input: pairs what is still waiting and counts the rest.</summary>
    public void Flush(List<RgbdFrame> frames)
    {
        _sync?.Flush();
        Drain(frames);
    }

    private void Dispatch(IngestMessage m)
    {
        switch (m.Type)
        {
            case TFMessage.RosTypeName:
                var tf = CdrSerializer.Deserialize<TFMessage>(m.Data);
                bool isStatic = m.Topic == "/tf_static";
                foreach (var t in tf.Transforms)
                {
                    var rejection = _transforms.SetTransform(t, isStatic);
                    if (rejection != TransformRejection.None) Rejected($"transform {t.Header.FrameId}->{t.ChildFrameId} rejected: {rejection}");
                }
                return;
            case CameraInfo.RosTypeName when m.Topic == _topics.CameraInfoTopic:
                if (_camera is not null) return; // calibration is fixed for a run; the first one wins
                try
                {
                    var info = CdrSerializer.Deserialize<CameraInfo>(m.Data);
                    _camera = info.ToCameraModel();
                    // The images are registered to this camera: its frame is the one to look poses up for.
                    if (info.Header.FrameId.Length > 0) EnsureSync(info.Header.FrameId);
                    _rectification = _camera.Model == DistortionModel.None ? null : _camera.CreateRectificationMap();
                }
                catch (ArgumentException e)
                {
                    Rejected($"camera info unusable: {e.Message}");
                }
                return;
            case PoseStamped.RosTypeName when m.Topic == _options.PoseTopic:
                var pose = CdrSerializer.Deserialize<PoseStamped>(m.Data);
                AddPose(pose.Header.Stamp.ToNanoseconds(), pose.Pose.ToRigidTransform());
                return;
            case PoseWithCovarianceStamped.RosTypeName when m.Topic == _options.PoseTopic:
                var withCovariance = CdrSerializer.Deserialize<PoseWithCovarianceStamped>(m.Data);
                AddPose(withCovariance.Header.Stamp.ToNanoseconds(), withCovariance.Pose.Pose.ToRigidTransform());
                return;
            case Odometry.RosTypeName when m.Topic == _options.PoseTopic:
                var odometry = CdrSerializer.Deserialize<Odometry>(m.Data);
                AddPose(odometry.Header.Stamp.ToNanoseconds(), odometry.Pose.Pose.ToRigidTransform());
                return;
            case Image.RosTypeName or CompressedImage.RosTypeName when m.Topic == _topics.DepthTopic:
                AddDepth(m);
                return;
            case Image.RosTypeName or CompressedImage.RosTypeName when m.Topic == _topics.ColorTopic && _topics.ColorTopic.Length > 0:
                AddColor(m);
                return;
        }
    }

    private void AddPose(long stamp, RigidTransform worldFromCamera)
    {
        if (!worldFromCamera.IsFinite) { Rejected("pose not finite"); return; }
        double norm = worldFromCamera.Rotation.Norm;
        if (Math.Abs(norm - 1) > 1e-3) { Rejected("pose quaternion not unit"); return; }
        EnsureSync(null)?.AddPose(stamp, worldFromCamera);
    }

    private void AddDepth(IngestMessage m)
    {
        DepthImage? depth;
        ImageRejection rejection;
        string frameId;
        long stamp;
        if (m.Type == Image.RosTypeName)
        {
            var image = CdrSerializer.Deserialize<Image>(m.Data);
            frameId = image.Header.FrameId;
            stamp = image.Header.Stamp.ToNanoseconds();
            _decoder.TryDecodeDepth(image, out depth, out rejection);
        }
        else
        {
            var image = CdrSerializer.Deserialize<CompressedImage>(m.Data);
            frameId = image.Header.FrameId;
            stamp = image.Header.Stamp.ToNanoseconds();
            _decoder.TryDecodeDepth(image, out depth, out rejection);
        }
        if (rejection.IsRejected || depth is null) { Rejected($"depth image: {rejection.Reason}"); return; }
        if (_camera is null) { Rejected("depth before camera info"); return; }
        if (depth.Width != _camera.Intrinsics.Width || depth.Height != _camera.Intrinsics.Height)
        {
            Rejected("depth size differs from camera info");
            return;
        }
        var sync = EnsureSync(frameId);
        if (m.ArrivalTicks != 0)
        {
            // The frame made from this depth image reports its latency from the image's arrival.
            if (_depthArrivals.Count >= 256) _depthArrivals.Clear();
            _depthArrivals[stamp] = m.ArrivalTicks;
        }
        // A depth-only camera: the synchronizer pairs each depth image with a stand-in colour of the same stamp.
        if (_topics.ColorTopic.Length == 0) sync?.AddColor(stamp, s_noColor);
        sync?.AddDepth(stamp, Rectify(depth));
    }

    private void AddColor(IngestMessage m)
    {
        ColorImage? color;
        ImageRejection rejection;
        long stamp;
        if (m.Type == Image.RosTypeName)
        {
            var image = CdrSerializer.Deserialize<Image>(m.Data);
            stamp = image.Header.Stamp.ToNanoseconds();
            _decoder.TryDecodeColor(image, out color, out rejection);
        }
        else
        {
            var image = CdrSerializer.Deserialize<CompressedImage>(m.Data);
            stamp = image.Header.Stamp.ToNanoseconds();
            _decoder.TryDecodeColor(image, out color, out rejection);
        }
        if (rejection.IsRejected || color is null) { Rejected($"color image: {rejection.Reason}"); return; }
        if (_camera is not null && _rectification is not null && color.Width == _camera.Intrinsics.Width && color.Height == _camera.Intrinsics.Height)
        {
            var rectified = new byte[_rectification.Target.Width * _rectification.Target.Height * 3];
            _rectification.RemapBilinear(color.Rgb, rectified, 3);
            color = new ColorImage(_rectification.Target.Width, _rectification.Target.Height, rectified);
        }
        EnsureSync(null)?.AddColor(stamp, color);
    }

    private DepthImage Rectify(DepthImage depth)
    {
        if (_rectification is null) return depth;
        var target = _rectification.Target;
        var rectified = new float[target.Width * target.Height];
        // Nearest neighbour: interpolating depth across an edge invents surfaces that are not there.
        _rectification.RemapNearest<float>(depth.Metres, rectified, 0f);
        return new DepthImage(target.Width, target.Height, rectified);
    }

    private ApproximateTimeSynchronizer<ColorImage, DepthImage>? EnsureSync(string? depthFrame)
    {
        if (_sync is not null) return _sync;
        if (_options.PoseTopic.Length > 0)
            _sync = new ApproximateTimeSynchronizer<ColorImage, DepthImage>(_options.Sync);
        else if (depthFrame is not null)
        {
            _cameraFrame = depthFrame;
            _sync = new ApproximateTimeSynchronizer<ColorImage, DepthImage>(_options.Sync, _transforms, _options.WorldFrame, depthFrame);
        }
        return _sync;
    }

    private void Drain(List<RgbdFrame> frames)
    {
        if (_sync is null || _camera is null) return;
        var intrinsics = _rectification?.Target ?? _camera.Intrinsics;
        while (_sync.TryTake(out var frame))
        {
            var color = ReferenceEquals(frame.Color, s_noColor) ? null : frame.Color;
            if (color is not null && (color.Width != frame.Depth.Width || color.Height != frame.Depth.Height))
            {
                Rejected("depth/color size mismatch (integrated without colour)");
                color = null;
            }
            _depthArrivals.Remove(frame.StampNs, out long arrival);
            frames.Add(new RgbdFrame(frame.StampNs, frame.Depth, color, intrinsics, frame.WorldFromCamera) { Camera = _cameraIndex, ArrivalTicks = arrival });
        }
    }

    public string? CameraFrame => _cameraFrame;

    public void Dispose() => _decoder.Dispose();
}
