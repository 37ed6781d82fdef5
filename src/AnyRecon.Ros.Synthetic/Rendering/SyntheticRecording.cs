using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>Settings of a synthetic recording. Defaults give a Kinect-like 640×480 camera at 30 Hz.</summary>
public sealed record SyntheticRecordingOptions
{
    public const int DefaultWidth = 640;
    public const int DefaultHeight = 480;
    public const double DefaultFocalPx = 525;
    public const long DefaultFramePeriodNs = 33_333_333;

    /// <summary>First frame's time: a fixed epoch so recordings are byte-for-byte reproducible.</summary>
    public const long DefaultStartTimeNs = 1_700_000_000_000_000_000;

    public int Width { get; init; } = DefaultWidth;

    public int Height { get; init; } = DefaultHeight;

    /// <summary>Focal length in pixels for a 640-pixel-wide image; scaled with the width.</summary>
    public double FocalPx { get; init; } = DefaultFocalPx;

    public long FramePeriodNs { get; init; } = DefaultFramePeriodNs;

    public long StartTimeNs { get; init; } = DefaultStartTimeNs;

    /// <summary>Kinect-like depth errors, or null for exact depth.</summary>
    public DepthNoiseModel? Noise { get; init; }

    public ulong Seed { get; init; } = 1;

    public PinholeIntrinsics Intrinsics
    {
        get
        {
            double f = FocalPx * Width / DefaultWidth;
            return new PinholeIntrinsics(Width, Height, f, f, (Width - 1) / 2.0, (Height - 1) / 2.0);
        }
    }
}

/// <summary>One frame of a synthetic recording.</summary>
public sealed record SyntheticFrame(int Index, long TimestampNs, RigidTransform WorldFromCamera, RenderedFrame Image);

/// <summary>Renders a scene along its camera path, frame by frame, and keeps the surfaces the frames saw.</summary>
public sealed class SyntheticRecording
{
    private readonly SyntheticRecordingOptions _options;

    public SyntheticRecording(Scene scene, int frameCount, SyntheticRecordingOptions options)
    {
        if (frameCount < 1) throw new ArgumentOutOfRangeException(nameof(frameCount), frameCount, "at least one frame");
        Scene = scene;
        FrameCount = frameCount;
        _options = options;
        GroundTruth = new GroundTruthSurface(scene);
    }

    public Scene Scene { get; }

    public int FrameCount { get; }

    public PinholeIntrinsics Intrinsics => _options.Intrinsics;

    /// <summary>Filled as frames are rendered: enumerate <see cref="Frames"/> to the end before writing it.</summary>
    public GroundTruthSurface GroundTruth { get; }

    /// <summary>Renders the frames one at a time (memory stays at one frame).</summary>
    public IEnumerable<SyntheticFrame> Frames()
    {
        var camera = _options.Intrinsics;
        double maxRange = _options.Noise?.MaxRangeMeters ?? 10;
        for (int i = 0; i < FrameCount; i++)
        {
            var pose = CameraPath.WorldFromCamera(Scene, i, FrameCount);
            var rendered = SceneRenderer.Render(Scene, camera, pose);
            GroundTruth.MarkVisible(camera, pose, rendered.Depth, maxRange);
            _options.Noise?.Apply(rendered.Depth.Metres, rendered.ViewCosines, camera.Width, camera.Height, _options.Seed, i);
            yield return new SyntheticFrame(i, _options.StartTimeNs + i * _options.FramePeriodNs, pose, rendered);
        }
    }
}
