using System.Buffers.Binary;
using AnyRecon.Ros.Checksums;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>
/// Byte layout of the data file (all little-endian). File header (16 bytes): "ARCVCACH", u32 format version, u32
/// CRC-32 of the first 12 bytes. Then one record per keyframe, back to back:
/// <code>
/// header  (36) magic "ARKF" u32 | version u16 | flags u16 (0) | id i64 | metaLength u32 | imageLength u32
///              | metaCrc u32 | imageCrc u32 | headerCrc u32 (over the 32 bytes before it)
/// meta         stamp i64 | width i32 | height i32 | fx fy cx cy f64 | qx qy qz qw f64 | tx ty tz f64
///              | pngLength i32 | depthLength i32 | blockCount i32 | blockCount × (x y z i32)
/// images       colour PNG (pngLength) | depth float32 metres, row-major, zstd (depthLength)
/// </code>
/// The record's checksum is split in two so that opening reads only headers and metadata (which must be in RAM
/// anyway) and the images are checked when decoded; the header CRC covers the lengths, so a flipped length can never
/// be mistaken for a torn tail.
/// </summary>
internal static class KeyframeRecord
{
    public const int FileHeaderSize = 16;
    public const uint FileVersion = 1;
    public const int HeaderSize = 36;
    public const uint Magic = 0x464B5241; // "ARKF"
    public const ushort RecordVersion = 1;
    public const int MetaFixedSize = 8 + 8 + 4 * 8 + 7 * 8 + 3 * 4;
    public const int BlockSize = 12;

    /// <summary>Metadata larger than this is damage, not a keyframe (it would be 5 million observed blocks).</summary>
    public const int MaxMetaLength = 64 << 20;

    /// <summary>Largest image side accepted from a file; keeps width × height × 4 within one array.</summary>
    public const int MaxImageSide = 16384;

    public static ReadOnlySpan<byte> FileMagic => "ARCVCACH"u8;

    public static void WriteFileHeader(Span<byte> destination)
    {
        FileMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], FileVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Crc32.Compute(destination[..12]));
    }

    /// <summary>Null when the header is ours and current, else why not.</summary>
    public static string? CheckFileHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..8].SequenceEqual(FileMagic)) return "not a capture-view cache file (magic is not \"ARCVCACH\")";
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32.Compute(header[..12])) return "file header checksum mismatch";
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != FileVersion) return $"capture-view cache format version {version}; this build reads version {FileVersion}";
        return null;
    }

    public readonly record struct Header(ushort Version, long Id, uint MetaLength, uint ImageLength, uint MetaCrc, uint ImageCrc)
    {
        public long RecordLength => HeaderSize + (long)MetaLength + ImageLength;
    }

    public static void WriteHeader(Span<byte> destination, in Header header)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], header.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], header.Id);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], header.MetaLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], header.ImageLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], header.MetaCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], header.ImageCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], Crc32.Compute(destination[..32]));
    }

    /// <summary>False when the magic or header checksum is wrong (damage or garbage); the version is not judged here.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out Header header)
    {
        header = default;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[32..]) != Crc32.Compute(source[..32])) return false;
        header = new Header(
            BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[28..]));
        return true;
    }

    public static int MetaLength(int blockCount) => checked(MetaFixedSize + blockCount * BlockSize);

    public static void WriteMeta(Span<byte> destination, long stampNs, PinholeIntrinsics intrinsics, RigidTransform worldFromCamera,
        int pngLength, int depthLength, ReadOnlySpan<BlockIndex> blocks)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, stampNs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], intrinsics.Width);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], intrinsics.Height);
        int at = 16;
        foreach (double value in (ReadOnlySpan<double>)[
            intrinsics.Fx, intrinsics.Fy, intrinsics.Cx, intrinsics.Cy,
            worldFromCamera.Rotation.X, worldFromCamera.Rotation.Y, worldFromCamera.Rotation.Z, worldFromCamera.Rotation.W,
            worldFromCamera.Translation.X, worldFromCamera.Translation.Y, worldFromCamera.Translation.Z])
        {
            BinaryPrimitives.WriteDoubleLittleEndian(destination[at..], value);
            at += 8;
        }
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], pngLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(at + 4)..], depthLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(at + 8)..], blocks.Length);
        at += 12;
        foreach (var block in blocks)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[at..], block.X);
            BinaryPrimitives.WriteInt32LittleEndian(destination[(at + 4)..], block.Y);
            BinaryPrimitives.WriteInt32LittleEndian(destination[(at + 8)..], block.Z);
            at += BlockSize;
        }
    }

    /// <summary>Parses checksum-verified metadata; null problem on success.</summary>
    public static KeyframeInfo? TryReadMeta(ReadOnlySpan<byte> meta, long id, uint imageLength, out int pngLength, out int depthLength, out string? problem)
    {
        pngLength = depthLength = 0;
        if (meta.Length < MetaFixedSize) { problem = $"metadata is {meta.Length} bytes, less than the fixed {MetaFixedSize}"; return null; }
        long stamp = BinaryPrimitives.ReadInt64LittleEndian(meta);
        int width = BinaryPrimitives.ReadInt32LittleEndian(meta[8..]);
        int height = BinaryPrimitives.ReadInt32LittleEndian(meta[12..]);
        Span<double> v = stackalloc double[11];
        for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadDoubleLittleEndian(meta[(16 + 8 * i)..]);
        int at = 16 + 8 * 11;
        pngLength = BinaryPrimitives.ReadInt32LittleEndian(meta[at..]);
        depthLength = BinaryPrimitives.ReadInt32LittleEndian(meta[(at + 4)..]);
        int blockCount = BinaryPrimitives.ReadInt32LittleEndian(meta[(at + 8)..]);
        at += 12;
        if (width is <= 0 or > MaxImageSide || height is <= 0 or > MaxImageSide) { problem = $"image size {width}x{height} is out of range"; return null; }
        if (pngLength < 0 || depthLength < 0 || (long)pngLength + depthLength != imageLength)
        { problem = $"image lengths {pngLength} + {depthLength} do not add up to the record's {imageLength}"; return null; }
        if (blockCount < 0 || (long)blockCount * BlockSize != meta.Length - at)
        { problem = $"block count {blockCount} does not match the {meta.Length - at} bytes left in the metadata"; return null; }
        var blocks = new BlockIndex[blockCount];
        for (int i = 0; i < blocks.Length; i++, at += BlockSize)
            blocks[i] = new BlockIndex(
                BinaryPrimitives.ReadInt32LittleEndian(meta[at..]),
                BinaryPrimitives.ReadInt32LittleEndian(meta[(at + 4)..]),
                BinaryPrimitives.ReadInt32LittleEndian(meta[(at + 8)..]));
        problem = null;
        return new KeyframeInfo(id, stamp, new PinholeIntrinsics(width, height, v[0], v[1], v[2], v[3]),
            new RigidTransform(new QuaternionD(v[4], v[5], v[6], v[7]), new Vector3d(v[8], v[9], v[10])), Array.AsReadOnly(blocks));
    }
}
