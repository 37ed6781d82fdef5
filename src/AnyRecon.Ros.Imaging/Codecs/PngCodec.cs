using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Imaging;

/// <summary>What a PNG's IHDR declares.</summary>
public readonly record struct PngHeader(int Width, int Height, int BitDepth, int ColorType)
{
    public bool IsGray16 => BitDepth == 16 && ColorType == 0;
}

/// <summary>
/// PNG through Debian's libpng simplified API (png_image_*). Decodes 8-bit gray/RGB/RGBA/palette to RGB8 and 16-bit
/// gray (depth) bit-exactly; encodes RGB8, mono8 and 16-bit gray. Stateless apart from options; thread-safe.
/// </summary>
/// <remarks>
/// The simplified API converts gamma whenever the file declares colour management (gAMA, sRGB, iCCP, cHRM), and it
/// treats 16-bit samples as linear light. Depth is a number, not light, and OpenCV (hence image_transport) ignores
/// those chunks, so they are dropped before libpng sees the file: with no colour information, libpng's 16-bit linear
/// read is the identity and its 8-bit read is plain sample copying.
/// </remarks>
public sealed unsafe class PngCodec
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly ImageDecoderOptions _options;

    public PngCodec(ImageDecoderOptions? options = null) => _options = options ?? new ImageDecoderOptions();

    /// <summary>True when the bytes start with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>Reads IHDR without decoding and checks the size limit.</summary>
    /// <exception cref="ImageFormatException">Not a PNG, truncated or malformed header, or too large.</exception>
    public PngHeader ReadHeader(ReadOnlySpan<byte> png)
    {
        // Signature (8), IHDR length (4) + type (4) + 13 data bytes.
        if (!IsPng(png)) throw Corrupt(png, "no PNG signature");
        if (png.Length < 8 + 8 + 13 || !png.Slice(12, 4).SequenceEqual("IHDR"u8) || BinaryPrimitives.ReadUInt32BigEndian(png.Slice(8)) != 13)
            throw Corrupt(png, "the first chunk is not a 13-byte IHDR");
        var ihdr = png.Slice(16, 13);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(ihdr.Slice(4));
        _options.CheckSize(width, height, "PNG");
        return new PngHeader((int)width, (int)height, ihdr[8], ihdr[9]);
    }

    /// <summary>Decodes any 8-bit PNG to RGB8 (gray replicated, alpha dropped as OpenCV's IMREAD_COLOR does).</summary>
    public ColorImage DecodeRgb(ReadOnlySpan<byte> png, ColorImage? reuse = null)
    {
        var header = ReadHeader(png);
        if (header.BitDepth == 16)
            throw new ImageFormatException(ImageRejectionReason.WrongPixelFormat, $"PNG {header.Width}x{header.Height} has 16-bit samples; colour must be 8-bit");
        var image = reuse is not null && reuse.Width == header.Width && reuse.Height == header.Height
            ? reuse
            : new ColorImage(header.Width, header.Height, GC.AllocateUninitializedArray<byte>(header.Width * header.Height * 3));
        bool hasAlpha = (header.ColorType & 4) != 0 || HasChunk(png, "tRNS"u8);
        if (!hasAlpha)
        {
            ReadWithoutColorManagement(png, alsoTransparency: false, Interop.Png.FormatRgb, image.Rgb, header.Width * 3);
            return image;
        }
        byte[] rgba = ArrayPool<byte>.Shared.Rent(header.Width * header.Height * 4);
        try
        {
            var span = rgba.AsSpan(0, header.Width * header.Height * 4);
            ReadWithoutColorManagement(png, alsoTransparency: false, Interop.Png.FormatRgb | Interop.Png.FormatFlagAlpha, span, header.Width * 4);
            PixelConversions.Rgba8ToRgb8(span, image.Rgb);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
        return image;
    }

    /// <summary>Decodes an 8-bit gray PNG to one byte per pixel.</summary>
    public byte[] DecodeMono8(ReadOnlySpan<byte> png, out int width, out int height)
    {
        var header = ReadHeader(png);
        if (header.BitDepth > 8 || header.ColorType != 0)
            throw new ImageFormatException(ImageRejectionReason.WrongPixelFormat, $"PNG {header.Width}x{header.Height} is not 8-bit gray (bit depth {header.BitDepth}, colour type {header.ColorType})");
        (width, height) = (header.Width, header.Height);
        var pixels = GC.AllocateUninitializedArray<byte>(width * height);
        ReadWithoutColorManagement(png, alsoTransparency: true, Interop.Png.FormatGray, pixels, width);
        return pixels;
    }

    /// <summary>Decodes a 16-bit gray PNG (depth) bit-exactly into <paramref name="destination"/> (width x height values).</summary>
    public PngHeader DecodeGray16(ReadOnlySpan<byte> png, Span<ushort> destination)
    {
        var header = ReadHeader(png);
        if (!header.IsGray16)
            throw new ImageFormatException(ImageRejectionReason.WrongPixelFormat, $"PNG {header.Width}x{header.Height} is not 16-bit gray (bit depth {header.BitDepth}, colour type {header.ColorType})");
        if (destination.Length != header.Width * header.Height)
            throw new ArgumentException($"a {header.Width}x{header.Height} image needs {header.Width * header.Height} values, the destination has {destination.Length}", nameof(destination));
        // tRNS would make libpng composite the transparent value onto black, i.e. change depth.
        ReadWithoutColorManagement(png, alsoTransparency: true, Interop.Png.FormatLinearY, MemoryMarshal.AsBytes(destination), header.Width * 2);
        return header;
    }

    /// <summary>Decodes a 16-bit gray PNG to a new array.</summary>
    public ushort[] DecodeGray16(ReadOnlySpan<byte> png, out int width, out int height)
    {
        var header = ReadHeader(png);
        var values = GC.AllocateUninitializedArray<ushort>(header.Width * header.Height);
        DecodeGray16(png, values);
        (width, height) = (header.Width, header.Height);
        return values;
    }

    /// <summary>
    /// A 16-bit depth PNG of the RGB-D folder format (depth = value / <paramref name="depthScale"/> metres, 0 = invalid;
    /// 1000 = millimetres, TUM uses 5000) to metres, reusing <paramref name="reuse"/> when it has the same size.
    /// </summary>
    public DepthImage DecodeDepth(ReadOnlySpan<byte> png, double depthScale = 1000.0, DepthImage? reuse = null)
    {
        if (!(depthScale > 0) || !double.IsFinite(depthScale)) throw new ArgumentOutOfRangeException(nameof(depthScale), depthScale, "must be positive");
        var header = ReadHeader(png);
        int count = header.Width * header.Height;
        var image = reuse is not null && reuse.Width == header.Width && reuse.Height == header.Height
            ? reuse
            : new DepthImage(header.Width, header.Height, GC.AllocateUninitializedArray<float>(count));
        ushort[] raw = ArrayPool<ushort>.Shared.Rent(count);
        try
        {
            DecodeGray16(png, raw.AsSpan(0, count));
            PixelConversions.Depth16ToMetres(raw.AsSpan(0, count), image.Metres, (float)(1.0 / depthScale));
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(raw);
        }
        return image;
    }

    /// <summary>Metres to a 16-bit depth PNG with value = round(metres x <paramref name="depthScale"/>); invalid or
    /// unrepresentable depth (beyond 65535 units) is written as 0.</summary>
    public byte[] EncodeDepth(DepthImage depth, double depthScale = 1000.0)
    {
        ArgumentNullException.ThrowIfNull(depth);
        if (!(depthScale > 0) || !double.IsFinite(depthScale)) throw new ArgumentOutOfRangeException(nameof(depthScale), depthScale, "must be positive");
        int count = depth.Width * depth.Height;
        ushort[] raw = ArrayPool<ushort>.Shared.Rent(count);
        try
        {
            PixelConversions.MetresToDepth16(depth.Metres, raw.AsSpan(0, count), (float)depthScale);
            return EncodeGray16(raw.AsSpan(0, count), depth.Width, depth.Height);
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(raw);
        }
    }

    /// <summary>Encodes tightly packed RGB8 or mono8.</summary>
    public byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, PixelLayout layout)
    {
        int channels = layout == PixelLayout.Rgb8 ? 3 : 1;
        CheckEncodeSize(pixels.Length, width, height, channels);
        return Write(pixels, width, height, layout == PixelLayout.Rgb8 ? Interop.Png.FormatRgb : Interop.Png.FormatGray, width * channels);
    }

    /// <summary>Encodes an RGB8 frame.</summary>
    public byte[] Encode(ColorImage image) => Encode(image.Rgb, image.Width, image.Height, PixelLayout.Rgb8);

    /// <summary>
    /// Encodes an RGB8 frame; <paramref name="fast"/> asks libpng for its fast mode (PNG_IMAGE_FLAG_FAST: no row
    /// filters, low zlib level), several times faster to write and somewhat larger, equally lossless.
    /// </summary>
    public byte[] Encode(ColorImage image, bool fast)
    {
        CheckEncodeSize(image.Rgb.Length, image.Width, image.Height, 3);
        return Write(image.Rgb, image.Width, image.Height, Interop.Png.FormatRgb, image.Width * 3, fast ? Interop.Png.ImageFlagFast : 0);
    }

    /// <summary>Encodes 16-bit gray (depth in mm), bit-exact on decode.</summary>
    public byte[] EncodeGray16(ReadOnlySpan<ushort> values, int width, int height)
    {
        CheckEncodeSize(values.Length, width, height, 1);
        // Row stride is in components (ushorts) for 16-bit formats.
        return Write(MemoryMarshal.AsBytes(values), width, height, Interop.Png.FormatLinearY, width);
    }

    private void ReadWithoutColorManagement(ReadOnlySpan<byte> png, bool alsoTransparency, uint format, Span<byte> destination, int rowStrideBytes)
    {
        byte[]? stripped = StripColorManagement(png, alsoTransparency, out int length);
        try
        {
            Read(stripped is null ? png : stripped.AsSpan(0, length), format, destination, rowStrideBytes);
        }
        finally
        {
            if (stripped is not null) ArrayPool<byte>.Shared.Return(stripped);
        }
    }

    private void Read(ReadOnlySpan<byte> png, uint format, Span<byte> destination, int rowStrideBytes)
    {
        var image = new Interop.Png.Image { Version = Interop.Png.ImageVersion };
        try
        {
            fixed (byte* src = png)
            fixed (byte* dst = destination)
            {
                if (Interop.Png.ImageBeginReadFromMemory(&image, src, (nuint)png.Length) == 0)
                    throw Corrupt(png, MessageOf(&image));
                _options.CheckSize(image.Width, image.Height, "PNG");
                int bytesPerComponent = (format & Interop.Png.FormatFlagLinear) != 0 ? 2 : 1;
                long needed = (long)image.Height * rowStrideBytes;
                if (destination.Length < needed)
                    throw new ImageFormatException(ImageRejectionReason.CorruptData, $"PNG IHDR and libpng disagree on the size ({image.Width}x{image.Height})");
                image.Format = format;
                if (Interop.Png.ImageFinishRead(&image, null, dst, rowStrideBytes / bytesPerComponent, null) == 0)
                    throw Corrupt(png, MessageOf(&image));
            }
        }
        finally
        {
            Interop.Png.ImageFree(&image);
        }
    }

    private static byte[] Write(ReadOnlySpan<byte> pixels, int width, int height, uint format, int rowStrideComponents, uint flags = 0)
    {
        var image = new Interop.Png.Image { Version = Interop.Png.ImageVersion, Width = (uint)width, Height = (uint)height, Format = format, Flags = flags };
        // Worst case of zlib stored blocks plus chunk framing; retried with libpng's figure if ever too small.
        long raw = (long)height * (pixels.Length / height + 1);
        int capacity = checked((int)Math.Min(int.MaxValue, raw + raw / 64 + 4096));
        for (int attempt = 0; attempt < 2; attempt++)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(capacity);
            try
            {
                nuint size = (nuint)buffer.Length;
                int ok;
                fixed (byte* src = pixels)
                fixed (byte* dst = buffer)
                {
                    ok = Interop.Png.ImageWriteToMemory(&image, dst, &size, 0, src, rowStrideComponents, null);
                }
                if (ok != 0 && size <= (nuint)buffer.Length) return buffer.AsSpan(0, (int)size).ToArray();
                if (size <= (nuint)buffer.Length || size > int.MaxValue)
                    throw new ImageFormatException(ImageRejectionReason.CorruptData, $"PNG encode of {width}x{height}: {MessageOf(&image)}");
                capacity = (int)size;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                Interop.Png.ImageFree(&image);
            }
        }
        throw new ImageFormatException(ImageRejectionReason.CorruptData, $"PNG encode of {width}x{height}: output buffer too small twice");
    }

    private static void CheckEncodeSize(int length, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is not an image size");
        if (length != (long)width * height * channels)
            throw new ArgumentException($"a {width}x{height} image with {channels} channel(s) needs {(long)width * height * channels} values, got {length}");
    }

    /// <summary>
    /// A copy without gAMA/sRGB/iCCP/cHRM (and tRNS if asked) in a pooled array of which <paramref name="length"/>
    /// bytes count (the caller returns it to ArrayPool.Shared), or null when there are none: no copy. libpng's own
    /// writer adds sRGB or gAMA, so PNGs we wrote take the copy path. Chunks carry their own CRC, so dropping whole
    /// chunks leaves a valid file.
    /// </summary>
    internal static byte[]? StripColorManagement(ReadOnlySpan<byte> png, bool alsoTransparency, out int length)
    {
        bool Drop(ReadOnlySpan<byte> type) =>
            type.SequenceEqual("gAMA"u8) || type.SequenceEqual("sRGB"u8) || type.SequenceEqual("iCCP"u8) || type.SequenceEqual("cHRM"u8)
            || (alsoTransparency && type.SequenceEqual("tRNS"u8));

        bool any = false;
        foreach (var (offset, _) in Chunks(png))
            if (Drop(png.Slice(offset + 4, 4))) { any = true; break; }
        length = 0;
        if (!any) return null;

        var result = ArrayPool<byte>.Shared.Rent(png.Length);
        Signature.CopyTo(result);
        int written = Signature.Length;
        int end = Signature.Length;
        foreach (var (offset, dataLength) in Chunks(png))
        {
            end = offset + 12 + dataLength;
            if (Drop(png.Slice(offset + 4, 4))) continue;
            png.Slice(offset, 12 + dataLength).CopyTo(result.AsSpan(written));
            written += 12 + dataLength;
        }
        // Whatever follows the last whole chunk (truncation, garbage) is kept so libpng reports it as before.
        png.Slice(end).CopyTo(result.AsSpan(written));
        written += png.Length - end;
        length = written;
        return result;
    }

    private static bool HasChunk(ReadOnlySpan<byte> png, ReadOnlySpan<byte> type)
    {
        foreach (var (offset, _) in Chunks(png))
        {
            var t = png.Slice(offset + 4, 4);
            if (t.SequenceEqual(type)) return true;
            if (t.SequenceEqual("IDAT"u8)) return false; // tRNS must precede IDAT
        }
        return false;
    }

    /// <summary>Whole chunks (offset of the length field, data length) until IEND, truncation or a bad length.</summary>
    private static ChunkEnumerator Chunks(ReadOnlySpan<byte> png) => new(png);

    /// <summary>Walks chunks without allocating (foreach over a ref struct).</summary>
    private ref struct ChunkEnumerator
    {
        private readonly ReadOnlySpan<byte> _png;
        private int _next;
        private bool _done;

        public ChunkEnumerator(ReadOnlySpan<byte> png)
        {
            _png = png;
            _next = 8; // after the signature
            Current = default;
        }

        public (int Offset, int Length) Current { get; private set; }

        public readonly ChunkEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_done || _png.Length - _next < 12) return false;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(_png.Slice(_next));
            if (length > (uint)(_png.Length - _next - 12)) return false;
            Current = (_next, (int)length);
            _done = _png.Slice(_next + 4, 4).SequenceEqual("IEND"u8);
            _next += 12 + (int)length;
            return true;
        }
    }

    private static string MessageOf(Interop.Png.Image* image)
    {
        string text = Marshal.PtrToStringUTF8((nint)image->Message) ?? "";
        return text.Length == 0 ? "libpng failed without a message" : text;
    }

    private static ImageFormatException Corrupt(ReadOnlySpan<byte> png, string why) =>
        new(ImageRejectionReason.CorruptData, $"PNG of {png.Length} bytes: {why}");
}
