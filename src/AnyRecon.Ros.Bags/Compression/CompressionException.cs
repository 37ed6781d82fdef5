namespace AnyRecon.Ros.Bags;

/// <summary>A compressed block or file could not be decoded (corrupt data, wrong size, or the library refused it).</summary>
public sealed class CompressionException : Exception
{
    public CompressionException(string message) : base(message) { }
}
