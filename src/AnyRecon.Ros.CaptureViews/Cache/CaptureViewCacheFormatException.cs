namespace AnyRecon.Ros.CaptureViews;

/// <summary>
/// A capture-view cache file that cannot be read: not our file, unknown format version, or a damaged record that is
/// not the torn tail of an interrupted append (which is dropped on open instead).
/// </summary>
public sealed class CaptureViewCacheFormatException : Exception
{
    public CaptureViewCacheFormatException(string filePath, long offset, string reason, Exception? inner = null)
        : base($"{filePath}: at byte {offset}: {reason}", inner)
    {
        FilePath = filePath;
        Offset = offset;
        Reason = reason;
    }

    public string FilePath { get; }

    /// <summary>Byte offset of the file header or record that failed.</summary>
    public long Offset { get; }

    public string Reason { get; }
}
