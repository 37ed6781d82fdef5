using System.Globalization;
using AnyRecon.Ros.Bags.Mcap;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// Full sequential read of a zstd-chunked MCAP of camera images (~256 MB decompressed), as rosbag2 records it
/// (768 KiB chunks, zstd level 1). Reports decompressed MB/s (10^6 bytes of uncompressed chunk records per second).
/// The inputs below are pinned: changing any of them makes results incomparable with earlier runs.
/// </summary>
[Config(typeof(McapReadConfig))]
[MemoryDiagnoser]
public class McapReadBenchmarks
{
    /// <summary>sensor_msgs/Image payload: 640x480 rgb8.</summary>
    public const int FrameBytes = 640 * 480 * 3;

    /// <summary>Number of images: 291 x (921,600 + 31 record bytes) = 268,194,621 bytes, ~256 MiB decompressed.</summary>
    public const int FrameCount = 291;

    /// <summary>Uncompressed chunk bytes per read: each image is one Message record (9-byte header + 22 fixed bytes + data).</summary>
    public const long DecompressedBytes = FrameCount * (9L + 22 + FrameBytes);

    private const int Seed = 20251122;

    private string _directory = "";
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "anyrecon-bench-mcap-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "images.mcap");

        // Indoor-scene-like frames: a narrow-range gradient per color channel that drifts from frame to frame, 3 bits of
        // sensor noise on two thirds of 32x32 tiles. zstd -1 gives about 1.8x with entropy-coded literals (decoding ~2 GB/s
        // in the zstd CLI here), which is harder than raw-looking frames that zstd stores as-is.
        var noise = new byte[FrameBytes + 4096];
        new Random(Seed).NextBytes(noise);
        var frame = new byte[FrameBytes];
        using var writer = new McapWriter(_path, new McapWriterOptions { Profile = "ros2", Compression = McapCompression.Zstd });
        ushort schema = writer.AddSchema("sensor_msgs/msg/Image", "ros2msg", "std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data\n"u8);
        ushort channel = writer.AddChannel(schema, "/camera/color/image_raw", "cdr", new Dictionary<string, string> { ["offered_qos_profiles"] = "" });
        for (int i = 0; i < FrameCount; i++)
        {
            int shift = i * 7 % 4096;
            for (int p = 0; p < FrameBytes; p++)
            {
                int x = p / 3 % 640, y = p / 1920, c = p % 3;
                int v = 64 + c * 24 + (x + i * 4) / 16 + y / 16;
                if ((x / 32 + y / 32 + i) % 3 != 0) v += noise[p + shift] & 0x07;
                frame[p] = (byte)v;
            }
            ulong t = 1_700_000_000_000_000_000UL + (ulong)i * 33_333_333UL;
            writer.WriteMessage(channel, t, t, frame, (uint)i);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Through the summary's chunk indexes, log-time order (the default read).</summary>
    [Benchmark(Baseline = true), ProcessedBytes(DecompressedBytes)]
    public long IndexedRead()
    {
        using McapReader reader = McapReader.Open(_path);
        return Consume(reader.ReadMessages());
    }

    /// <summary>One linear pass (what a file without summary gets), with the data-section CRC check.</summary>
    [Benchmark, ProcessedBytes(DecompressedBytes)]
    public long LinearRead()
    {
        using McapReader reader = McapReader.Open(_path, new McapReaderOptions { SummaryPolicy = McapSummaryPolicy.ForceLinear });
        return Consume(reader.ReadMessages());
    }

    private static long Consume(IEnumerable<McapMessage> messages)
    {
        long total = 0;
        foreach (McapMessage m in messages) total += m.Data.Length + m.Data.Span[^1];
        return total;
    }

    private sealed class McapReadConfig : ManualConfig
    {
        public McapReadConfig()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10));
            AddColumn(new ThroughputColumn("Decompressed MB/s", "Uncompressed chunk records read per second, in 10^6 bytes"));
        }
    }
}
