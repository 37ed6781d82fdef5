namespace AnyRecon.Ros.Voxels;

/// <summary>A saved map or block store file that cannot be read: wrong magic or version, bad checksum, truncation.</summary>
public sealed class VoxelMapFormatException : Exception
{
    public VoxelMapFormatException(string filePath, long offset, string message)
        : base($"{filePath} at byte {offset}: {message}")
    {
        FilePath = filePath;
        Offset = offset;
    }

    public string FilePath { get; }

    /// <summary>Byte offset of the record or field that failed.</summary>
    public long Offset { get; }
}
