using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Bags;

internal static partial class Interop
{
    internal static unsafe partial class Zstd
    {
        internal const ulong ContentSizeUnknown = unchecked((ulong)-1);
        internal const ulong ContentSizeError = unchecked((ulong)-2);

        [StructLayout(LayoutKind.Sequential)]
        internal struct Buffer
        {
            public byte* Data;
            public nuint Size;
            public nuint Pos;
        }

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_createDCtx")]
        internal static partial SafeZstdDecompressionHandle CreateDCtx();

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_freeDCtx")]
        internal static partial nuint FreeDCtx(nint dctx);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_decompressDCtx")]
        internal static partial nuint DecompressDCtx(SafeZstdDecompressionHandle dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_decompressStream")]
        internal static partial nuint DecompressStream(SafeZstdDecompressionHandle dctx, Buffer* output, Buffer* input);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_DCtx_reset")]
        internal static partial nuint DCtxReset(SafeZstdDecompressionHandle dctx, int resetDirective);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_getFrameContentSize")]
        internal static partial ulong GetFrameContentSize(byte* src, nuint srcSize);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_createCCtx")]
        internal static partial SafeZstdCompressionHandle CreateCCtx();

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_freeCCtx")]
        internal static partial nuint FreeCCtx(nint cctx);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_compressCCtx")]
        internal static partial nuint CompressCCtx(SafeZstdCompressionHandle cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_compressBound")]
        internal static partial nuint CompressBound(nuint srcSize);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_isError")]
        internal static partial uint IsError(nuint code);

        [LibraryImport(Libraries.Zstd, EntryPoint = "ZSTD_getErrorName")]
        internal static partial byte* GetErrorName(nuint code);
    }
}
