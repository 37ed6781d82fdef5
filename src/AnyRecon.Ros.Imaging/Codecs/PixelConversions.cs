using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AnyRecon.Ros.Imaging;

/// <summary>Row conversions between ROS pixel layouts and our frames. SIMD where it is a plain shuffle or widen.</summary>
internal static class PixelConversions
{
    // Byte shuffles of 16-byte blocks: 4 source pixels in, 12 RGB bytes out (the last 4 output lanes are junk that the
    // next block, or the scalar tail, overwrites; so the vector loop stops while 16 output bytes still fit).
    private static readonly Vector128<byte> s_bgrToRgb = Vector128.Create((byte)2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 15);
    private static readonly Vector128<byte> s_rgbaToRgb = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 15, 15, 15);
    private static readonly Vector128<byte> s_bgraToRgb = Vector128.Create((byte)2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 15, 15, 15, 15);

    /// <summary>Swaps R and B (bgr8 to rgb8 and back: the same permutation).</summary>
    public static void SwapRedBlue(ReadOnlySpan<byte> source, Span<byte> destination) => Shuffle3(source, destination, 3, s_bgrToRgb, 2, 1, 0);

    public static void Rgba8ToRgb8(ReadOnlySpan<byte> source, Span<byte> destination) => Shuffle3(source, destination, 4, s_rgbaToRgb, 0, 1, 2);

    public static void Bgra8ToRgb8(ReadOnlySpan<byte> source, Span<byte> destination) => Shuffle3(source, destination, 4, s_bgraToRgb, 2, 1, 0);

    private static readonly Vector128<byte> s_monoToRgb0 = Vector128.Create((byte)0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5);
    private static readonly Vector128<byte> s_monoToRgb1 = Vector128.Create((byte)5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10);
    private static readonly Vector128<byte> s_monoToRgb2 = Vector128.Create((byte)10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15);

    /// <summary>Gray replicated to R, G and B: 16 pixels in, three 16-byte shuffles out.</summary>
    public static void Mono8ToRgb8(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length * 3) throw new ArgumentException("destination too small", nameof(destination));
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte src = ref MemoryMarshal.GetReference(source);
            ref byte dst = ref MemoryMarshal.GetReference(destination);
            for (; i + 16 <= source.Length; i += 16)
            {
                var gray = Vector128.LoadUnsafe(ref src, (nuint)i);
                Vector128.Shuffle(gray, s_monoToRgb0).StoreUnsafe(ref dst, (nuint)(3 * i));
                Vector128.Shuffle(gray, s_monoToRgb1).StoreUnsafe(ref dst, (nuint)(3 * i + 16));
                Vector128.Shuffle(gray, s_monoToRgb2).StoreUnsafe(ref dst, (nuint)(3 * i + 32));
            }
        }
        for (; i < source.Length; i++)
        {
            byte v = source[i];
            destination[3 * i] = v;
            destination[3 * i + 1] = v;
            destination[3 * i + 2] = v;
        }
    }

    private static void Shuffle3(ReadOnlySpan<byte> source, Span<byte> destination, int sourceBytesPerPixel, Vector128<byte> mask, int r, int g, int b)
    {
        int pixels = source.Length / sourceBytesPerPixel;
        if (destination.Length < pixels * 3) throw new ArgumentException("destination too small", nameof(destination));
        int p = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte src = ref MemoryMarshal.GetReference(source);
            ref byte dst = ref MemoryMarshal.GetReference(destination);
            // 4 pixels per block; both the 16-byte load and the 16-byte store must stay inside the spans.
            while ((p + 4) * sourceBytesPerPixel + (16 - 4 * sourceBytesPerPixel) <= source.Length && p * 3 + 16 <= destination.Length && p + 4 <= pixels)
            {
                var block = Vector128.LoadUnsafe(ref src, (nuint)(p * sourceBytesPerPixel));
                Vector128.Shuffle(block, mask).StoreUnsafe(ref dst, (nuint)(p * 3));
                p += 4;
            }
        }
        for (; p < pixels; p++)
        {
            int s = p * sourceBytesPerPixel, d = p * 3;
            byte vr = source[s + r], vg = source[s + g], vb = source[s + b];
            destination[d] = vr;
            destination[d + 1] = vg;
            destination[d + 2] = vb;
        }
    }

    /// <summary>Scales 16-bit depth units to metres (0 stays 0 = no measurement).</summary>
    public static void Depth16ToMetres(ReadOnlySpan<ushort> source, Span<float> destination, float metresPerUnit)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too small", nameof(destination));
        int i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<ushort>.Count)
        {
            var scale = new Vector<float>(metresPerUnit);
            var sourceVectors = MemoryMarshal.Cast<ushort, Vector<ushort>>(source);
            for (int v = 0; v < sourceVectors.Length; v++, i += Vector<ushort>.Count)
            {
                Vector.Widen(sourceVectors[v], out Vector<uint> low, out Vector<uint> high);
                // Values below 65536 are the same as int, and int->float is the hardware conversion.
                (Vector.ConvertToSingle(Vector.AsVectorInt32(low)) * scale).CopyTo(destination.Slice(i));
                (Vector.ConvertToSingle(Vector.AsVectorInt32(high)) * scale).CopyTo(destination.Slice(i + Vector<uint>.Count));
            }
        }
        for (; i < source.Length; i++) destination[i] = source[i] * metresPerUnit;
    }

    /// <summary>compressed_depth_image_transport's 32FC1 decoding: depth = A / (q - B); q = 0 marks no measurement (0 m).</summary>
    public static void InverseDepthToMetres(ReadOnlySpan<ushort> quantized, Span<float> metres, float quantA, float quantB)
    {
        if (metres.Length < quantized.Length) throw new ArgumentException("destination too small", nameof(metres));
        int i = 0;
        if (Vector.IsHardwareAccelerated && quantized.Length >= Vector<ushort>.Count)
        {
            var a = new Vector<float>(quantA);
            var b = new Vector<float>(quantB);
            var sourceVectors = MemoryMarshal.Cast<ushort, Vector<ushort>>(quantized);
            for (int v = 0; v < sourceVectors.Length; v++, i += Vector<ushort>.Count)
            {
                Vector.Widen(sourceVectors[v], out Vector<uint> low, out Vector<uint> high);
                var qLow = Vector.ConvertToSingle(Vector.AsVectorInt32(low));
                var qHigh = Vector.ConvertToSingle(Vector.AsVectorInt32(high));
                // Division by (0 - B) for empty pixels is harmless: the select replaces it with 0.
                Vector.ConditionalSelect(Vector.Equals(qLow, Vector<float>.Zero), Vector<float>.Zero, a / (qLow - b)).CopyTo(metres.Slice(i));
                Vector.ConditionalSelect(Vector.Equals(qHigh, Vector<float>.Zero), Vector<float>.Zero, a / (qHigh - b)).CopyTo(metres.Slice(i + Vector<uint>.Count));
            }
        }
        for (; i < quantized.Length; i++)
        {
            ushort q = quantized[i];
            metres[i] = q == 0 ? 0f : quantA / (q - quantB);
        }
    }

    /// <summary>Metres to 16-bit units, rounded; invalid (0, NaN, negative, infinite) and out-of-range values become 0.</summary>
    public static void MetresToDepth16(ReadOnlySpan<float> source, Span<ushort> destination, float unitsPerMetre)
    {
        for (int i = 0; i < source.Length; i++)
        {
            float units = source[i] * unitsPerMetre + 0.5f;
            destination[i] = units >= 1f && units < 65536f ? (ushort)units : (ushort)0;
        }
    }

    /// <summary>Reverses the byte order of 16-bit values (big-endian rows).</summary>
    public static void ReverseEndianness(ReadOnlySpan<ushort> source, Span<ushort> destination) => BinaryPrimitives.ReverseEndianness(source, destination);

    /// <summary>Reverses the byte order of 32-bit floats (big-endian rows).</summary>
    public static void ReverseEndianness(ReadOnlySpan<float> source, Span<float> destination) =>
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, uint>(source), MemoryMarshal.Cast<float, uint>(destination));
}
