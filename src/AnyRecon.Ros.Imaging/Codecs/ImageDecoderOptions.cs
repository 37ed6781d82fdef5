namespace AnyRecon.Ros.Imaging;

/// <summary>Limits and strictness for decoding images from untrusted bytes.</summary>
public sealed class ImageDecoderOptions
{
    /// <summary>Default for <see cref="MaxPixelCount"/>: 8192 x 8192, above any RGB-D camera we expect.</summary>
    public const long DefaultMaxPixelCount = 8192L * 8192;

    private long _maxPixelCount = DefaultMaxPixelCount;

    /// <summary>
    /// Largest width x height accepted. Checked against the declared size before any buffer is allocated, so a
    /// corrupt header cannot make us allocate gigabytes. Default <see cref="DefaultMaxPixelCount"/>.
    /// </summary>
    public long MaxPixelCount
    {
        get => _maxPixelCount;
        set => _maxPixelCount = value is > 0 and <= int.MaxValue / 4
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"must be in 1..{int.MaxValue / 4} (4-byte pixels must fit one array)");
    }

    /// <summary>
    /// Whether a JPEG that libjpeg-turbo decodes only with a warning (e.g. "premature end of JPEG file", which means
    /// truncated data filled with grey) is rejected. Default true: a half-grey frame poisons the map.
    /// </summary>
    public bool RejectJpegWarnings { get; set; } = true;

    /// <summary>Default for <see cref="Depth16UnitMeters"/>: REP 118 says 16UC1 depth is in millimetres.</summary>
    public const float DefaultDepth16UnitMeters = 0.001f;

    private float _depth16UnitMeters = DefaultDepth16UnitMeters;

    /// <summary>
    /// Metres per unit of 16-bit depth (16UC1 images, 16-bit depth PNGs). Default <see cref="DefaultDepth16UnitMeters"/>
    /// (millimetres, REP 118); TUM RGB-D PNGs use 1/5000.
    /// </summary>
    public float Depth16UnitMeters
    {
        get => _depth16UnitMeters;
        set => _depth16UnitMeters = value > 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "must be a positive finite number of metres");
    }

    internal void CheckSize(long width, long height, string what)
    {
        if (width <= 0 || height <= 0)
            throw new ImageFormatException(ImageRejectionReason.ZeroSize, $"{what}: {width}x{height} is not an image size");
        if (width * height > MaxPixelCount)
            throw new ImageFormatException(ImageRejectionReason.TooLarge, $"{what}: {width}x{height} is above the limit of {MaxPixelCount} pixels");
    }
}
