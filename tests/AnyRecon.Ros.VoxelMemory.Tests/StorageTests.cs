using AnyRecon.Ros.Checksums;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

public sealed class StorageTests
{
    private static void AssertSameVoxels(VoxelMemory expected, VoxelMemory actual)
    {
        var a = IntegrationTests.Snapshot(expected);
        var b = IntegrationTests.Snapshot(actual);
        Assert.Equal(a.Count, b.Count);
        foreach (var (key, value) in a) Assert.Equal(value, b[key]);
    }

    /// <summary>A small map with both channels: a sphere observed, a wall generated behind it.</summary>
    private static VoxelMemory MapWithBothChannels()
    {
        var memory = ExtractionTests.IntegrateSphere(0.03);
        var k = DepthRenderer.Camera(64, 48);
        var pose = DepthRenderer.LookAt(new Vector3d(0, 0, 2.5), new Vector3d(0.01, 0, 1));
        var (depth, color) = DepthRenderer.Render([new Plane(new Vector3d(0, 0, 0.5), new Vector3d(0, 0, 1))], k, pose);
        new ProjectiveTsdfIntegrator().Integrate(memory, depth, color, k, pose, EvidenceChannel.Generated);
        return memory;
    }

    [Fact]
    public void SaveLoad_MapWithBothChannels_RoundTripsEveryVoxel()
    {
        using var dir = new TempDirectory();
        using var memory = MapWithBothChannels();
        string path = dir.Combine("map.arvm");
        VoxelMapFile.Save(memory, path);
        using var loaded = VoxelMapFile.Load(path);
        Assert.Equal(memory.VoxelSizeMeters, loaded.VoxelSizeMeters);
        Assert.Equal(memory.TruncationVoxels, loaded.TruncationVoxels);
        Assert.Equal(memory.Stamp, loaded.Stamp);
        Assert.Equal(memory.BlockCount, loaded.BlockCount);
        Assert.Equal(memory.ChangedBlocksSince(memory.Stamp - 1).OrderBy(i => (i.X, i.Y, i.Z)).ToList(), loaded.ChangedBlocksSince(memory.Stamp - 1).OrderBy(i => (i.X, i.Y, i.Z)).ToList());
        AssertSameVoxels(memory, loaded);
        Assert.False(File.Exists(path + ".tmp"));
        var info = VoxelMapFile.ReadInfo(path);
        Assert.Equal(memory.BlockCount, info.BlockCount);
        Assert.Equal(new FileInfo(path).Length, info.FileBytes);
    }

    [Fact]
    public void Load_FlippedByteInBlock_ThrowsWithRecordOffset()
    {
        using var dir = new TempDirectory();
        using var memory = ExtractionTests.IntegrateSphere(0.05);
        string path = dir.Combine("map.arvm");
        VoxelMapFile.Save(memory, path);
        byte[] bytes = File.ReadAllBytes(path);
        int record = VoxelBlock.RecordLength(hasGenerated: false);
        long secondRecord = 64 + record;
        bytes[secondRecord + 1000] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<VoxelMapFormatException>(() => VoxelMapFile.Load(path));
        Assert.Equal(secondRecord, e.Offset);
        Assert.Contains("checksum", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Theory]
    [InlineData("magic", 0L)]
    [InlineData("header", 60L)]
    [InlineData("truncated", 40L)]
    [InlineData("footer", -1L)]
    [InlineData("count", 40L)]
    public void Load_DamagedFile_ThrowsTypedError(string damage, long expectedOffset)
    {
        using var dir = new TempDirectory();
        using var memory = ExtractionTests.IntegrateSphere(0.05);
        string path = dir.Combine("map.arvm");
        VoxelMapFile.Save(memory, path);
        byte[] bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "magic": bytes[0] = (byte)'X'; break;
            case "header": bytes[20] ^= 1; break;
            case "truncated": Array.Resize(ref bytes, bytes.Length - 100); break;
            case "footer": Array.Resize(ref bytes, bytes.Length - 10); break;
            case "count":
                // A huge block count with a valid header checksum must fail before allocating anything.
                BitConverter.GetBytes(long.MaxValue / 2).CopyTo(bytes, 40);
                BitConverter.GetBytes(Crc32.Compute(bytes.AsSpan(0, 60))).CopyTo(bytes, 60);
                break;
        }
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<VoxelMapFormatException>(() => VoxelMapFile.Load(path));
        if (expectedOffset >= 0) Assert.Equal(expectedOffset, e.Offset);
        else Assert.True(e.Offset > 64 && e.Offset < bytes.Length, $"offset {e.Offset}");
    }

    [Fact]
    public void Constructor_BudgetWithoutEvictionDirectory_Throws()
    {
        Assert.Throws<ArgumentException>(() => new VoxelMemory(new VoxelMemoryOptions { MaxBlocksInMemory = 1 }));
    }

    [Fact]
    public void PlyFile_PointsAndMesh_RoundTrip()
    {
        using var dir = new TempDirectory();
        using var memory = MapWithBothChannels();
        var points = SurfaceExtractor.ExtractPoints(memory);
        var mesh = SurfaceExtractor.ExtractMesh(memory);
        Assert.Contains(points, p => p.Source == EvidenceChannel.Generated);
        PlyFile.WritePoints(dir.Combine("points.ply"), points);
        PlyFile.WriteMesh(dir.Combine("mesh.ply"), mesh);

        var readPoints = PlyFile.Read(dir.Combine("points.ply"));
        Assert.Equal(points.Count, readPoints.Positions.Length);
        Assert.Empty(readPoints.Triangles);
        for (int i = 0; i < points.Count; i++)
        {
            Assert.Equal(points[i].Position, readPoints.Positions[i]);
            Assert.Equal(points[i].Confidence, readPoints.Confidence![i]);
            Assert.Equal(points[i].Source, readPoints.Source![i]);
            Assert.Equal(points[i].G, readPoints.Colors![3 * i + 1]);
        }
        var readMesh = PlyFile.Read(dir.Combine("mesh.ply"));
        Assert.Equal(mesh.Indices, readMesh.Triangles);
        Assert.Equal(mesh.Vertices.Select(v => v.Normal), readMesh.Normals!);
    }

    [Fact]
    public void PlyFile_Truncated_ThrowsTypedError()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("p.ply");
        PlyFile.WritePoints(path, [new SurfacePoint(default, default, 1, 2, 3, 1, EvidenceChannel.Observed), new SurfacePoint(default, default, 1, 2, 3, 1, EvidenceChannel.Observed)]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Assert.Throws<PlyFormatException>(() => PlyFile.Read(path));
        Assert.Contains("2 records", e.Message);
        File.WriteAllBytes(path, "ply\nformat ascii 1.0\nend_header\n"u8.ToArray());
        Assert.Throws<PlyFormatException>(() => PlyFile.Read(path));
    }
}
