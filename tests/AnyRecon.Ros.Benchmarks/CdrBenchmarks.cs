using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// CDR of a 16 MiB PointCloud2 (1 M points x 16 bytes, fixed seed). Changing these constants makes results
/// incomparable with earlier runs. Target: the round trip at >= 1 GB/s.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[Config(typeof(Config))]
public class CdrBenchmarks
{
    public const int PointCount = 1 << 20;
    public const int PointStep = 16;
    public const long PayloadBytes = (long)PointCount * PointStep;

    private PointCloud2 _cloud = null!;
    private byte[] _serialized = null!;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn());
    }

    [GlobalSetup]
    public void Setup()
    {
        var data = new byte[PayloadBytes];
        new Random(42).NextBytes(data);
        _cloud = new PointCloud2
        {
            Height = 1,
            Width = PointCount,
            PointStep = PointStep,
            RowStep = (uint)PayloadBytes,
            IsDense = true,
            Data = data,
            Fields =
            [
                new PointField { Name = "x", Offset = 0, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "y", Offset = 4, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "z", Offset = 8, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "rgb", Offset = 12, Datatype = PointField.FLOAT32, Count = 1 },
            ],
        };
        _serialized = CdrSerializer.Serialize(_cloud);
    }

    [Benchmark, ProcessedBytes(PayloadBytes)]
    public byte[] Serialize() => CdrSerializer.Serialize(_cloud);

    [Benchmark, ProcessedBytes(PayloadBytes)]
    public PointCloud2 Deserialize() => CdrSerializer.Deserialize<PointCloud2>(_serialized);

    /// <summary>Serialize then deserialize: the figure the target is stated for.</summary>
    [Benchmark, ProcessedBytes(PayloadBytes)]
    public PointCloud2 RoundTrip() => CdrSerializer.Deserialize<PointCloud2>(CdrSerializer.Serialize(_cloud));
}
