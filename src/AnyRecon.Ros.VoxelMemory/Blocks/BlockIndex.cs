namespace AnyRecon.Ros.Voxels;

/// <summary>Integer coordinates of an 8³-voxel block: block (x, y, z) covers voxels 8x…8x+7 (and so on) of the grid.</summary>
public readonly record struct BlockIndex(int X, int Y, int Z)
{
    /// <summary>Voxels along one block edge.</summary>
    public const int Size = 8;

    /// <summary>Voxels in one block.</summary>
    public const int VoxelCount = Size * Size * Size;

    public static BlockIndex FromVoxel(int x, int y, int z) => new(x >> 3, y >> 3, z >> 3);

    /// <summary>The block containing a world point, for blocks of the given edge length.</summary>
    public static BlockIndex FromPoint(double x, double y, double z, double blockSizeMeters) =>
        new((int)Math.Floor(x / blockSizeMeters), (int)Math.Floor(y / blockSizeMeters), (int)Math.Floor(z / blockSizeMeters));

    /// <summary>Index of voxel (x, y, z) inside a block's arrays: x fastest, so the 8 voxels of a row are contiguous.</summary>
    public static int Linear(int x, int y, int z) => (z * Size + y) * Size + x;
}
