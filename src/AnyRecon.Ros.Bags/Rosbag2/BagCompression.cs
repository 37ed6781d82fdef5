namespace AnyRecon.Ros.Bags;

/// <summary>rosbag2 compression modes (metadata.yaml <c>compression_mode</c>).</summary>
public enum BagCompressionMode
{
    /// <summary>Nothing is compressed.</summary>
    None,

    /// <summary>Each finished storage file is compressed whole (<c>.db3.zstd</c>).</summary>
    File,

    /// <summary>Each message payload is a zstd frame inside an ordinary storage file.</summary>
    Message,
}

internal static class BagCompression
{
    public const string Zstd = "zstd";
    public const string ZstdExtension = ".zstd";

    /// <summary>The first bytes of every zstd frame (RFC 8878); no CDR payload starts with them.</summary>
    public static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xB5, 0x2F, 0xFD];

    public static string ToMetadataString(BagCompressionMode mode) => mode switch
    {
        BagCompressionMode.None => "",
        BagCompressionMode.File => "FILE",
        BagCompressionMode.Message => "MESSAGE",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Reads metadata's compression fields; throws naming <paramref name="sourcePath"/> for modes or formats we cannot decode.</summary>
    public static BagCompressionMode Parse(string mode, string format, string sourcePath)
    {
        BagCompressionMode result = mode.ToUpperInvariant() switch
        {
            "" or "NONE" => BagCompressionMode.None,
            "FILE" => BagCompressionMode.File,
            "MESSAGE" => BagCompressionMode.Message,
            _ => throw new BagFormatException(sourcePath, -1, $"compression mode '{mode}' is not supported (known: FILE, MESSAGE)"),
        };
        if (result != BagCompressionMode.None && !string.Equals(format, Zstd, StringComparison.OrdinalIgnoreCase))
            throw new BagFormatException(sourcePath, -1, $"compression format '{format}' is not supported (only {Zstd})");
        return result;
    }
}
