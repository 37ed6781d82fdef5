using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Imaging;

/// <summary>Pixel layouts the codecs decode to or encode from.</summary>
public enum PixelLayout
{
    /// <summary>3 bytes per pixel, R G B.</summary>
    Rgb8,
    /// <summary>1 byte per pixel.</summary>
    Mono8,
}

/// <summary>
/// JPEG through Debian's libturbojpeg (TurboJPEG 2.x API). Holds one decompressor and one compressor, created on first
/// use and reused; not thread-safe (use one per thread).
/// </summary>
public sealed unsafe class JpegCodec : IDisposable
{
    /// <summary>Default encode quality, as compressed_image_transport's default jpeg_quality.</summary>
    public const int DefaultQuality = 95;

    private readonly ImageDecoderOptions _options;
    private SafeTurboJpegHandle? _decompressor;
    private SafeTurboJpegHandle? _compressor;

    public JpegCodec(ImageDecoderOptions? options = null) => _options = options ?? new ImageDecoderOptions();

    /// <summary>Reads the size from the JPEG header without decoding; checks it against the size limit.</summary>
    /// <exception cref="ImageFormatException">Not a JPEG, corrupt header, or too large.</exception>
    public (int Width, int Height) ReadSize(ReadOnlySpan<byte> jpeg)
    {
        var handle = Decompressor();
        int width = 0, height = 0, subsampling = 0, colorspace = 0;
        fixed (byte* src = jpeg)
        {
            if (jpeg.IsEmpty || Interop.TurboJpeg.DecompressHeader3(handle, src, (nuint)jpeg.Length, &width, &height, &subsampling, &colorspace) != 0)
                throw new ImageFormatException(ImageRejectionReason.CorruptData, $"JPEG header of {jpeg.Length} bytes: {ErrorText(handle, jpeg.IsEmpty)}");
        }
        // libturbojpeg accepts some headers without a frame (e.g. FF D8 FF) and reports 0x0: that is corrupt data.
        if (width <= 0 || height <= 0)
            throw new ImageFormatException(ImageRejectionReason.CorruptData, $"JPEG header of {jpeg.Length} bytes declares no frame ({width}x{height})");
        _options.CheckSize(width, height, "JPEG");
        return (width, height);
    }

    /// <summary>Decodes into <paramref name="destination"/>, which must hold exactly width x height pixels of <paramref name="layout"/>.</summary>
    public (int Width, int Height) Decode(ReadOnlySpan<byte> jpeg, Span<byte> destination, PixelLayout layout)
    {
        var (width, height) = ReadSize(jpeg);
        DecodeKnownSize(jpeg, width, height, destination, layout);
        return (width, height);
    }

    private void DecodeKnownSize(ReadOnlySpan<byte> jpeg, int width, int height, Span<byte> destination, PixelLayout layout)
    {
        int channels = layout == PixelLayout.Rgb8 ? 3 : 1;
        long needed = (long)width * height * channels;
        if (destination.Length != needed)
            throw new ArgumentException($"a {width}x{height} {layout} image needs {needed} bytes, the destination has {destination.Length}", nameof(destination));
        var handle = Decompressor();
        int flags = Interop.TurboJpeg.FlagAccurateDct | (_options.RejectJpegWarnings ? Interop.TurboJpeg.FlagStopOnWarning : 0);
        int format = layout == PixelLayout.Rgb8 ? Interop.TurboJpeg.PixelFormatRgb : Interop.TurboJpeg.PixelFormatGray;
        fixed (byte* src = jpeg)
        fixed (byte* dst = destination)
        {
            if (Interop.TurboJpeg.Decompress2(handle, src, (nuint)jpeg.Length, dst, width, width * channels, height, format, flags) != 0)
            {
                // Without STOPONWARNING a warning still returns -1; the image is complete apart from what the warning says.
                bool warningOnly = Interop.TurboJpeg.GetErrorCode(handle) == Interop.TurboJpeg.ErrorWarning;
                if (_options.RejectJpegWarnings || !warningOnly)
                    throw new ImageFormatException(ImageRejectionReason.CorruptData, $"JPEG {width}x{height}, {jpeg.Length} bytes: {ErrorText(handle, false)}");
            }
        }
    }

    /// <summary>Decodes to RGB8, reusing <paramref name="reuse"/> when it has the same size.</summary>
    public ColorImage DecodeRgb(ReadOnlySpan<byte> jpeg, ColorImage? reuse = null)
    {
        var (width, height) = ReadSize(jpeg);
        var image = reuse is not null && reuse.Width == width && reuse.Height == height
            ? reuse
            : new ColorImage(width, height, GC.AllocateUninitializedArray<byte>(width * height * 3));
        DecodeKnownSize(jpeg, width, height, image.Rgb, PixelLayout.Rgb8);
        return image;
    }

    /// <summary>Decodes to one byte per pixel (colour JPEGs are converted to luma by libjpeg-turbo).</summary>
    public byte[] DecodeMono8(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        (width, height) = ReadSize(jpeg);
        var pixels = GC.AllocateUninitializedArray<byte>(width * height);
        DecodeKnownSize(jpeg, width, height, pixels, PixelLayout.Mono8);
        return pixels;
    }

    /// <summary>Encodes tightly packed pixels of <paramref name="layout"/>. Colour uses 4:2:0 chroma subsampling
    /// (as OpenCV's imencode) unless <paramref name="subsampleChroma"/> is false.</summary>
    public byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, PixelLayout layout, int quality = DefaultQuality, bool subsampleChroma = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is not an image size");
        int channels = layout == PixelLayout.Rgb8 ? 3 : 1;
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"a {width}x{height} {layout} image needs {(long)width * height * channels} bytes, got {pixels.Length}", nameof(pixels));
        _compressor ??= Create(Interop.TurboJpeg.InitCompress(), "tjInitCompress");
        int format = layout == PixelLayout.Rgb8 ? Interop.TurboJpeg.PixelFormatRgb : Interop.TurboJpeg.PixelFormatGray;
        int subsampling = layout == PixelLayout.Mono8 ? Interop.TurboJpeg.SubsamplingGray
            : subsampleChroma ? Interop.TurboJpeg.Subsampling420 : Interop.TurboJpeg.Subsampling444;
        byte* output = null;
        nuint size = 0;
        try
        {
            fixed (byte* src = pixels)
            {
                if (Interop.TurboJpeg.Compress2(_compressor, src, width, width * channels, height, format, &output, &size,
                        subsampling, quality, Interop.TurboJpeg.FlagAccurateDct) != 0)
                    throw new ImageFormatException(ImageRejectionReason.CorruptData, $"JPEG encode of {width}x{height}: {ErrorText(_compressor, false)}");
            }
            return new ReadOnlySpan<byte>(output, checked((int)size)).ToArray();
        }
        finally
        {
            if (output != null) Interop.TurboJpeg.Free(output);
        }
    }

    /// <summary>Encodes an RGB8 frame.</summary>
    public byte[] Encode(ColorImage image, int quality = DefaultQuality) => Encode(image.Rgb, image.Width, image.Height, PixelLayout.Rgb8, quality);

    public void Dispose()
    {
        _decompressor?.Dispose();
        _compressor?.Dispose();
    }

    private SafeTurboJpegHandle Decompressor()
    {
        ObjectDisposedException.ThrowIf(_decompressor is { IsClosed: true }, this);
        return _decompressor ??= Create(Interop.TurboJpeg.InitDecompress(), "tjInitDecompress");
    }

    private static SafeTurboJpegHandle Create(SafeTurboJpegHandle handle, string function)
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new InvalidOperationException($"{function} failed (out of memory?)");
        }
        return handle;
    }

    private static string ErrorText(SafeTurboJpegHandle handle, bool empty) =>
        empty ? "no data" : Marshal.PtrToStringUTF8((nint)Interop.TurboJpeg.GetErrorStr2(handle)) ?? "unknown libturbojpeg error";
}
