using AnyRecon.Ros.Geometry;
using BenchmarkDotNet.Attributes;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// Per-frame geometry work at 640×480 (a Kinect-v1-like plumb_bob camera), a five-frame TF chain and the synchronizer.
/// Changing these constants makes results incomparable with earlier runs. Targets: remapping a frame well under
/// 1 ms per image with both cores; lookups and synchronizer steps without allocation.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class GeometryBenchmarks
{
    public const int Width = 640;
    public const int Height = 480;
    private const long Second = 1_000_000_000;

    private CameraModel _camera = null!;
    private RectificationMap _map = null!;
    private float[] _depth = null!;
    private float[] _depthOut = null!;
    private byte[] _color = null!;
    private byte[] _colorOut = null!;
    private TransformBuffer _tf = null!;
    private ApproximateTimeSynchronizer<int, int> _sync = null!;
    private long _syncTime;

    [GlobalSetup]
    public void Setup()
    {
        _camera = CameraModel.Create(Width, Height, [525, 0, 319.5, 0, 525, 239.5, 0, 0, 1], [-0.28, 0.07, 0.0002, -0.0001, 0], "plumb_bob");
        _map = _camera.CreateRectificationMap();
        var random = new Random(42);
        _depth = new float[Width * Height];
        for (int i = 0; i < _depth.Length; i++) _depth[i] = 0.5f + 4 * random.NextSingle();
        _depthOut = new float[_depth.Length];
        _color = new byte[Width * Height * 3];
        random.NextBytes(_color);
        _colorOut = new byte[_color.Length];

        _tf = new TransformBuffer();
        _tf.SetTransform("map", "odom", 0, RigidTransform.Identity, isStatic: true);
        for (int i = 0; i <= 1000; i++)
        {
            var q = QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), i * 0.001);
            _tf.SetTransform("odom", "base_link", i * 10_000_000L, new RigidTransform(q, new Vector3d(i * 0.01, 0, 0)));
        }
        _tf.SetTransform("base_link", "camera_link", 0, new RigidTransform(QuaternionD.Identity, new Vector3d(0.1, 0, 0.5)), isStatic: true);
        _tf.SetTransform("camera_link", "camera_color_optical_frame", 0, FrameConventions.BodyFromOptical, isStatic: true);

        _sync = new ApproximateTimeSynchronizer<int, int>(new SynchronizerOptions(), _tf, "map", "camera_color_optical_frame");
    }

    [Benchmark]
    public RectificationMap CreateRectificationMap() => _camera.CreateRectificationMap();

    [Benchmark]
    public void RemapDepthNearest() => _map.RemapNearest<float>(_depth, _depthOut, 0f);

    [Benchmark]
    public void RemapColorBilinear() => _map.RemapBilinear(_color, _colorOut, 3);

    [Benchmark(OperationsPerInvoke = 1000)]
    public double LookupFiveFrameChain()
    {
        double sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            _tf.TryLookup("map", "camera_color_optical_frame", 1_234_567 + i * 9_000_000L, out var t, out _);
            sum += t.Translation.X;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public int SynchronizeFrames()
    {
        // Stamps cycle through the TF cache span; the wrap-around is a counted reset, as a looping bag would be.
        int taken = 0;
        for (int i = 0; i < 1000; i++)
        {
            _syncTime += 33_333_333;
            if (_syncTime > 9 * Second) _syncTime = 33_333_333;
            _sync.AddDepth(_syncTime + 2_000_000, i);
            _sync.AddColor(_syncTime, i);
            while (_sync.TryTake(out _)) taken++;
        }
        return taken;
    }
}
