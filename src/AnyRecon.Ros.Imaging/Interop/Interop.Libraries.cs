namespace AnyRecon.Ros.Imaging;

internal static partial class Interop
{
    /// <summary>Sonames of the Debian runtime packages (libturbojpeg0, libpng16-16); the plain .so only ships with -dev.</summary>
    internal static class Libraries
    {
        internal const string TurboJpeg = "libturbojpeg.so.0";
        internal const string Png = "libpng16.so.16";
    }
}
