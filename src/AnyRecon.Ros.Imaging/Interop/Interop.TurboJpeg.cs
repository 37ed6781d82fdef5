using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Imaging;

internal static partial class Interop
{
    /// <summary>TurboJPEG 2.x API (Debian 12 ships libjpeg-turbo 2.1). <c>unsigned long</c> is 64-bit on Linux x64, hence nuint.</summary>
    internal static unsafe partial class TurboJpeg
    {
        internal const int PixelFormatRgb = 0;   // TJPF_RGB
        internal const int PixelFormatGray = 6;  // TJPF_GRAY
        internal const int Subsampling444 = 0;   // TJSAMP_444
        internal const int Subsampling420 = 2;   // TJSAMP_420
        internal const int SubsamplingGray = 3;  // TJSAMP_GRAY
        internal const int FlagAccurateDct = 4096;   // TJFLAG_ACCURATEDCT
        internal const int FlagStopOnWarning = 8192; // TJFLAG_STOPONWARNING
        internal const int ErrorWarning = 0;     // TJERR_WARNING

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjInitDecompress")]
        internal static partial SafeTurboJpegHandle InitDecompress();

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjInitCompress")]
        internal static partial SafeTurboJpegHandle InitCompress();

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjDestroy")]
        internal static partial int Destroy(nint handle);

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjDecompressHeader3")]
        internal static partial int DecompressHeader3(SafeTurboJpegHandle handle, byte* jpegBuf, nuint jpegSize,
            int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjDecompress2")]
        internal static partial int Decompress2(SafeTurboJpegHandle handle, byte* jpegBuf, nuint jpegSize,
            byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjCompress2")]
        internal static partial int Compress2(SafeTurboJpegHandle handle, byte* srcBuf, int width, int pitch, int height,
            int pixelFormat, byte** jpegBuf, nuint* jpegSize, int jpegSubsamp, int jpegQual, int flags);

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjFree")]
        internal static partial void Free(byte* buffer);

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
        internal static partial byte* GetErrorStr2(SafeTurboJpegHandle handle);

        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjGetErrorCode")]
        internal static partial int GetErrorCode(SafeTurboJpegHandle handle);
    }
}
