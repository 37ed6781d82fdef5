using System.Buffers.Binary;
using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>Writes triangles as a binary little-endian PLY (float x y z vertices, uchar-counted int faces), the layout Open3D and MeshLab read.</summary>
public static class MeshPlyWriter
{
    public static void Write(string path, IReadOnlyList<(Vector3d A, Vector3d B, Vector3d C)> triangles)
    {
        // Neighbouring triangles share corners: index them once (as float, the precision written) to keep files small.
        var index = new Dictionary<(float, float, float), int>();
        var vertices = new List<Vector3d>();
        var faces = new int[triangles.Count * 3];
        int Vertex(Vector3d p)
        {
            var key = ((float)p.X, (float)p.Y, (float)p.Z);
            if (!index.TryGetValue(key, out int i))
            {
                i = vertices.Count;
                index[key] = i;
                vertices.Add(p);
            }
            return i;
        }
        for (int t = 0; t < triangles.Count; t++)
        {
            faces[3 * t] = Vertex(triangles[t].A);
            faces[3 * t + 1] = Vertex(triangles[t].B);
            faces[3 * t + 2] = Vertex(triangles[t].C);
        }

        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var header = System.Text.Encoding.ASCII.GetBytes(
                "ply\nformat binary_little_endian 1.0\ncomment written by AnyRecon.Ros\n" +
                $"element vertex {vertices.Count}\nproperty float x\nproperty float y\nproperty float z\n" +
                $"element face {triangles.Count}\nproperty list uchar int vertex_indices\nend_header\n");
            stream.Write(header);
            Span<byte> vertex = stackalloc byte[12];
            foreach (var v in vertices)
            {
                Put(vertex, v);
                stream.Write(vertex);
            }
            Span<byte> face = stackalloc byte[13];
            face[0] = 3;
            for (int i = 0; i < triangles.Count; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(face[1..], faces[3 * i]);
                BinaryPrimitives.WriteInt32LittleEndian(face[5..], faces[3 * i + 1]);
                BinaryPrimitives.WriteInt32LittleEndian(face[9..], faces[3 * i + 2]);
                stream.Write(face);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void Put(Span<byte> at, Vector3d p)
    {
        BinaryPrimitives.WriteSingleLittleEndian(at, (float)p.X);
        BinaryPrimitives.WriteSingleLittleEndian(at[4..], (float)p.Y);
        BinaryPrimitives.WriteSingleLittleEndian(at[8..], (float)p.Z);
    }
}
