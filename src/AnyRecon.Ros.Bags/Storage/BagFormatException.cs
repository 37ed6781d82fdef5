namespace AnyRecon.Ros.Bags;

/// <summary>A bag file is corrupt, truncated or not what it claims to be. Names the file and the byte offset of the damage.</summary>
public sealed class BagFormatException : Exception
{
    public BagFormatException(string filePath, long offset, string reason, Exception? inner = null)
        : base($"{filePath}: at byte {offset}: {reason}", inner)
    {
        FilePath = filePath;
        Offset = offset;
        Reason = reason;
    }

    public string FilePath { get; }

    /// <summary>Byte offset in the file where the problem was found (-1 when it has no position, e.g. a bad metadata.yaml key).</summary>
    public long Offset { get; }

    public string Reason { get; }
}
