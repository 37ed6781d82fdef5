using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;

namespace AnyRecon.Ros.Imaging;

/// <summary>How depth is written to an Image or compressedDepth message.</summary>
public enum RosDepthEncoding
{
    /// <summary>16UC1 in millimetres (REP 118); 0 = no measurement; depths beyond 65.535 m become 0.</summary>
    Millimetres16,
    /// <summary>32FC1 in metres. As compressedDepth: quantized inverse depth, lossy, beyond the maximum depth dropped.</summary>
    Metres32,
}

/// <summary>
/// Our frames back to sensor_msgs messages for exported and output bags, in the layouts image_transport's plugins
/// write, so ROS tools decode them. Holds one JPEG codec; not thread-safe.
/// </summary>
public sealed class RosImageEncoder : IDisposable
{
    /// <summary>compressed_depth_image_transport's default depth_max, metres.</summary>
    public const double DefaultCompressedDepthMaxMeters = 10.0;

    /// <summary>compressed_depth_image_transport's default depth_quantization.</summary>
    public const double DefaultCompressedDepthQuantization = 100.0;

    private readonly JpegCodec _jpeg = new();
    private readonly PngCodec _png = new();

    /// <summary>An rgb8 Image with no row padding.</summary>
    public static Image ToImage(ColorImage color, Header? header = null)
    {
        ArgumentNullException.ThrowIfNull(color);
        return new Image
        {
            Header = header ?? new Header(),
            Width = (uint)color.Width,
            Height = (uint)color.Height,
            Encoding = RosImageEncodings.Rgb8,
            IsBigendian = 0,
            Step = (uint)(color.Width * 3),
            Data = color.Rgb.AsSpan().ToArray(),
        };
    }

    /// <summary>A 16UC1 (mm, rounded; invalid = 0) or 32FC1 (metres as they are) little-endian Image.</summary>
    public static Image ToImage(DepthImage depth, Header? header = null, RosDepthEncoding encoding = RosDepthEncoding.Millimetres16)
    {
        ArgumentNullException.ThrowIfNull(depth);
        int count = depth.Width * depth.Height;
        byte[] data;
        if (encoding == RosDepthEncoding.Metres32)
        {
            data = MemoryMarshal.AsBytes(depth.Metres.AsSpan()).ToArray();
            if (!BitConverter.IsLittleEndian) PixelConversions.ReverseEndianness(MemoryMarshal.Cast<byte, float>(data), MemoryMarshal.Cast<byte, float>(data.AsSpan()));
        }
        else
        {
            data = new byte[count * 2];
            PixelConversions.MetresToDepth16(depth.Metres, MemoryMarshal.Cast<byte, ushort>(data.AsSpan()), 1000f);
        }
        return new Image
        {
            Header = header ?? new Header(),
            Width = (uint)depth.Width,
            Height = (uint)depth.Height,
            Encoding = encoding == RosDepthEncoding.Metres32 ? RosImageEncodings.Depth32FC1 : RosImageEncodings.Depth16UC1,
            IsBigendian = BitConverter.IsLittleEndian ? (byte)0 : (byte)1,
            Step = (uint)(depth.Width * (encoding == RosDepthEncoding.Metres32 ? 4 : 2)),
            Data = data,
        };
    }

    /// <summary>A JPEG CompressedImage, format "rgb8; jpeg compressed bgr8" as compressed_image_transport writes for rgb8.</summary>
    public CompressedImage ToJpeg(ColorImage color, Header? header = null, int quality = JpegCodec.DefaultQuality) => new()
    {
        Header = header ?? new Header(),
        Format = "rgb8; jpeg compressed bgr8",
        Data = _jpeg.Encode(color, quality),
    };

    /// <summary>A PNG CompressedImage, format "rgb8; png compressed bgr8".</summary>
    public CompressedImage ToPng(ColorImage color, Header? header = null) => new()
    {
        Header = header ?? new Header(),
        Format = "rgb8; png compressed bgr8",
        Data = _png.Encode(color),
    };

    /// <summary>
    /// A compressed_depth_image_transport message: 12-byte ConfigHeader then a 16-bit PNG (or RVL with <paramref name="codec"/>). 16UC1 stores millimetres
    /// (lossless to the mm); 32FC1 stores inverse depth quantized as that package does (depth beyond
    /// <paramref name="depthMaxMeters"/> dropped).
    /// </summary>
    public CompressedImage ToCompressedDepth(DepthImage depth, Header? header = null, RosDepthEncoding encoding = RosDepthEncoding.Millimetres16,
        double depthMaxMeters = DefaultCompressedDepthMaxMeters, double depthQuantization = DefaultCompressedDepthQuantization,
        CompressedCodec codec = CompressedCodec.Png)
    {
        ArgumentNullException.ThrowIfNull(depth);
        if (codec is not (CompressedCodec.Png or CompressedCodec.Rvl)) throw new ArgumentOutOfRangeException(nameof(codec), codec, "compressedDepth is png or rvl");
        if (!(depthMaxMeters > 0) || !double.IsFinite(depthMaxMeters)) throw new ArgumentOutOfRangeException(nameof(depthMaxMeters), depthMaxMeters, "must be positive");
        if (!(depthQuantization > 0) || !double.IsFinite(depthQuantization)) throw new ArgumentOutOfRangeException(nameof(depthQuantization), depthQuantization, "must be positive");
        int count = depth.Width * depth.Height;
        ushort[] values = ArrayPool<ushort>.Shared.Rent(count);
        float quantA = 0, quantB = 0;
        byte[] payload;
        try
        {
            var span = values.AsSpan(0, count);
            if (encoding == RosDepthEncoding.Metres32)
            {
                // Single precision as the reference computes it, so its decoder inverts our values exactly as its own.
                float z0 = (float)depthQuantization, max = (float)depthMaxMeters;
                quantA = z0 * (z0 + 1.0f);
                quantB = 1.0f - quantA / max;
                MetresToInverseDepth(depth.Metres, span, quantA, quantB, max);
            }
            else
            {
                PixelConversions.MetresToDepth16(depth.Metres, span, 1000f);
                ushort maxMm = (ushort)Math.Min(ushort.MaxValue, depthMaxMeters * 1000.0);
                // The reference drops depth beyond depth_max for 16UC1 too.
                foreach (ref ushort v in span) if (v > maxMm) v = 0;
            }
            if (codec == CompressedCodec.Png)
            {
                payload = _png.EncodeGray16(span, depth.Width, depth.Height);
            }
            else
            {
                // RVL payload: uint32 cols, uint32 rows, then the stream.
                byte[] stream = RvlCodec.Encode(span);
                payload = new byte[8 + stream.Length];
                BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)depth.Width);
                BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), (uint)depth.Height);
                stream.CopyTo(payload, 8);
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(values);
        }
        var data = new byte[RosImageDecoder.CompressedDepthHeaderSize + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(data, 0); // INV_DEPTH, the only format the reference defines
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), quantA);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), quantB);
        payload.CopyTo(data, RosImageDecoder.CompressedDepthHeaderSize);
        string rawEncoding = encoding == RosDepthEncoding.Metres32 ? RosImageEncodings.Depth32FC1 : RosImageEncodings.Depth16UC1;
        string codecName = codec == CompressedCodec.Png ? "png" : "rvl";
        return new CompressedImage { Header = header ?? new Header(), Format = rawEncoding + "; compressedDepth " + codecName, Data = data };
    }

    public void Dispose() => _jpeg.Dispose();

    /// <summary>q = A / d + B for valid d below the maximum, else 0 (no measurement); clamped to 16 bits.</summary>
    internal static void MetresToInverseDepth(ReadOnlySpan<float> metres, Span<ushort> quantized, float quantA, float quantB, float depthMax)
    {
        for (int i = 0; i < metres.Length; i++)
        {
            float d = metres[i];
            if (!(d > 0) || !(d < depthMax)) { quantized[i] = 0; continue; }
            float q = quantA / d + quantB;
            quantized[i] = q >= 65535f ? ushort.MaxValue : q < 1f ? (ushort)0 : (ushort)q;
        }
    }
}
