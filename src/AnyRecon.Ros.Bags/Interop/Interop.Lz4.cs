using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Bags;

internal static partial class Interop
{
    /// <summary>LZ4 frame API (MCAP's "lz4" chunks are LZ4 frames, not raw blocks).</summary>
    internal static unsafe partial class Lz4
    {
        internal const uint FrameVersion = 100;

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_createDecompressionContext")]
        internal static partial nuint CreateDecompressionContext(out nint dctx, uint version);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_freeDecompressionContext")]
        internal static partial nuint FreeDecompressionContext(nint dctx);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_resetDecompressionContext")]
        internal static partial void ResetDecompressionContext(SafeLz4DecompressionHandle dctx);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_decompress")]
        internal static partial nuint Decompress(SafeLz4DecompressionHandle dctx, byte* dst, nuint* dstSize, byte* src, nuint* srcSize, void* options);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_compressFrameBound")]
        internal static partial nuint CompressFrameBound(nuint srcSize, void* preferences);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_compressFrame")]
        internal static partial nuint CompressFrame(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, void* preferences);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_isError")]
        internal static partial uint IsError(nuint code);

        [LibraryImport(Libraries.Lz4, EntryPoint = "LZ4F_getErrorName")]
        internal static partial byte* GetErrorName(nuint code);
    }
}
