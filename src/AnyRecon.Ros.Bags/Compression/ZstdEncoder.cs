namespace AnyRecon.Ros.Bags;

/// <summary>Compresses whole buffers to single zstd frames through Debian's libzstd; not thread-safe.</summary>
public sealed unsafe class ZstdEncoder : IDisposable
{
    /// <summary>Level 1 matches rosbag2's default speed/size trade-off for recording.</summary>
    public const int DefaultLevel = 1;

    private readonly SafeZstdCompressionHandle _context;
    private readonly int _level;

    public ZstdEncoder(int level = DefaultLevel)
    {
        if (level is < -7 or > 22) throw new ArgumentOutOfRangeException(nameof(level), level, "zstd levels run from -7 to 22");
        _level = level;
        _context = Interop.Zstd.CreateCCtx();
        if (_context.IsInvalid) throw new CompressionException("ZSTD_createCCtx failed");
    }

    public static int GetMaxCompressedLength(int sourceLength) => checked((int)Interop.Zstd.CompressBound((nuint)sourceLength));

    /// <summary>Compresses into <paramref name="destination"/> (size it with <see cref="GetMaxCompressedLength"/>); returns bytes written.</summary>
    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint written = Interop.Zstd.CompressCCtx(_context, dst, (nuint)destination.Length, src, (nuint)source.Length, _level);
            ZstdDecoder.ThrowIfError(written);
            return (int)written;
        }
    }

    public byte[] Compress(ReadOnlySpan<byte> source)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(GetMaxCompressedLength(source.Length));
        int n = Compress(source, buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    public void Dispose() => _context.Dispose();
}
