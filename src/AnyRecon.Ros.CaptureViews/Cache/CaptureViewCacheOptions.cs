using AnyRecon.Ros.Bags;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>Settings of a <see cref="CaptureViewCache"/>. None of them changes what is kept on disk: every keyframe is.</summary>
public sealed class CaptureViewCacheOptions
{
    /// <summary>Default for <see cref="DecodedCacheBytes"/>: 256 MiB, about 200 decoded 640x480 keyframes (RGB8 + float depth).</summary>
    public const long DefaultDecodedCacheBytes = 256L << 20;

    /// <summary>Default for <see cref="DepthCompressionLevel"/>: zstd level 1, fast enough to keep up with a camera.</summary>
    public const int DefaultDepthCompressionLevel = ZstdEncoder.DefaultLevel;

    private long _decodedCacheBytes = DefaultDecodedCacheBytes;
    private int _depthCompressionLevel = DefaultDepthCompressionLevel;

    /// <summary>
    /// RAM budget of the LRU of decoded keyframes (colour bytes + 4 bytes of depth per pixel). Least recently used
    /// keyframes are dropped from RAM (never from disk) to stay within it; a keyframe larger than the whole budget is
    /// decoded for the caller but not kept. 0 disables the LRU. Default <see cref="DefaultDecodedCacheBytes"/>.
    /// </summary>
    public long DecodedCacheBytes
    {
        get => _decodedCacheBytes;
        set => _decodedCacheBytes = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be 0 or more bytes");
    }

    /// <summary>
    /// zstd level for depth (lossless at every level; higher is smaller and slower). Default
    /// <see cref="DefaultDepthCompressionLevel"/>. Affects only new keyframes; old ones decode the same.
    /// </summary>
    public int DepthCompressionLevel
    {
        get => _depthCompressionLevel;
        set => _depthCompressionLevel = value is >= -7 and <= 22 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "zstd levels run from -7 to 22");
    }

    /// <summary>
    /// Whether colour PNGs are written in libpng's fast mode (no row filters, low zlib level). Default true: at 640x480
    /// it encodes about 7 times faster (≈16 ms instead of ≈110 ms, which is most of an append) for about 20% more
    /// colour bytes; both are lossless and read the same. Affects only new keyframes.
    /// </summary>
    public bool FastColorEncoding { get; set; } = true;

    /// <summary>
    /// Whether <see cref="CaptureViewCache.Open"/> checks the image checksum of every record, not only of the last.
    /// Default false. Cost: reading the whole file at open (hundreds of kB per keyframe) instead of only the
    /// metadata; without it a damaged image is reported by <see cref="CaptureViewCache.Get"/> when first read.
    /// </summary>
    public bool VerifyImagesOnOpen { get; set; }
}
