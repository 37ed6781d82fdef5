using System.Numerics;
using System.Text;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Voxels.Tests;

/// <summary>The PLY reader on files other tools write (ascii, big-endian, doubles); our own files are in StorageTests.</summary>
public sealed class PlyFileTests
{
    [Fact]
    public void Read_AsciiAndBinaryFiles_ReadTheSameGeometry()
    {
        using var temp = new TempDirectory();
        string ascii = temp.Combine("a.ply");
        File.WriteAllText(ascii, "ply\nformat ascii 1.0\ncomment hand written\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\n"
            + "element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0 255\n1 0 0 0\n1 1 0 0\n0 1 0 7\n4 0 1 2 3\n");
        var a = PlyFile.Read(ascii);
        Assert.Equal([new(0, 0, 0), new(1, 0, 0), new(1, 1, 0), new(0, 1, 0)], a.Positions);
        Assert.Equal([0, 1, 2, 0, 2, 3], a.Triangles); // the quad is fanned into two triangles
        Assert.Equal(255, a.Colors![0]);
        Assert.Equal(7, a.Colors[9]);
        Assert.Null(a.Normals);

        string binary = temp.Combine("b.ply");
        using (var s = File.Create(binary))
        {
            s.Write(Encoding.ASCII.GetBytes("ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty double x\nproperty double y\nproperty double z\nelement face 1\nproperty list uchar uint vertex_indices\nend_header\n"));
            foreach (double d in new double[] { 0, 0, 0, 2, 0, 0, 0, 2, 0.5 }) s.Write(BitConverter.GetBytes(d).Reverse().ToArray());
            s.WriteByte(3);
            foreach (uint i in new uint[] { 0, 1, 2 }) s.Write(BitConverter.GetBytes(i).Reverse().ToArray());
        }
        var b = PlyFile.Read(binary);
        Assert.Equal(new Vector3(0, 2, 0.5f), b.Positions[2]);
        Assert.Equal([0, 1, 2], b.Triangles);
    }

    [Fact]
    public void Read_AsciiWithExtraElementsAndLists_SkipsThem()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("extra.ply");
        // A leading camera element, a list on the vertices and a face with a non-index list must all be skipped.
        File.WriteAllText(path, "ply\r\nformat ascii 1.0\r\nelement camera 1\r\nproperty float view_px\r\nelement vertex 3\r\nproperty list uchar float tags\r\nproperty double x\r\nproperty double y\r\nproperty double z\r\n"
            + "element face 1\r\nproperty list uchar float texcoord\r\nproperty list uchar int vertex_index\r\nend_header\r\n"
            + "1.5\r\n2 9 9 -1e-3 0 0\r\n0 1 0 1.0\r\n0 0 2 0\r\n2 0.5 0.5 3 2 1 0\r\n");
        var d = PlyFile.Read(path);
        Assert.Equal([new(-0.001f, 0, 0), new(1, 0, 1), new(0, 2, 0)], d.Positions);
        Assert.Equal([2, 1, 0], d.Triangles);
    }

    [Theory]
    [InlineData("not a ply\n", "magic")]
    [InlineData("ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nend_header\n", "lacks x, y or z")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n", "declares 2 records")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n0 0        \n", "ends before")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n3 0 1 5\n", "refers to vertex")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 zero 0\n", "'zero' is not a number")]
    [InlineData("ply\nformat binary_middle_endian 1.0\nend_header\n", "unknown format")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n", "unknown property type")]
    [InlineData("ply\nformat ascii 1.0\nend_header\n", "no vertex element")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n", "ends inside the header")]
    [InlineData("ply\nformat binary_little_endian 1.0\nelement vertex 2000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n", "2000000000 records")]
    public void Read_BadFile_ThrowsNamingTheProblemAndFile(string text, string reason)
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("bad.ply");
        File.WriteAllText(path, text);
        var e = Assert.Throws<PlyFormatException>(() => PlyFile.Read(path));
        Assert.Contains(reason, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.InRange(e.Offset, 0, text.Length);
    }

    [Fact]
    public void Read_BinaryListLongerThanTheFile_ThrowsBeforeAllocating()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("list.ply");
        using (var s = File.Create(path))
        {
            s.Write(Encoding.ASCII.GetBytes("ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uint int vertex_indices\nend_header\n"));
            s.Write(new byte[12]);
            s.Write(BitConverter.GetBytes(uint.MaxValue));
            s.Write(BitConverter.GetBytes(0));
        }
        var e = Assert.Throws<PlyFormatException>(() => PlyFile.Read(path));
        Assert.Contains("does not fit", e.Message);
    }
}
