namespace AnyRecon.Ros.Bags;

/// <summary>Settings of <see cref="BagReader"/>.</summary>
public sealed class BagReaderOptions
{
    /// <summary>Default for <see cref="MaxMessageBytes"/>: 1 GiB, sqlite's own default limit on a blob.</summary>
    public const int DefaultMaxMessageBytes = 1 << 30;

    private int _maxMessageBytes = DefaultMaxMessageBytes;

    /// <summary>
    /// Largest decompressed message accepted in MESSAGE compression mode; a frame declaring more is reported as corrupt
    /// before anything is allocated. Default <see cref="DefaultMaxMessageBytes"/>.
    /// </summary>
    public int MaxMessageBytes
    {
        get => _maxMessageBytes;
        set => _maxMessageBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    }

    /// <summary>
    /// Where FILE-compressed storage files are decompressed (a private sub-folder is created and deleted on dispose).
    /// Null (default) uses <see cref="Path.GetTempPath"/>. Needs room for the uncompressed files.
    /// </summary>
    public string? TempDirectory { get; set; }
}
