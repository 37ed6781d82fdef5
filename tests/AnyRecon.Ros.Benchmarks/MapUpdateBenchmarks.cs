using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Voxels;
using BenchmarkDotNet.Attributes;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// Publishing the whole map of <see cref="TsdfIntegrationBenchmarks"/>' pinned room (its 8 frames at 640×480) as
/// MapUpdate CDR, the worst case of one publish: every block changed. Also the block reads alone. Same scene and
/// frames as the integration benchmark; changing them makes results incomparable.
/// </summary>
[MemoryDiagnoser]
public class MapUpdateBenchmarks
{
    private const int Width = 640, Height = 480, FrameCount = 8;
    private static readonly PinholeIntrinsics s_camera = new(Width, Height, 525, 525, 319.5, 239.5);
    private readonly float[] _tsdf = new float[BlockIndex.VoxelCount], _weight = new float[BlockIndex.VoxelCount];
    private readonly byte[] _rgb = new byte[3 * BlockIndex.VoxelCount];
    private readonly EvidenceChannel[] _source = new EvidenceChannel[BlockIndex.VoxelCount];
    private VoxelMemory _memory = null!;
    private List<BlockIndex> _blocks = [];
    private MapUpdateSerializer _serializer = null!;
    private BlockReader _reader = null!;

    [Params(0.01, 0.02)]
    public double VoxelSizeMeters { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = VoxelSizeMeters });
        var integrator = new ProjectiveTsdfIntegrator();
        for (int i = 0; i < FrameCount; i++)
        {
            double a = i * 2 * Math.PI / FrameCount;
            var eye = new Vector3d(2 + 0.6 * Math.Cos(a), 2.5 + 0.6 * Math.Sin(a), 1.4);
            var target = new Vector3d(2 + 2 * Math.Cos(a + 0.8), 2.5 + 2 * Math.Sin(a + 0.8), 0.8);
            var pose = TsdfIntegrationBenchmarks.Room.LookAt(eye, target);
            var (depth, color) = TsdfIntegrationBenchmarks.Room.Render(s_camera, pose);
            integrator.Integrate(_memory, depth, color, s_camera, pose);
        }
        _blocks = _memory.GetBlockIndices();
        _serializer = new MapUpdateSerializer(_memory);
        _reader = new BlockReader(_memory);
        Console.WriteLine($"// {_blocks.Count} blocks at {VoxelSizeMeters} m");
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    [Benchmark(Description = "publish whole map as MapUpdate CDR")]
    public long PublishWholeMap()
    {
        long bytes = 0;
        _serializer.Publish(_blocks, new Header { FrameId = "map" }, update => bytes += update.Length);
        return bytes;
    }

    [Benchmark(Description = "read every block (BlockReader)")]
    public int ReadEveryBlock()
    {
        int read = 0;
        foreach (var index in _blocks)
            if (_reader.TryRead(index, _tsdf, _weight, _rgb, _source, out _)) read++;
        return read;
    }
}
