using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;
using BenchmarkDotNet.Attributes;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// Capture-view cache at 640×480 (default options: fast PNG): Append (PNG + zstd encode, one pwritev, fsync) and Get from disk (read, CRC, PNG and
/// zstd decode) or from the LRU. Frames are the TSDF benchmark's room with sensor-like noise added (colour ±3,
/// depth ±2 mm in whole millimetres as a 16UC1 sensor gives, seed 1) so PNG and zstd see realistic entropy; 2,000 observed blocks per keyframe. Pinned in
/// constants: changing them makes results incomparable.
/// </summary>
[MemoryDiagnoser]
public class CaptureViewCacheBenchmarks
{
    private const int Width = 640, Height = 480, FrameCount = 8, BlockCount = 2000, StoredKeyframes = 16;
    private static readonly PinholeIntrinsics s_camera = new(Width, Height, 525, 525, 319.5, 239.5);

    private (DepthImage Depth, ColorImage Color, RigidTransform Pose)[] _frames = [];
    private readonly BlockIndex[] _blocks = Enumerable.Range(0, BlockCount).Select(i => new BlockIndex(i % 20, i / 20 % 20, i / 400)).ToArray();
    private string _directory = "";
    private CaptureViewCache _appendCache = null!, _diskCache = null!, _lruCache = null!;
    private int _next;
    private readonly PngCodec _png = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _frames = new (DepthImage, ColorImage, RigidTransform)[FrameCount];
        for (int i = 0; i < FrameCount; i++)
        {
            double a = i * 2 * Math.PI / FrameCount;
            var eye = new Vector3d(2 + 0.6 * Math.Cos(a), 2.5 + 0.6 * Math.Sin(a), 1.4);
            var pose = TsdfIntegrationBenchmarks.Room.LookAt(eye, new Vector3d(2 + 2 * Math.Cos(a + 0.8), 2.5 + 2 * Math.Sin(a + 0.8), 0.8));
            var (depth, color) = TsdfIntegrationBenchmarks.Room.Render(s_camera, pose);
            for (int p = 0; p < color.Rgb.Length; p++) color.Rgb[p] = (byte)Math.Clamp(color.Rgb[p] + random.Next(-3, 4), 0, 255);
            for (int p = 0; p < depth.Metres.Length; p++)
                if (DepthImage.IsValid(depth.Metres[p])) depth.Metres[p] = (float)(Math.Round(depth.Metres[p] * 1000 + random.Next(-2, 3)) / 1000);
            _frames[i] = (depth, color, pose);
        }
        _directory = Path.Combine(Path.GetTempPath(), "anyrecon-cache-bench-" + Guid.NewGuid().ToString("N"));
        _appendCache = CaptureViewCache.Open(Path.Combine(_directory, "append"));
        using (var filled = CaptureViewCache.Open(Path.Combine(_directory, "filled")))
            for (int i = 0; i < StoredKeyframes; i++) Append(filled, i);
        _diskCache = CaptureViewCache.Open(Path.Combine(_directory, "filled"), new CaptureViewCacheOptions { DecodedCacheBytes = 0 });
        _lruCache = CaptureViewCache.Open(Path.Combine(_directory, "filled2"));
        Append(_lruCache, 0);
        long bytes = new FileInfo(_diskCache.FilePath).Length - 16;
        Console.WriteLine($"// {bytes / StoredKeyframes} bytes per 640x480 keyframe on disk ({(double)bytes / StoredKeyframes / (Width * Height * 7):P1} of raw RGB8 + float32)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _appendCache.Dispose();
        _diskCache.Dispose();
        _lruCache.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private KeyframeInfo Append(CaptureViewCache cache, int i)
    {
        var (depth, color, pose) = _frames[i % FrameCount];
        return cache.Append(i, s_camera, pose, color, depth, _blocks);
    }

    [Benchmark(Description = "Append 640x480 keyframe (encode + write + fsync)")]
    public KeyframeInfo AppendKeyframe() => Append(_appendCache, _next++);

    [Benchmark(Description = "(PNG encode, libpng default mode)")]
    public int EncodeColorOnly() => _png.Encode(_frames[_next++ % FrameCount].Color).Length;

    [Benchmark(Description = "(PNG encode, libpng fast mode)")]
    public int EncodeColorFast() => _png.Encode(_frames[_next++ % FrameCount].Color, fast: true).Length;

    [Benchmark(Description = "Get 640x480 keyframe from disk (read + CRC + decode)")]
    public Keyframe GetFromDisk() => _diskCache.Get(_next++ % StoredKeyframes);

    [Benchmark(Description = "Get 640x480 keyframe from the LRU")]
    public Keyframe GetFromLru() => _lruCache.Get(0);
}
