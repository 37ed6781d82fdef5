namespace AnyRecon.Ros.Imaging;

/// <summary>Why an image was rejected; the pipeline counts frames by this.</summary>
public enum ImageRejectionReason
{
    /// <summary>Not rejected.</summary>
    None = 0,
    /// <summary>Width or height is zero.</summary>
    ZeroSize,
    /// <summary>Width x height is above <see cref="ImageDecoderOptions.MaxPixelCount"/>.</summary>
    TooLarge,
    /// <summary>The encoding (or compressed format string) is not one we decode.</summary>
    UnknownEncoding,
    /// <summary>The row step is smaller than width x bytes per pixel.</summary>
    StepTooSmall,
    /// <summary>The data is shorter than step x height.</summary>
    DataShorterThanStep,
    /// <summary>Compressed bytes that the codec cannot decode (corrupt, truncated, wrong magic).</summary>
    CorruptData,
    /// <summary>A valid image of the wrong kind, e.g. a colour PNG where a 16-bit depth PNG is required.</summary>
    WrongPixelFormat,
    /// <summary>Depth and colour of one frame differ in size.</summary>
    SizeMismatch,
}

/// <summary>An image that cannot be decoded or encoded; <see cref="Reason"/> says why in a countable form.</summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException(ImageRejectionReason reason, string message) : base(message) => Reason = reason;

    public ImageFormatException(ImageRejectionReason reason, string message, Exception inner) : base(message, inner) => Reason = reason;

    public ImageRejectionReason Reason { get; }
}

/// <summary>A rejected image: the countable reason and the message for the log.</summary>
public readonly record struct ImageRejection(ImageRejectionReason Reason, string Message)
{
    public static ImageRejection None => default;

    public bool IsRejected => Reason != ImageRejectionReason.None;
}
