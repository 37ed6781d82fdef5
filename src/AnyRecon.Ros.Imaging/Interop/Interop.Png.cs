using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Imaging;

internal static partial class Interop
{
    /// <summary>
    /// libpng's simplified API (png.h "simplified API"). The classic API reports errors with longjmp, which must not
    /// unwind through .NET frames; the simplified API catches them inside libpng and returns 0 with a message.
    /// </summary>
    internal static unsafe partial class Png
    {
        internal const uint ImageVersion = 1;         // PNG_IMAGE_VERSION
        internal const uint FormatFlagAlpha = 0x01;   // PNG_FORMAT_FLAG_ALPHA
        internal const uint FormatFlagColor = 0x02;   // PNG_FORMAT_FLAG_COLOR
        internal const uint FormatFlagLinear = 0x04;  // PNG_FORMAT_FLAG_LINEAR: 16-bit samples
        internal const uint FormatGray = 0;
        internal const uint FormatRgb = FormatFlagColor;
        internal const uint ImageFlagFast = 0x02;     // PNG_IMAGE_FLAG_FAST: no filtering, fast zlib level
        internal const uint FormatLinearY = FormatFlagLinear;

        /// <summary>png_image (libpng 1.6): opaque pointer, then version .. warning_or_error, then char message[64].</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Image
        {
            public nint Opaque;
            public uint Version;
            public uint Width;
            public uint Height;
            public uint Format;
            public uint Flags;
            public uint ColormapEntries;
            public uint WarningOrError;
            public fixed byte Message[64];
        }

        [LibraryImport(Libraries.Png, EntryPoint = "png_image_begin_read_from_memory")]
        internal static partial int ImageBeginReadFromMemory(Image* image, byte* memory, nuint size);

        [LibraryImport(Libraries.Png, EntryPoint = "png_image_finish_read")]
        internal static partial int ImageFinishRead(Image* image, void* background, void* buffer, int rowStride, void* colormap);

        [LibraryImport(Libraries.Png, EntryPoint = "png_image_free")]
        internal static partial void ImageFree(Image* image);

        [LibraryImport(Libraries.Png, EntryPoint = "png_image_write_to_memory")]
        internal static partial int ImageWriteToMemory(Image* image, void* memory, nuint* memoryBytes, int convertTo8Bit,
            void* buffer, int rowStride, void* colormap);
    }
}
