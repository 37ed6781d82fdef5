using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace AnyRecon.Ros.Evaluation;

/// <summary>Vertices (and triangles, when the file has faces) read from a PLY file.</summary>
public sealed record PlyGeometry(Vector3[] Vertices, int[] TriangleIndices)
{
    public int TriangleCount => TriangleIndices.Length / 3;
}

/// <summary>A PLY file is malformed or uses something this reader does not (it names the file and what).</summary>
public sealed class PlyFormatException(string path, string reason) : Exception($"{path}: {reason}");

/// <summary>
/// Reads the vertex positions and faces of PLY files: ascii, binary_little_endian and binary_big_endian, any extra
/// vertex properties (colour, normals, confidence) skipped, polygon faces fanned into triangles.
/// </summary>
public static class PlyReader
{
    /// <summary>Upper bound on element counts accepted from a header before anything is allocated.</summary>
    public const long MaxElements = 500_000_000;

    private sealed record Property(string Name, string Type, string? ListCountType);

    private sealed record Element(string Name, long Count, List<Property> Properties);

    public static PlyGeometry Read(string path)
    {
        try
        {
            return ReadFile(path);
        }
        catch (EndOfStreamException)
        {
            throw new PlyFormatException(path, "file ends before all elements were read");
        }
    }

    private static PlyGeometry ReadFile(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        var (format, elements) = ReadHeader(stream, path);
        var vertices = Array.Empty<Vector3>();
        var triangles = new List<int>();
        foreach (var element in elements)
        {
            if (element.Count > MaxElements) throw new PlyFormatException(path, $"element '{element.Name}' claims {element.Count} entries");
            if (element.Name == "vertex") vertices = ReadVertices(stream, path, format, element);
            else if (element.Name == "face") ReadFaces(stream, path, format, element, triangles);
            else Skip(stream, path, format, element);
        }
        foreach (int index in triangles)
            if ((uint)index >= (uint)vertices.Length) throw new PlyFormatException(path, $"face refers to vertex {index} of {vertices.Length}");
        return new PlyGeometry(vertices, triangles.ToArray());
    }

    private static (string Format, List<Element> Elements) ReadHeader(Stream stream, string path)
    {
        if (ReadLine(stream, path) != "ply") throw new PlyFormatException(path, "not a PLY file (no 'ply' magic)");
        string format = "";
        var elements = new List<Element>();
        while (true)
        {
            string line = ReadLine(stream, path);
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || parts[0] is "comment" or "obj_info") continue;
            switch (parts[0])
            {
                case "format":
                    format = parts.Length > 1 ? parts[1] : "";
                    if (format is not ("ascii" or "binary_little_endian" or "binary_big_endian")) throw new PlyFormatException(path, $"unknown format '{format}'");
                    break;
                case "element":
                    if (parts.Length < 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                        throw new PlyFormatException(path, $"bad element line '{line}'");
                    elements.Add(new Element(parts[1], count, []));
                    break;
                case "property":
                    if (elements.Count == 0) throw new PlyFormatException(path, "property before any element");
                    if (parts.Length >= 5 && parts[1] == "list") elements[^1].Properties.Add(new Property(parts[4], parts[3], parts[2]));
                    else if (parts.Length >= 3) elements[^1].Properties.Add(new Property(parts[2], parts[1], null));
                    else throw new PlyFormatException(path, $"bad property line '{line}'");
                    break;
                case "end_header":
                    if (format.Length == 0) throw new PlyFormatException(path, "no format line");
                    return (format, elements);
                default:
                    throw new PlyFormatException(path, $"unknown header line '{line}'");
            }
        }
    }

    private static string ReadLine(Stream stream, string path)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0) throw new PlyFormatException(path, "file ends inside the header");
            if (b == '\n') return sb.ToString().TrimEnd('\r');
            if (sb.Length > 4096) throw new PlyFormatException(path, "header line longer than 4096 bytes");
            sb.Append((char)b);
        }
    }

    private static Vector3[] ReadVertices(Stream stream, string path, string format, Element element)
    {
        int ix = element.Properties.FindIndex(p => p.Name == "x"), iy = element.Properties.FindIndex(p => p.Name == "y"), iz = element.Properties.FindIndex(p => p.Name == "z");
        if (ix < 0 || iy < 0 || iz < 0) throw new PlyFormatException(path, "vertex element lacks x, y or z");
        var result = new Vector3[element.Count];
        var values = new double[element.Properties.Count];
        var tokens = format == "ascii" ? new AsciiTokens(stream, path) : null;
        for (long i = 0; i < element.Count; i++)
        {
            for (int p = 0; p < element.Properties.Count; p++)
            {
                var property = element.Properties[p];
                if (property.ListCountType is not null)
                {
                    long n = (long)ReadScalar(stream, path, format, property.ListCountType, tokens);
                    for (long k = 0; k < n; k++) ReadScalar(stream, path, format, property.Type, tokens);
                    continue;
                }
                values[p] = ReadScalar(stream, path, format, property.Type, tokens);
            }
            result[i] = new Vector3((float)values[ix], (float)values[iy], (float)values[iz]);
        }
        return result;
    }

    private static void ReadFaces(Stream stream, string path, string format, Element element, List<int> triangles)
    {
        var tokens = format == "ascii" ? new AsciiTokens(stream, path) : null;
        Span<int> polygon = stackalloc int[64];
        for (long i = 0; i < element.Count; i++)
        {
            foreach (var property in element.Properties)
            {
                if (property.ListCountType is null) { ReadScalar(stream, path, format, property.Type, tokens); continue; }
                long n = (long)ReadScalar(stream, path, format, property.ListCountType, tokens);
                if (n > polygon.Length) throw new PlyFormatException(path, $"face {i} has {n} vertices (at most {polygon.Length} supported)");
                for (int k = 0; k < n; k++) polygon[k] = (int)ReadScalar(stream, path, format, property.Type, tokens);
                if (property.Name is not ("vertex_indices" or "vertex_index")) continue;
                for (int k = 1; k + 1 < n; k++)
                {
                    triangles.Add(polygon[0]);
                    triangles.Add(polygon[k]);
                    triangles.Add(polygon[k + 1]);
                }
            }
        }
    }

    private static void Skip(Stream stream, string path, string format, Element element)
    {
        var tokens = format == "ascii" ? new AsciiTokens(stream, path) : null;
        for (long i = 0; i < element.Count; i++)
            foreach (var property in element.Properties)
            {
                if (property.ListCountType is null) { ReadScalar(stream, path, format, property.Type, tokens); continue; }
                long n = (long)ReadScalar(stream, path, format, property.ListCountType, tokens);
                for (long k = 0; k < n; k++) ReadScalar(stream, path, format, property.Type, tokens);
            }
    }

    private static double ReadScalar(Stream stream, string path, string format, string type, AsciiTokens? tokens)
    {
        if (tokens is not null) return tokens.Next();
        int size = type switch
        {
            "char" or "int8" or "uchar" or "uint8" => 1,
            "short" or "int16" or "ushort" or "uint16" => 2,
            "int" or "int32" or "uint" or "uint32" or "float" or "float32" => 4,
            "double" or "float64" => 8,
            _ => throw new PlyFormatException(path, $"unknown property type '{type}'"),
        };
        Span<byte> b = stackalloc byte[8];
        var bytes = b[..size];
        stream.ReadExactly(bytes);
        bool little = format == "binary_little_endian";
        return type switch
        {
            "char" or "int8" => (sbyte)bytes[0],
            "uchar" or "uint8" => bytes[0],
            "short" or "int16" => little ? BinaryPrimitives.ReadInt16LittleEndian(bytes) : BinaryPrimitives.ReadInt16BigEndian(bytes),
            "ushort" or "uint16" => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes),
            "int" or "int32" => little ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt32BigEndian(bytes),
            "uint" or "uint32" => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes),
            "float" or "float32" => little ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes),
            _ => little ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : BinaryPrimitives.ReadDoubleBigEndian(bytes),
        };
    }

    /// <summary>Whitespace-separated numbers of an ascii PLY body.</summary>
    private sealed class AsciiTokens(Stream stream, string path)
    {
        private readonly StringBuilder _token = new();

        public double Next()
        {
            _token.Clear();
            int b;
            while ((b = stream.ReadByte()) >= 0 && char.IsWhiteSpace((char)b)) { }
            if (b < 0) throw new PlyFormatException(path, "file ends before all elements were read");
            do { _token.Append((char)b); } while ((b = stream.ReadByte()) >= 0 && !char.IsWhiteSpace((char)b));
            if (!double.TryParse(_token.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new PlyFormatException(path, $"'{_token}' is not a number");
            return value;
        }
    }
}
