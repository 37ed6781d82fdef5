namespace AnyRecon.Ros.Imaging;

/// <summary>The sensor_msgs/Image encodings we read and write (sensor_msgs/image_encodings.hpp spelling).</summary>
public static class RosImageEncodings
{
    public const string Rgb8 = "rgb8";
    public const string Bgr8 = "bgr8";
    public const string Rgba8 = "rgba8";
    public const string Bgra8 = "bgra8";
    public const string Mono8 = "mono8";
    public const string Depth16UC1 = "16UC1";
    public const string Depth32FC1 = "32FC1";

    /// <summary>Bytes per pixel of a colour encoding we decode, or 0.</summary>
    public static int ColorBytesPerPixel(string encoding) => encoding switch
    {
        Rgb8 or Bgr8 => 3,
        Rgba8 or Bgra8 => 4,
        Mono8 => 1,
        _ => 0,
    };

    /// <summary>Bytes per pixel of a depth encoding we decode, or 0.</summary>
    public static int DepthBytesPerPixel(string encoding) => encoding switch
    {
        Depth16UC1 => 2,
        Depth32FC1 => 4,
        _ => 0,
    };

    public static bool IsColor(string encoding) => ColorBytesPerPixel(encoding) != 0;

    public static bool IsDepth(string encoding) => DepthBytesPerPixel(encoding) != 0;
}

/// <summary>The image codec named by a CompressedImage format string.</summary>
public enum CompressedCodec
{
    /// <summary>The format string names no codec we know.</summary>
    Unknown,
    Jpeg,
    Png,
    /// <summary>compressed_depth_image_transport's RVL run-length coding of 16-bit depth.</summary>
    Rvl,
}

/// <summary>
/// A parsed CompressedImage format, as image_transport plugins write it: compressed_image_transport writes
/// "ENCODING; jpeg compressed TARGET" (e.g. "rgb8; jpeg compressed bgr8"), older publishers just "jpeg" or "png";
/// compressed_depth_image_transport writes "ENCODING; compressedDepth png" (older: "ENCODING; compressedDepth").
/// </summary>
/// <param name="Encoding">The raw image's encoding before compression, or "" when the string does not say.</param>
/// <param name="Codec">The codec of the data.</param>
/// <param name="IsCompressedDepth">True for compressed_depth_image_transport data (12-byte ConfigHeader, then the image).</param>
public readonly record struct CompressedFormat(string Encoding, CompressedCodec Codec, bool IsCompressedDepth)
{
    public static CompressedFormat Parse(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        int semicolon = format.IndexOf(';');
        string encoding = semicolon < 0 ? "" : format[..semicolon].Trim();
        string rest = (semicolon < 0 ? format : format[(semicolon + 1)..]).Trim();
        if (rest.StartsWith("compressedDepth", StringComparison.Ordinal))
        {
            string codec = rest["compressedDepth".Length..].Trim();
            return new CompressedFormat(encoding, codec.Length == 0 ? CompressedCodec.Png : ParseCodec(codec), true);
        }
        // Legacy compressedDepth: the format was only the raw encoding and the data PNG.
        if (semicolon < 0 && RosImageEncodings.IsDepth(rest)) return new CompressedFormat(rest, CompressedCodec.Png, true);
        int space = rest.IndexOf(' ');
        return new CompressedFormat(encoding, ParseCodec(space < 0 ? rest : rest[..space]), false);
    }

    private static CompressedCodec ParseCodec(string word) => word.ToLowerInvariant() switch
    {
        "jpeg" or "jpg" => CompressedCodec.Jpeg,
        "png" => CompressedCodec.Png,
        "rvl" => CompressedCodec.Rvl,
        _ => CompressedCodec.Unknown,
    };
}
