using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Bags;

/// <summary>LZ4 frame decompression through Debian's liblz4; one context, reused; not thread-safe.</summary>
public sealed unsafe class Lz4FrameDecoder : IDisposable
{
    private readonly SafeLz4DecompressionHandle _context;

    public Lz4FrameDecoder()
    {
        nuint rc = Interop.Lz4.CreateDecompressionContext(out nint ctx, Interop.Lz4.FrameVersion);
        _context = new SafeLz4DecompressionHandle(ctx);
        ThrowIfError(rc);
    }

    /// <summary>Decompresses a whole frame into <paramref name="destination"/>, which must be exactly the uncompressed size.</summary>
    public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Interop.Lz4.ResetDecompressionContext(_context);
        int consumed = 0, produced = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            while (true)
            {
                nuint srcSize = (nuint)(source.Length - consumed);
                nuint dstSize = (nuint)(destination.Length - produced);
                nuint hint = Interop.Lz4.Decompress(_context, dst + produced, &dstSize, src + consumed, &srcSize, null);
                ThrowIfError(hint);
                consumed += (int)srcSize;
                produced += (int)dstSize;
                if (hint == 0) return produced;
                if (srcSize == 0 && dstSize == 0)
                {
                    if (consumed >= source.Length) throw new CompressionException("lz4 frame is truncated");
                    throw new CompressionException("lz4 frame decompresses past the declared size");
                }
            }
        }
    }

    internal static void ThrowIfError(nuint code)
    {
        if (Interop.Lz4.IsError(code) != 0)
            throw new CompressionException("lz4: " + Marshal.PtrToStringUTF8((nint)Interop.Lz4.GetErrorName(code)));
    }

    public void Dispose() => _context.Dispose();
}

/// <summary>LZ4 frame compression through Debian's liblz4 (stateless).</summary>
public static unsafe class Lz4FrameEncoder
{
    /// <summary>Worst-case frame size for <paramref name="sourceLength"/> input bytes (default preferences).</summary>
    public static int GetMaxCompressedLength(int sourceLength) => checked((int)Interop.Lz4.CompressFrameBound((nuint)sourceLength, null));

    /// <summary>Compresses into <paramref name="destination"/> (size it with <see cref="GetMaxCompressedLength"/>); returns bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint written = Interop.Lz4.CompressFrame(dst, (nuint)destination.Length, src, (nuint)source.Length, null);
            Lz4FrameDecoder.ThrowIfError(written);
            return (int)written;
        }
    }

    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        nuint bound = Interop.Lz4.CompressFrameBound((nuint)source.Length, null);
        var buffer = GC.AllocateUninitializedArray<byte>(checked((int)bound));
        fixed (byte* src = source)
        fixed (byte* dst = buffer)
        {
            nuint written = Interop.Lz4.CompressFrame(dst, bound, src, (nuint)source.Length, null);
            Lz4FrameDecoder.ThrowIfError(written);
            return buffer.AsSpan(0, (int)written).ToArray();
        }
    }
}
