namespace AnyRecon.Ros.Bags;

internal static partial class Interop
{
    /// <summary>Sonames of the Debian runtime packages (libzstd1, liblz4-1); the plain .so only ships with -dev.</summary>
    internal static class Libraries
    {
        internal const string Zstd = "libzstd.so.1";
        internal const string Lz4 = "liblz4.so.1";
    }
}
