using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AnyRecon.Ros.Checksums;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), the checksum MCAP uses and
/// the voxel map's block records carry. One source compiled into each library that needs it (internal there).
/// System.IO.Hashing is not in the package feed here, so this is our own: carry-less multiply folding on x86
/// (64 bytes per step) and slice-by-8 tables elsewhere and for the tail.
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;

    // Slice-by-8 tables: s_table[k * 256 + b] is the CRC of byte b followed by k zero bytes.
    private static readonly uint[] s_table = BuildTable();

    /// <summary>CRC of <paramref name="data"/> alone.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (a finished CRC of earlier bytes, 0 for none) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (data.Length >= 128 && Pclmulqdq.IsSupported && Sse41.IsSupported)
        {
            int folded = data.Length & ~63;
            state = FoldPclmul(state, data[..folded]);
            data = data[folded..];
        }
        return ~UpdateSliced(state, data);
    }

    private static uint UpdateSliced(uint state, ReadOnlySpan<byte> data)
    {
        ref uint table = ref MemoryMarshal.GetArrayDataReference(s_table);
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ state;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            state = Unsafe.Add(ref table, 7 * 256 + (int)(lo & 0xFF))
                ^ Unsafe.Add(ref table, 6 * 256 + (int)((lo >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, 5 * 256 + (int)((lo >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, 4 * 256 + (int)(lo >> 24))
                ^ Unsafe.Add(ref table, 3 * 256 + (int)(hi & 0xFF))
                ^ Unsafe.Add(ref table, 2 * 256 + (int)((hi >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, 1 * 256 + (int)((hi >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, (int)(hi >> 24));
            data = data[8..];
        }
        foreach (byte b in data)
            state = Unsafe.Add(ref table, (int)((state ^ b) & 0xFF)) ^ (state >> 8);
        return state;
    }

    /// <summary>
    /// Folds a multiple of 64 bytes (at least 128) with PCLMULQDQ and reduces the 128-bit remainder to a 32-bit state,
    /// following Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" for the bit-reflected domain.
    /// </summary>
    private static unsafe uint FoldPclmul(uint state, ReadOnlySpan<byte> data)
    {
        // x^(4*128+32) mod P, x^(4*128-32) mod P: fold 512 bits forward.
        Vector128<ulong> k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        // x^(128+32) mod P, x^(128-32) mod P: fold 128 bits forward.
        Vector128<ulong> k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        // x^64 mod P: reduce 128 bits to 96.
        Vector128<ulong> k5 = Vector128.Create(0x0163cd6124UL, 0UL);
        // Barrett constants: P' (reflected polynomial with x^32) and mu.
        Vector128<ulong> poly = Vector128.Create(0x01db710641UL, 0x01f7011641UL);
        Vector128<ulong> mask32 = Vector128.Create(0x00000000FFFFFFFFUL, 0x00000000FFFFFFFFUL);

        fixed (byte* p = data)
        {
            byte* src = p;
            int length = data.Length;
            Vector128<ulong> x1 = Sse2.LoadVector128((ulong*)src);
            Vector128<ulong> x2 = Sse2.LoadVector128((ulong*)(src + 16));
            Vector128<ulong> x3 = Sse2.LoadVector128((ulong*)(src + 32));
            Vector128<ulong> x4 = Sse2.LoadVector128((ulong*)(src + 48));
            x1 = Sse2.Xor(x1, Vector128.CreateScalar((ulong)state));
            src += 64;
            length -= 64;

            while (length >= 64)
            {
                x1 = Fold(x1, k1k2, Sse2.LoadVector128((ulong*)src));
                x2 = Fold(x2, k1k2, Sse2.LoadVector128((ulong*)(src + 16)));
                x3 = Fold(x3, k1k2, Sse2.LoadVector128((ulong*)(src + 32)));
                x4 = Fold(x4, k1k2, Sse2.LoadVector128((ulong*)(src + 48)));
                src += 64;
                length -= 64;
            }

            // Fold the four lanes into one.
            x1 = Fold(x1, k3k4, x2);
            x1 = Fold(x1, k3k4, x3);
            x1 = Fold(x1, k3k4, x4);

            // 128 -> 64 bits.
            Vector128<ulong> t = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);
            x1 = Sse2.Xor(Sse2.ShiftRightLogical128BitLane(x1, 8), t);
            // 64 -> 32 bits.
            t = Sse2.ShiftRightLogical128BitLane(x1, 4);
            x1 = Sse2.And(x1, mask32);
            x1 = Pclmulqdq.CarrylessMultiply(x1, k5, 0x00);
            x1 = Sse2.Xor(x1, t);
            // Barrett reduction to the 32-bit remainder.
            t = Sse2.And(x1, mask32);
            t = Pclmulqdq.CarrylessMultiply(t, poly, 0x10);
            t = Sse2.And(t, mask32);
            t = Pclmulqdq.CarrylessMultiply(t, poly, 0x00);
            x1 = Sse2.Xor(x1, t);
            return Sse41.Extract(x1.AsUInt32(), 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> acc, Vector128<ulong> k, Vector128<ulong> next)
    {
        Vector128<ulong> lo = Pclmulqdq.CarrylessMultiply(acc, k, 0x00);
        Vector128<ulong> hi = Pclmulqdq.CarrylessMultiply(acc, k, 0x11);
        return Sse2.Xor(Sse2.Xor(lo, hi), next);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint b = 0; b < 256; b++)
        {
            uint c = b;
            for (int i = 0; i < 8; i++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[b] = c;
        }
        for (int k = 1; k < 8; k++)
            for (int b = 0; b < 256; b++)
                table[k * 256 + b] = (table[(k - 1) * 256 + b] >> 8) ^ table[table[(k - 1) * 256 + b] & 0xFF];
        return table;
    }

    /// <summary>Bit-at-a-time reference used by tests to check the fast paths.</summary>
    internal static uint ComputeReference(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c ^= b;
            for (int i = 0; i < 8; i++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
        }
        return ~c;
    }
}
