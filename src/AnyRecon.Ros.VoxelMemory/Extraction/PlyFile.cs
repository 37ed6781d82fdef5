using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// PLY files. We write binary little-endian. Points: <c>x y z</c> (float), <c>red green blue</c> (uchar),
/// <c>confidence</c> (float), <c>source</c> (uchar, 0 observed, 1 generated). Meshes add <c>nx ny nz</c> per vertex
/// and faces as <c>list uchar int vertex_indices</c>. The reader (PlyFile.Reader.cs) takes any ascii or binary PLY
/// with a vertex element (and faces), which is what <c>eval</c> needs for other tools' maps and meshes.
/// </summary>
public static partial class PlyFile
{
    private const int ChunkBytes = 1 << 16;

    public static void WritePoints(string path, IReadOnlyList<SurfacePoint> points) => WriteAtomically(path, s => WritePoints(s, points));

    public static void WriteMesh(string path, TriangleMesh mesh) => WriteAtomically(path, s => WriteMesh(s, mesh));

    public static void WritePoints(Stream stream, IReadOnlyList<SurfacePoint> points)
    {
        WriteHeader(stream, $"element vertex {points.Count}\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nproperty float confidence\nproperty uchar source\n");
        WriteRecords(stream, points.Count, 20, (i, d) =>
        {
            var p = points[i];
            WriteVector(d, p.Position);
            d[12] = p.R; d[13] = p.G; d[14] = p.B;
            BinaryPrimitives.WriteSingleLittleEndian(d[15..], p.Confidence);
            d[19] = (byte)p.Source;
        });
    }

    public static void WriteMesh(Stream stream, TriangleMesh mesh)
    {
        var v = mesh.Vertices;
        var idx = mesh.Indices;
        WriteHeader(stream, $"element vertex {v.Length}\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\nproperty float ny\nproperty float nz\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nproperty float confidence\nproperty uchar source\nelement face {mesh.TriangleCount}\nproperty list uchar int vertex_indices\n");
        WriteRecords(stream, v.Length, 32, (i, d) =>
        {
            var p = v[i];
            WriteVector(d, p.Position);
            WriteVector(d[12..], p.Normal);
            d[24] = p.R; d[25] = p.G; d[26] = p.B;
            BinaryPrimitives.WriteSingleLittleEndian(d[27..], p.Confidence);
            d[31] = (byte)p.Source;
        });
        WriteRecords(stream, mesh.TriangleCount, 13, (t, d) =>
        {
            d[0] = 3;
            BinaryPrimitives.WriteInt32LittleEndian(d[1..], idx[3 * t]);
            BinaryPrimitives.WriteInt32LittleEndian(d[5..], idx[3 * t + 1]);
            BinaryPrimitives.WriteInt32LittleEndian(d[9..], idx[3 * t + 2]);
        });
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, ChunkBytes))
        {
            write(file);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteHeader(Stream stream, string elements) =>
        stream.Write(Encoding.ASCII.GetBytes("ply\nformat binary_little_endian 1.0\ncomment AnyRecon voxel memory\n" + elements + "end_header\n"));

    private static void WriteVector(Span<byte> d, Vector3 v)
    {
        BinaryPrimitives.WriteSingleLittleEndian(d, v.X);
        BinaryPrimitives.WriteSingleLittleEndian(d[4..], v.Y);
        BinaryPrimitives.WriteSingleLittleEndian(d[8..], v.Z);
    }

    private delegate void RecordWriter(int index, Span<byte> destination);

    private static void WriteRecords(Stream stream, int count, int recordBytes, RecordWriter write)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / recordBytes;
            for (int start = 0; start < count; start += perChunk)
            {
                int n = Math.Min(perChunk, count - start);
                for (int i = 0; i < n; i++) write(start + i, buffer.AsSpan(i * recordBytes, recordBytes));
                stream.Write(buffer, 0, n * recordBytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
