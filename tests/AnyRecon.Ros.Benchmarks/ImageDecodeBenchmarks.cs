using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Messages.SensorMsgs;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>
/// Decoding one 640x480 RGB-D frame: JPEG and PNG colour, 16-bit PNG depth, raw 16UC1 to metres, raw bgr8 to RGB8.
/// The synthetic frame (smooth gradients plus seeded noise, JPEG quality 95) is pinned by these constants; changing
/// them makes results incomparable. Outputs are reused, as the pipeline does, so only the decode itself is measured.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[Config(typeof(Config))]
public class ImageDecodeBenchmarks
{
    public const int Width = 640;
    public const int Height = 480;
    public const int Seed = 42;
    public const int JpegQuality = 95;
    public const long RgbBytes = Width * Height * 3;
    public const long DepthBytes = Width * Height * 2;

    private readonly RosImageDecoder _decoder = new();
    private readonly JpegCodec _jpegCodec = new();
    private readonly PngCodec _pngCodec = new();
    private CompressedImage _jpeg = null!;
    private CompressedImage _png = null!;
    private CompressedImage _depthPng = null!;
    private Image _depth16 = null!;
    private Image _bgr8 = null!;
    private ColorImage _color = null!;
    private DepthImage _depth = null!;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("raw MB/s", "Decoded (raw) megabytes (10^6 B) per second, from the mean time"));
    }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Seed);
        var rgb = new byte[RgbBytes];
        var mm = new ushort[Width * Height];
        for (int v = 0; v < Height; v++)
            for (int u = 0; u < Width; u++)
            {
                int i = v * Width + u;
                rgb[3 * i] = (byte)(u * 255 / Width + random.Next(8));
                rgb[3 * i + 1] = (byte)(v * 255 / Height + random.Next(8));
                rgb[3 * i + 2] = (byte)(128 + 100 * Math.Sin(u * 0.05) * Math.Cos(v * 0.07));
                mm[i] = (ushort)(u % 97 == 0 ? 0 : 800 + u * 3 + v * 2 + random.Next(4));
            }
        _color = new ColorImage(Width, Height, rgb);
        _jpeg = new CompressedImage { Format = "rgb8; jpeg compressed bgr8", Data = _jpegCodec.Encode(_color, JpegQuality) };
        _png = new CompressedImage { Format = "rgb8; png compressed bgr8", Data = _pngCodec.Encode(_color) };
        _depthPng = new CompressedImage { Format = "16UC1; png compressed mono16", Data = _pngCodec.EncodeGray16(mm, Width, Height) };
        var depthBytes = new byte[DepthBytes];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(mm.AsSpan()).CopyTo(depthBytes);
        _depth16 = new Image { Width = Width, Height = Height, Encoding = "16UC1", Step = Width * 2, Data = depthBytes };
        _bgr8 = new Image { Width = Width, Height = Height, Encoding = "bgr8", Step = Width * 3, Data = rgb.AsSpan().ToArray() };
        _depth = new DepthImage(Width, Height, new float[Width * Height]);
        // Outputs are separate from every input, so iterations never decode their own output.
        _color = new ColorImage(Width, Height, new byte[RgbBytes]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _decoder.Dispose();
        _jpegCodec.Dispose();
    }

    [Benchmark, ProcessedBytes(RgbBytes)]
    public ColorImage DecodeJpeg() => _decoder.DecodeColor(_jpeg, _color);

    [Benchmark, ProcessedBytes(RgbBytes)]
    public ColorImage DecodePng() => _decoder.DecodeColor(_png, _color);

    [Benchmark, ProcessedBytes(DepthBytes)]
    public DepthImage DecodeDepthPng() => _decoder.DecodeDepth(_depthPng, _depth);

    /// <summary>Raw 16UC1 to float metres (the SIMD widen-convert-scale).</summary>
    [Benchmark, ProcessedBytes(DepthBytes)]
    public DepthImage Depth16ToMetres() => _decoder.DecodeDepth(_depth16, _depth);

    [Benchmark, ProcessedBytes(RgbBytes)]
    public ColorImage Bgr8ToRgb8() => _decoder.DecodeColor(_bgr8, _color);
}
