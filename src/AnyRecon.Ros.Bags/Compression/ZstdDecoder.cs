using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Bags;

/// <summary>Decompresses zstd frames through Debian's libzstd. One context, reused; not thread-safe.</summary>
public sealed unsafe class ZstdDecoder : IDisposable
{
    private readonly SafeZstdDecompressionHandle _context;

    public ZstdDecoder()
    {
        _context = Interop.Zstd.CreateDCtx();
        if (_context.IsInvalid) throw new CompressionException("ZSTD_createDCtx failed");
    }

    /// <summary>The size the frame header declares, or null when the frame does not say.</summary>
    public static long? GetDeclaredSize(ReadOnlySpan<byte> frame)
    {
        fixed (byte* src = frame)
        {
            ulong size = Interop.Zstd.GetFrameContentSize(src, (nuint)frame.Length);
            if (size == Interop.Zstd.ContentSizeError) throw new CompressionException("not a zstd frame");
            if (size == Interop.Zstd.ContentSizeUnknown) return null;
            // A corrupt header can declare any 64-bit size; past long.MaxValue no buffer could ever hold it.
            if (size > long.MaxValue) throw new CompressionException($"zstd frame declares {size} bytes, more than any buffer can hold");
            return (long)size;
        }
    }

    /// <summary>Decompresses a whole frame into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint written = Interop.Zstd.DecompressDCtx(_context, dst, (nuint)destination.Length, src, (nuint)source.Length);
            ThrowIfError(written);
            return (int)written;
        }
    }

    /// <summary>Decompresses a frame whose size is unknown up front (rosbag2 MESSAGE mode may omit it).</summary>
    public byte[] Decompress(ReadOnlySpan<byte> source, long maxSize = int.MaxValue)
    {
        long? declared = GetDeclaredSize(source);
        if (declared is long known)
        {
            if (known > maxSize) throw new CompressionException($"zstd frame declares {known} bytes, above the limit of {maxSize}");
            var result = GC.AllocateUninitializedArray<byte>((int)known);
            int n = Decompress(source, result);
            if (n != known) throw new CompressionException($"zstd frame declared {known} bytes but held {n}");
            return result;
        }
        using var output = new MemoryStream();
        DecompressStream(source, output, maxSize);
        return output.ToArray();
    }

    /// <summary>Streams one or more concatenated frames to <paramref name="output"/> with bounded memory.</summary>
    public void DecompressStream(ReadOnlySpan<byte> source, Stream output, long maxSize = long.MaxValue)
    {
        Interop.Zstd.DCtxReset(_context, 1);
        byte[] buffer = new byte[1 << 17];
        long total = 0;
        fixed (byte* src = source)
        fixed (byte* dst = buffer)
        {
            var input = new Interop.Zstd.Buffer { Data = src, Size = (nuint)source.Length, Pos = 0 };
            nuint lastHint = 1;
            while (true)
            {
                var outBuf = new Interop.Zstd.Buffer { Data = dst, Size = (nuint)buffer.Length, Pos = 0 };
                nuint consumedBefore = input.Pos;
                nuint hint = Interop.Zstd.DecompressStream(_context, &outBuf, &input);
                ThrowIfError(hint);
                // A call without progress (after a frame ended exactly at a full buffer) returns the next frame's
                // header hint; it says nothing about the frame just finished.
                if (outBuf.Pos > 0 || input.Pos > consumedBefore) lastHint = hint;
                else break;
                total += (long)outBuf.Pos;
                if (total > maxSize) throw new CompressionException($"zstd data decompresses past the limit of {maxSize} bytes");
                output.Write(buffer, 0, (int)outBuf.Pos);
                if (input.Pos == input.Size && outBuf.Pos < outBuf.Size) break;
            }
            if (lastHint != 0) throw new CompressionException("zstd data is truncated (frame not complete)");
        }
    }

    /// <summary>Streams a zstd file (rosbag2 FILE compression) into another stream without loading it whole.</summary>
    public void DecompressStream(Stream input, Stream output)
    {
        Interop.Zstd.DCtxReset(_context, 1);
        byte[] inBuffer = new byte[1 << 17];
        byte[] outBuffer = new byte[1 << 17];
        nuint lastHint = 0;
        bool any = false;
        int read;
        fixed (byte* src = inBuffer)
        fixed (byte* dst = outBuffer)
        {
            while ((read = input.Read(inBuffer, 0, inBuffer.Length)) > 0)
            {
                any = true;
                var inBuf = new Interop.Zstd.Buffer { Data = src, Size = (nuint)read, Pos = 0 };
                // Call until this input is consumed and the context has flushed (output not full). Only calls that made
                // progress update the hint: a call with nothing left after a frame ended returns the next frame's header
                // size, which would make a complete stream look truncated.
                while (true)
                {
                    var outBuf = new Interop.Zstd.Buffer { Data = dst, Size = (nuint)outBuffer.Length, Pos = 0 };
                    nuint consumedBefore = inBuf.Pos;
                    nuint hint = Interop.Zstd.DecompressStream(_context, &outBuf, &inBuf);
                    ThrowIfError(hint);
                    output.Write(outBuffer, 0, (int)outBuf.Pos);
                    bool progressed = outBuf.Pos > 0 || inBuf.Pos > consumedBefore;
                    if (progressed) lastHint = hint;
                    if (inBuf.Pos == inBuf.Size && outBuf.Pos < outBuf.Size) break;
                    if (!progressed)
                    {
                        if (inBuf.Pos < inBuf.Size) throw new CompressionException("zstd made no progress on its input");
                        break;
                    }
                }
            }
        }
        if (!any) throw new CompressionException("zstd stream is empty");
        if (lastHint != 0) throw new CompressionException("zstd stream is truncated (frame not complete)");
    }

    internal static void ThrowIfError(nuint code)
    {
        if (Interop.Zstd.IsError(code) != 0)
            throw new CompressionException("zstd: " + Marshal.PtrToStringUTF8((nint)Interop.Zstd.GetErrorName(code)));
    }

    public void Dispose() => _context.Dispose();
}
