using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace AnyRecon.Ros.Voxels;

/// <summary>What <see cref="PlyFile.Read(string)"/> found; optional columns are null when the file lacks them.</summary>
public sealed class PlyData
{
    public required Vector3[] Positions { get; init; }
    public Vector3[]? Normals { get; init; }

    /// <summary>RGB, 3 bytes per vertex.</summary>
    public byte[]? Colors { get; init; }
    public float[]? Confidence { get; init; }
    public EvidenceChannel[]? Source { get; init; }

    /// <summary>Three vertex indices per triangle (polygons are fanned); empty for point clouds.</summary>
    public required int[] Triangles { get; init; }
}

/// <summary>A PLY file that cannot be read.</summary>
public sealed class PlyFormatException(string filePath, long offset, string message) : Exception($"{filePath} at byte {offset}: {message}")
{
    public string FilePath { get; } = filePath;
    public long Offset { get; } = offset;
}

/// <summary>
/// Binary little-endian PLY. Points: <c>x y z</c> (float), <c>red green blue</c> (uchar), <c>confidence</c> (float),
/// <c>source</c> (uchar, 0 observed, 1 generated). Meshes add <c>nx ny nz</c> per vertex and faces as
/// <c>list uchar int vertex_indices</c>. The reader accepts any binary little-endian PLY with vertex (and face) elements.
/// </summary>
public static class PlyFile
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

    private enum Scalar : byte { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 }

    private sealed record Property(string Name, string Type, string? ListCountType)
    {
        public Scalar Kind { get; } = ToScalar(Type);
        public Scalar CountKind { get; } = ListCountType is null ? Scalar.UInt8 : ToScalar(ListCountType);

        /// <summary>Vertex column this property fills, −1 for none: x y z nx ny nz red green blue confidence source.</summary>
        public int Column { get; } = Array.IndexOf(s_columns, Name);
    }

    private static readonly string[] s_columns = ["x", "y", "z", "nx", "ny", "nz", "red", "green", "blue", "confidence", "source"];

    private static Scalar ToScalar(string type) => type switch
    {
        "char" or "int8" => Scalar.Int8,
        "uchar" or "uint8" => Scalar.UInt8,
        "short" or "int16" => Scalar.Int16,
        "ushort" or "uint16" => Scalar.UInt16,
        "int" or "int32" => Scalar.Int32,
        "uint" or "uint32" => Scalar.UInt32,
        "float" or "float32" => Scalar.Float32,
        _ => Scalar.Float64,
    };

    private sealed record Element(string Name, long Count, List<Property> Properties);

    public static PlyData Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes);
        using var reader = new BinaryReader(new BufferedStream(file, ChunkBytes));
        var elements = ReadHeader(path, reader);
        long remaining() => file.Length - reader.BaseStream.Position;
        Vector3[] positions = [];
        Vector3[]? normals = null;
        byte[]? colors = null;
        float[]? confidence = null;
        EvidenceChannel[]? source = null;
        var triangles = new List<int>();
        foreach (var element in elements)
        {
            long minRecord = element.Properties.Sum(p => (long)Size(p.ListCountType ?? p.Type));
            if (element.Count < 0 || element.Count * Math.Max(1, minRecord) > remaining())
                throw new PlyFormatException(path, reader.BaseStream.Position, $"element {element.Name} declares {element.Count} records but only {remaining()} bytes remain");
            if (element.Name == "vertex")
            {
                int n = checked((int)element.Count);
                var has = element.Properties.Select(p => p.Name).ToHashSet();
                positions = new Vector3[n];
                if (has.Contains("nx")) normals = new Vector3[n];
                if (has.Contains("red")) colors = new byte[3 * n];
                if (has.Contains("confidence")) confidence = new float[n];
                if (has.Contains("source")) source = new EvidenceChannel[n];
                for (int i = 0; i < n; i++)
                {
                    foreach (var p in element.Properties)
                    {
                        if (p.ListCountType is not null) { SkipList(path, reader, p); continue; }
                        double value = ReadScalar(path, reader, p.Kind);
                        switch (p.Column)
                        {
                            case 0: positions[i].X = (float)value; break;
                            case 1: positions[i].Y = (float)value; break;
                            case 2: positions[i].Z = (float)value; break;
                            case 3: normals![i].X = (float)value; break;
                            case 4: normals![i].Y = (float)value; break;
                            case 5: normals![i].Z = (float)value; break;
                            case 6: colors![3 * i] = (byte)value; break;
                            case 7: colors![3 * i + 1] = (byte)value; break;
                            case 8: colors![3 * i + 2] = (byte)value; break;
                            case 9: confidence![i] = (float)value; break;
                            case 10: source![i] = (EvidenceChannel)(byte)value; break;
                        }
                    }
                }
            }
            else
            {
                for (long r = 0; r < element.Count; r++)
                {
                    foreach (var p in element.Properties)
                    {
                        if (p.ListCountType is null) { ReadScalar(path, reader, p.Kind); continue; }
                        long at = reader.BaseStream.Position;
                        int count = (int)ReadScalar(path, reader, p.CountKind);
                        if (count < 0 || (long)count * Size(p.Type) > remaining()) throw new PlyFormatException(path, at, $"list of {count} items does not fit");
                        bool isFace = element.Name == "face" && (p.Name is "vertex_indices" or "vertex_index");
                        int first = 0, previous = 0;
                        for (int k = 0; k < count; k++)
                        {
                            int value = (int)ReadScalar(path, reader, p.Kind);
                            if (!isFace) continue;
                            if (value < 0 || value >= positions.Length) throw new PlyFormatException(path, at, $"face refers to vertex {value} of {positions.Length}");
                            if (k == 0) first = value;
                            else if (k >= 2) { triangles.Add(first); triangles.Add(previous); triangles.Add(value); }
                            previous = value;
                        }
                    }
                }
            }
        }
        return new PlyData { Positions = positions, Normals = normals, Colors = colors, Confidence = confidence, Source = source, Triangles = triangles.ToArray() };
    }

    private static List<Element> ReadHeader(string path, BinaryReader reader)
    {
        var elements = new List<Element>();
        bool first = true;
        while (true)
        {
            long at = reader.BaseStream.Position;
            string line = ReadLine(path, reader);
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (first)
            {
                if (line != "ply") throw new PlyFormatException(path, 0, "not a PLY file (no 'ply' magic)");
                first = false;
                continue;
            }
            if (words.Length == 0 || words[0] is "comment" or "obj_info") continue;
            switch (words[0])
            {
                case "format":
                    if (words.Length < 2 || words[1] != "binary_little_endian")
                        throw new PlyFormatException(path, at, $"unsupported format '{line}' (only binary_little_endian)");
                    break;
                case "element" when words.Length == 3 && long.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out long count):
                    elements.Add(new Element(words[1], count, new List<Property>()));
                    break;
                case "property" when elements.Count > 0 && words.Length == 3 && Size(words[1]) > 0:
                    elements[^1].Properties.Add(new Property(words[2], words[1], null));
                    break;
                case "property" when elements.Count > 0 && words.Length == 5 && words[1] == "list" && Size(words[2]) > 0 && Size(words[3]) > 0:
                    elements[^1].Properties.Add(new Property(words[4], words[3], words[2]));
                    break;
                case "end_header":
                    return elements;
                default:
                    throw new PlyFormatException(path, at, $"bad header line '{line}'");
            }
        }
    }

    private static string ReadLine(string path, BinaryReader reader)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (reader.BaseStream.Position >= reader.BaseStream.Length) throw new PlyFormatException(path, reader.BaseStream.Position, "header ends before end_header");
            char c = (char)reader.ReadByte();
            if (c == '\n') return sb.ToString().TrimEnd('\r');
            if (sb.Length > 4096) throw new PlyFormatException(path, reader.BaseStream.Position, "header line longer than 4096 bytes");
            sb.Append(c);
        }
    }

    private static int Size(string type) => type switch
    {
        "char" or "uchar" or "int8" or "uint8" => 1,
        "short" or "ushort" or "int16" or "uint16" => 2,
        "int" or "uint" or "float" or "int32" or "uint32" or "float32" => 4,
        "double" or "float64" => 8,
        _ => 0,
    };

    private static double ReadScalar(string path, BinaryReader reader, Scalar type)
    {
        try
        {
            return type switch
            {
                Scalar.Int8 => reader.ReadSByte(),
                Scalar.UInt8 => reader.ReadByte(),
                Scalar.Int16 => reader.ReadInt16(),
                Scalar.UInt16 => reader.ReadUInt16(),
                Scalar.Int32 => reader.ReadInt32(),
                Scalar.UInt32 => reader.ReadUInt32(),
                Scalar.Float32 => reader.ReadSingle(),
                _ => reader.ReadDouble(),
            };
        }
        catch (EndOfStreamException)
        {
            throw new PlyFormatException(path, reader.BaseStream.Position, "file ends inside a record");
        }
    }

    private static void SkipList(string path, BinaryReader reader, Property p)
    {
        long at = reader.BaseStream.Position;
        int count = (int)ReadScalar(path, reader, p.CountKind);
        if (count < 0 || (long)count * Size(p.Type) > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new PlyFormatException(path, at, $"list of {count} items does not fit");
        for (int k = 0; k < count; k++) ReadScalar(path, reader, p.Kind);
    }
}
