using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AnyRecon.Ros.Messages.SensorMsgs;

namespace AnyRecon.Ros.Imaging;

/// <summary>
/// Turns sensor_msgs Image and CompressedImage messages into our frames: colour to RGB8, depth to metres. Checks every
/// declared size against the data before touching it. Holds one JPEG codec; not thread-safe (one per decoding thread).
/// </summary>
/// <remarks>
/// Each Decode method throws <see cref="ImageFormatException"/>; each TryDecode twin returns the same rejection as a
/// value so the pipeline can count reasons. Pass <c>reuse</c> (a frame of the same size) to decode without allocating.
/// </remarks>
public sealed class RosImageDecoder : IDisposable
{
    /// <summary>compressed_depth_image_transport's ConfigHeader: int32 format, float depthParam[2], native (little) endian.</summary>
    public const int CompressedDepthHeaderSize = 12;

    private readonly ImageDecoderOptions _options;
    private readonly JpegCodec _jpeg;
    private readonly PngCodec _png;

    public RosImageDecoder(ImageDecoderOptions? options = null)
    {
        _options = options ?? new ImageDecoderOptions();
        _jpeg = new JpegCodec(_options);
        _png = new PngCodec(_options);
    }

    /// <summary>rgb8, bgr8, rgba8, bgra8 or mono8 to RGB8 (alpha dropped, gray replicated); row padding skipped.</summary>
    public ColorImage DecodeColor(Image message, ColorImage? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        int bytesPerPixel = RosImageEncodings.ColorBytesPerPixel(message.Encoding);
        if (bytesPerPixel == 0)
            throw Reject(ImageRejectionReason.UnknownEncoding, message, RosImageEncodings.IsDepth(message.Encoding)
                ? "is a depth encoding, not colour" : "is not a colour encoding we decode (rgb8, bgr8, rgba8, bgra8, mono8)");
        var (width, height) = CheckLayout(message, bytesPerPixel);
        var image = reuse is not null && reuse.Width == width && reuse.Height == height
            ? reuse
            : new ColorImage(width, height, GC.AllocateUninitializedArray<byte>(width * height * 3));
        ReadOnlySpan<byte> data = message.Data;
        int rowBytes = width * bytesPerPixel;
        int step = (int)message.Step;
        if (message.Encoding == RosImageEncodings.Rgb8 && step == rowBytes)
        {
            data[..(rowBytes * height)].CopyTo(image.Rgb);
            return image;
        }
        for (int v = 0; v < height; v++)
        {
            var source = data.Slice(v * step, rowBytes);
            var destination = image.Rgb.AsSpan(v * width * 3, width * 3);
            switch (message.Encoding)
            {
                case RosImageEncodings.Rgb8: source.CopyTo(destination); break;
                case RosImageEncodings.Bgr8: PixelConversions.SwapRedBlue(source, destination); break;
                case RosImageEncodings.Rgba8: PixelConversions.Rgba8ToRgb8(source, destination); break;
                case RosImageEncodings.Bgra8: PixelConversions.Bgra8ToRgb8(source, destination); break;
                default: PixelConversions.Mono8ToRgb8(source, destination); break;
            }
        }
        return image;
    }

    /// <summary>16UC1 (units of <see cref="ImageDecoderOptions.Depth16UnitMeters"/>, mm by default) or 32FC1 (metres) to metres;
    /// <c>is_bigendian</c> honoured, row padding skipped.</summary>
    public DepthImage DecodeDepth(Image message, DepthImage? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        int bytesPerPixel = RosImageEncodings.DepthBytesPerPixel(message.Encoding);
        if (bytesPerPixel == 0)
            throw Reject(ImageRejectionReason.UnknownEncoding, message, RosImageEncodings.IsColor(message.Encoding)
                ? "is a colour encoding, not depth" : "is not a depth encoding we decode (16UC1 in mm, 32FC1 in m)");
        var (width, height) = CheckLayout(message, bytesPerPixel);
        var image = ReuseOrCreate(reuse, width, height);
        ReadOnlySpan<byte> data = message.Data;
        int step = (int)message.Step;
        bool swap = message.IsBigendian != 0 && BitConverter.IsLittleEndian;
        if (bytesPerPixel == 4)
        {
            for (int v = 0; v < height; v++)
            {
                var source = MemoryMarshal.Cast<byte, float>(data.Slice(v * step, width * 4));
                var destination = image.Metres.AsSpan(v * width, width);
                if (swap) PixelConversions.ReverseEndianness(source, destination);
                else source.CopyTo(destination);
            }
            return image;
        }
        ushort[]? swapped = swap ? ArrayPool<ushort>.Shared.Rent(width) : null;
        try
        {
            for (int v = 0; v < height; v++)
            {
                ReadOnlySpan<ushort> source = MemoryMarshal.Cast<byte, ushort>(data.Slice(v * step, width * 2));
                if (swapped is not null)
                {
                    PixelConversions.ReverseEndianness(source, swapped.AsSpan(0, width));
                    source = swapped.AsSpan(0, width);
                }
                PixelConversions.Depth16ToMetres(source, image.Metres.AsSpan(v * width, width), _options.Depth16UnitMeters);
            }
        }
        finally
        {
            if (swapped is not null) ArrayPool<ushort>.Shared.Return(swapped);
        }
        return image;
    }

    /// <summary>A JPEG or 8-bit PNG CompressedImage to RGB8.</summary>
    public ColorImage DecodeColor(CompressedImage message, ColorImage? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var format = ParseFormat(message);
        if (format.IsCompressedDepth || RosImageEncodings.IsDepth(format.Encoding) || format.Encoding == "mono16")
            throw Reject(ImageRejectionReason.WrongPixelFormat, message, "holds depth, not colour");
        return format.Codec switch
        {
            CompressedCodec.Jpeg => _jpeg.DecodeRgb(message.Data, reuse),
            CompressedCodec.Png => _png.DecodeRgb(message.Data, reuse),
            _ => throw Reject(ImageRejectionReason.UnknownEncoding, message, "names no colour codec we decode (jpeg, png)"),
        };
    }

    /// <summary>
    /// compressed_depth_image_transport data ("16UC1; compressedDepth png|rvl": 16-bit PNG or RVL of the raw units;
    /// "32FC1; compressedDepth png|rvl": inverse depth quantized with the header's depthQuantA/B) or a plain 16-bit
    /// gray PNG, to metres.
    /// </summary>
    public DepthImage DecodeDepth(CompressedImage message, DepthImage? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var format = ParseFormat(message);
        if (format.Codec == CompressedCodec.Rvl && !format.IsCompressedDepth)
            throw Reject(ImageRejectionReason.UnknownEncoding, message, "is RVL outside compressedDepth");
        if (format.Codec is not (CompressedCodec.Png or CompressedCodec.Rvl))
            throw Reject(format.Codec == CompressedCodec.Jpeg ? ImageRejectionReason.WrongPixelFormat : ImageRejectionReason.UnknownEncoding,
                message, "is not a lossless depth format (compressedDepth png/rvl or 16-bit png)");
        ReadOnlySpan<byte> data = message.Data;
        bool inverse = false;
        float quantA = 0, quantB = 0;
        if (format.IsCompressedDepth)
        {
            if (!RosImageEncodings.IsDepth(format.Encoding))
                throw Reject(ImageRejectionReason.UnknownEncoding, message, $"compressedDepth of '{format.Encoding}' (16UC1 or 32FC1 expected)");
            if (data.Length <= CompressedDepthHeaderSize)
                throw Reject(ImageRejectionReason.CorruptData, message, $"has {data.Length} bytes, not more than the {CompressedDepthHeaderSize}-byte compressedDepth header");
            if (format.Encoding == RosImageEncodings.Depth32FC1)
            {
                inverse = true;
                quantA = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(4));
                quantB = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(8));
                if (!float.IsFinite(quantA) || !float.IsFinite(quantB) || quantA == 0)
                    throw Reject(ImageRejectionReason.CorruptData, message, $"has unusable depth quantization A={quantA}, B={quantB}");
            }
            data = data.Slice(CompressedDepthHeaderSize);
        }
        int width, height;
        if (format.Codec == CompressedCodec.Rvl)
        {
            // RVL payload: uint32 cols, uint32 rows, then the stream.
            if (data.Length < 8) throw Reject(ImageRejectionReason.CorruptData, message, "has no room for the RVL size");
            uint cols = BinaryPrimitives.ReadUInt32LittleEndian(data), rows = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4));
            _options.CheckSize(cols, rows, "RVL depth");
            (width, height) = ((int)cols, (int)rows);
        }
        else
        {
            var header = _png.ReadHeader(data);
            if (!header.IsGray16)
                throw Reject(ImageRejectionReason.WrongPixelFormat, message, $"holds a PNG with bit depth {header.BitDepth}, colour type {header.ColorType}; depth needs 16-bit gray");
            (width, height) = (header.Width, header.Height);
        }
        var image = ReuseOrCreate(reuse, width, height);
        int count = width * height;
        ushort[] raw = ArrayPool<ushort>.Shared.Rent(count);
        try
        {
            var values = raw.AsSpan(0, count);
            if (format.Codec == CompressedCodec.Rvl) RvlCodec.Decode(data.Slice(8), values);
            else _png.DecodeGray16(data, values);
            if (inverse) PixelConversions.InverseDepthToMetres(values, image.Metres, quantA, quantB);
            else PixelConversions.Depth16ToMetres(values, image.Metres, _options.Depth16UnitMeters);
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(raw);
        }
        return image;
    }

    public bool TryDecodeColor(Image message, out ColorImage? image, out ImageRejection rejection, ColorImage? reuse = null) =>
        Try(static (d, m, r) => d.DecodeColor(m, r), message, reuse, out image, out rejection);

    public bool TryDecodeDepth(Image message, out DepthImage? image, out ImageRejection rejection, DepthImage? reuse = null) =>
        Try(static (d, m, r) => d.DecodeDepth(m, r), message, reuse, out image, out rejection);

    public bool TryDecodeColor(CompressedImage message, out ColorImage? image, out ImageRejection rejection, ColorImage? reuse = null) =>
        Try(static (d, m, r) => d.DecodeColor(m, r), message, reuse, out image, out rejection);

    public bool TryDecodeDepth(CompressedImage message, out DepthImage? image, out ImageRejection rejection, DepthImage? reuse = null) =>
        Try(static (d, m, r) => d.DecodeDepth(m, r), message, reuse, out image, out rejection);

    /// <summary>Depth and colour of one RGB-D frame must have the same size (we do not register or resize).</summary>
    public static ImageRejection CheckSameSize(ColorImage color, DepthImage depth)
    {
        ArgumentNullException.ThrowIfNull(color);
        ArgumentNullException.ThrowIfNull(depth);
        return color.Width == depth.Width && color.Height == depth.Height
            ? ImageRejection.None
            : new ImageRejection(ImageRejectionReason.SizeMismatch, $"colour is {color.Width}x{color.Height} but depth is {depth.Width}x{depth.Height}");
    }

    public void Dispose() => _jpeg.Dispose();

    private (int Width, int Height) CheckLayout(Image message, int bytesPerPixel)
    {
        if (message.Width == 0 || message.Height == 0)
            throw Reject(ImageRejectionReason.ZeroSize, message, "has no pixels");
        if ((long)message.Width * message.Height > _options.MaxPixelCount)
            throw Reject(ImageRejectionReason.TooLarge, message, $"is above the limit of {_options.MaxPixelCount} pixels");
        long rowBytes = (long)message.Width * bytesPerPixel;
        if (message.Step < rowBytes)
            throw Reject(ImageRejectionReason.StepTooSmall, message, $"has step {message.Step}, less than width x {bytesPerPixel} = {rowBytes}");
        long needed = (long)message.Step * message.Height;
        if (message.Data.Length < needed)
            throw Reject(ImageRejectionReason.DataShorterThanStep, message, $"carries {message.Data.Length} data bytes, less than step x height = {needed}");
        return ((int)message.Width, (int)message.Height);
    }

    private static CompressedFormat ParseFormat(CompressedImage message)
    {
        var format = CompressedFormat.Parse(message.Format);
        // Some publishers leave the format empty; the magic bytes then say which codec.
        if (format.Codec == CompressedCodec.Unknown && string.IsNullOrWhiteSpace(message.Format))
        {
            ReadOnlySpan<byte> data = message.Data;
            if (PngCodec.IsPng(data)) return format with { Codec = CompressedCodec.Png };
            if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return format with { Codec = CompressedCodec.Jpeg };
        }
        return format;
    }

    private static DepthImage ReuseOrCreate(DepthImage? reuse, int width, int height) =>
        reuse is not null && reuse.Width == width && reuse.Height == height
            ? reuse
            : new DepthImage(width, height, GC.AllocateUninitializedArray<float>(width * height));

    private static ImageFormatException Reject(ImageRejectionReason reason, Image message, string why) =>
        new(reason, $"Image {message.Width}x{message.Height} '{message.Encoding}' (frame '{message.Header.FrameId}') {why}");

    private static ImageFormatException Reject(ImageRejectionReason reason, CompressedImage message, string why) =>
        new(reason, $"CompressedImage '{message.Format}' of {message.Data.Length} bytes (frame '{message.Header.FrameId}') {why}");

    // Static lambdas with explicit state: no closure allocated per frame.
    private bool Try<TMessage, TImage>(Func<RosImageDecoder, TMessage, TImage?, TImage> decode, TMessage message, TImage? reuse,
        out TImage? image, out ImageRejection rejection) where TImage : class
    {
        try
        {
            image = decode(this, message, reuse);
            rejection = ImageRejection.None;
            return true;
        }
        catch (ImageFormatException e)
        {
            image = null;
            rejection = new ImageRejection(e.Reason, e.Message);
            return false;
        }
    }
}
