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

    public int TriangleCount => Triangles.Length / 3;
}

/// <summary>A PLY file that cannot be read: malformed, truncated or using something the reader does not.</summary>
public sealed class PlyFormatException(string filePath, long offset, string message) : Exception($"{filePath} at byte {offset}: {message}")
{
    public string FilePath { get; } = filePath;
    public long Offset { get; } = offset;
}

public static partial class PlyFile
{
    private enum Format : byte { Ascii, BinaryLittleEndian, BinaryBigEndian }

    private enum Scalar : byte { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 }

    private sealed record Property(string Name, Scalar Kind, Scalar? CountKind)
    {
        /// <summary>Vertex column this property fills, −1 for none: x y z nx ny nz red green blue confidence source.</summary>
        public int Column { get; } = Array.IndexOf(s_columns, Name);
    }

    private sealed record Element(string Name, long Count, List<Property> Properties);

    private static readonly string[] s_columns = ["x", "y", "z", "nx", "ny", "nz", "red", "green", "blue", "confidence", "source"];

    /// <summary>
    /// Reads the vertices (position, and normal, colour, confidence and source when present) and faces of a PLY file:
    /// ascii, binary_little_endian or binary_big_endian; other elements and properties are skipped, polygons fanned
    /// into triangles. Counts are checked against the bytes left before anything is allocated.
    /// </summary>
    public static PlyData Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        using var cursor = new Cursor(file, path);
        var (format, elements) = ReadHeader(cursor);
        cursor.Begin(format);
        var vertexElement = elements.Find(e => e.Name == "vertex") ?? throw cursor.Error("no vertex element");
        if (new[] { 0, 1, 2 }.Any(c => !vertexElement.Properties.Exists(p => p.Column == c && p.CountKind is null)))
            throw cursor.Error("vertex element lacks x, y or z");
        long vertexCount = vertexElement.Count;

        Vector3[] positions = [];
        Vector3[]? normals = null;
        byte[]? colors = null;
        float[]? confidence = null;
        EvidenceChannel[]? source = null;
        var triangles = new List<int>();
        foreach (var element in elements)
        {
            // Ascii needs at least a digit and a separator per value (the last value none), binary the sizes of its scalars.
            long minBytes = format == Format.Ascii
                ? 2L * element.Properties.Count * element.Count - 1
                : element.Properties.Sum(p => (long)Size(p.CountKind ?? p.Kind)) * element.Count;
            if (element.Count > Array.MaxLength || minBytes > cursor.Remaining)
                throw cursor.Error($"element {element.Name} declares {element.Count} records but only {cursor.Remaining} bytes remain");
            bool isVertex = ReferenceEquals(element, vertexElement);
            if (isVertex)
            {
                int n = (int)element.Count;
                bool Has(int first, int last) => element.Properties.Exists(p => p.Column >= first && p.Column <= last && p.CountKind is null);
                positions = new Vector3[n];
                if (Has(3, 5)) normals = new Vector3[n];
                if (Has(6, 8)) colors = new byte[3 * n];
                if (Has(9, 9)) confidence = new float[n];
                if (Has(10, 10)) source = new EvidenceChannel[n];
            }
            for (long r = 0; r < element.Count; r++)
            {
                foreach (var p in element.Properties)
                {
                    if (p.CountKind is Scalar countKind)
                    {
                        ReadList(cursor, element, p, countKind, vertexCount, triangles);
                        continue;
                    }
                    double value = cursor.Read(p.Kind);
                    if (!isVertex) continue;
                    int i = (int)r;
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
        return new PlyData { Positions = positions, Normals = normals, Colors = colors, Confidence = confidence, Source = source, Triangles = triangles.ToArray() };
    }

    private static void ReadList(Cursor cursor, Element element, Property p, Scalar countKind, long vertexCount, List<int> triangles)
    {
        long at = cursor.Position;
        double countValue = cursor.Read(countKind);
        double minBytes = cursor.IsAscii ? 2 * countValue - 1 : countValue * Size(p.Kind);
        if (!(countValue >= 0) || minBytes > cursor.Remaining)
            throw new PlyFormatException(cursor.Path, at, $"list of {countValue} items does not fit in the {cursor.Remaining} bytes left");
        int count = (int)countValue;
        bool isFace = element.Name == "face" && p.Name is ("vertex_indices" or "vertex_index");
        int first = 0, previous = 0;
        for (int k = 0; k < count; k++)
        {
            double value = cursor.Read(p.Kind);
            if (!isFace) continue;
            if (!(value >= 0 && value < vertexCount)) throw new PlyFormatException(cursor.Path, at, $"face refers to vertex {value} of {vertexCount}");
            int index = (int)value;
            // Polygons are fanned around their first corner.
            if (k == 0) first = index;
            else if (k >= 2) { triangles.Add(first); triangles.Add(previous); triangles.Add(index); }
            previous = index;
        }
    }

    private static (Format, List<Element>) ReadHeader(Cursor cursor)
    {
        if (cursor.ReadHeaderLine() != "ply") throw new PlyFormatException(cursor.Path, 0, "not a PLY file (no 'ply' magic)");
        Format? format = null;
        var elements = new List<Element>();
        while (true)
        {
            long at = cursor.Position;
            string line = cursor.ReadHeaderLine();
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || words[0] is "comment" or "obj_info") continue;
            switch (words[0])
            {
                case "format":
                    format = words.Length >= 2 ? words[1] switch
                    {
                        "ascii" => Format.Ascii,
                        "binary_little_endian" => Format.BinaryLittleEndian,
                        "binary_big_endian" => Format.BinaryBigEndian,
                        _ => null,
                    } : null;
                    if (format is null) throw new PlyFormatException(cursor.Path, at, $"unknown format '{line}'");
                    break;
                case "element" when words.Length == 3 && long.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out long count):
                    elements.Add(new Element(words[1], count, []));
                    break;
                case "property" when elements.Count > 0 && words.Length == 3:
                    elements[^1].Properties.Add(new Property(words[2], ToScalar(cursor, at, words[1]), null));
                    break;
                case "property" when elements.Count > 0 && words.Length == 5 && words[1] == "list":
                    elements[^1].Properties.Add(new Property(words[4], ToScalar(cursor, at, words[3]), ToScalar(cursor, at, words[2])));
                    break;
                case "end_header":
                    return (format ?? throw new PlyFormatException(cursor.Path, at, "no format line"), elements);
                default:
                    throw new PlyFormatException(cursor.Path, at, $"bad header line '{line}'");
            }
        }
    }

    private static Scalar ToScalar(Cursor cursor, long at, string type) => type switch
    {
        "char" or "int8" => Scalar.Int8,
        "uchar" or "uint8" => Scalar.UInt8,
        "short" or "int16" => Scalar.Int16,
        "ushort" or "uint16" => Scalar.UInt16,
        "int" or "int32" => Scalar.Int32,
        "uint" or "uint32" => Scalar.UInt32,
        "float" or "float32" => Scalar.Float32,
        "double" or "float64" => Scalar.Float64,
        _ => throw new PlyFormatException(cursor.Path, at, $"unknown property type '{type}'"),
    };

    private static int Size(Scalar kind) => kind switch
    {
        Scalar.Int8 or Scalar.UInt8 => 1,
        Scalar.Int16 or Scalar.UInt16 => 2,
        Scalar.Int32 or Scalar.UInt32 or Scalar.Float32 => 4,
        _ => 8,
    };

    /// <summary>
    /// The file through one pooled buffer: header lines, then binary scalars in either byte order or ascii tokens.
    /// Tracks the file offset for errors; nothing is allocated per value.
    /// </summary>
    private sealed class Cursor(Stream stream, string path) : IDisposable
    {
        private const int MaxTokenBytes = 64;

        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        private readonly long _length = stream.Length;
        private int _start, _end;
        private long _bufferOffset;
        private Format _format;

        public string Path { get; } = path;

        public long Position => _bufferOffset + _start;

        public long Remaining => _length - Position;

        public bool IsAscii => _format == Format.Ascii;

        public void Begin(Format format) => _format = format;

        public PlyFormatException Error(string message) => new(Path, Position, message);

        public string ReadHeaderLine()
        {
            var line = new StringBuilder();
            while (true)
            {
                if (!Fill(1)) throw Error("file ends inside the header (no end_header)");
                byte b = _buffer[_start++];
                if (b == '\n') return line.ToString().TrimEnd('\r');
                if (line.Length >= 4096) throw Error("header line longer than 4096 bytes");
                line.Append((char)b);
            }
        }

        public double Read(Scalar kind)
        {
            if (_format == Format.Ascii) return ReadToken();
            int size = Size(kind);
            if (!Fill(size)) throw Error("file ends before all elements were read");
            var b = _buffer.AsSpan(_start, size);
            _start += size;
            bool little = _format == Format.BinaryLittleEndian;
            return kind switch
            {
                Scalar.Int8 => (sbyte)b[0],
                Scalar.UInt8 => b[0],
                Scalar.Int16 => little ? BinaryPrimitives.ReadInt16LittleEndian(b) : BinaryPrimitives.ReadInt16BigEndian(b),
                Scalar.UInt16 => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b),
                Scalar.Int32 => little ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b),
                Scalar.UInt32 => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b),
                Scalar.Float32 => little ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b),
                _ => little ? BinaryPrimitives.ReadDoubleLittleEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b),
            };
        }

        private double ReadToken()
        {
            while (true)
            {
                if (!Fill(1)) throw Error("file ends before all elements were read");
                if (!IsSpace(_buffer[_start])) break;
                _start++;
            }
            long at = Position;
            // A number is short: make the whole token contiguous in the buffer, then parse it in place.
            Fill(MaxTokenBytes + 1);
            int length = 0;
            while (_start + length < _end && !IsSpace(_buffer[_start + length])) length++;
            var token = _buffer.AsSpan(_start, length);
            if (length > MaxTokenBytes) throw new PlyFormatException(Path, at, $"token longer than {MaxTokenBytes} bytes where a number belongs");
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new PlyFormatException(Path, at, $"'{Encoding.ASCII.GetString(token)}' is not a number");
            _start += length;
            return value;
        }

        private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\f' or (byte)'\v';

        /// <summary>Makes at least <paramref name="count"/> bytes available from <c>_start</c>; false at end of file.</summary>
        private bool Fill(int count)
        {
            if (_end - _start >= count) return true;
            int kept = _end - _start;
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
            _bufferOffset += _start;
            _start = 0;
            _end = kept;
            while (_end < count)
            {
                int read = stream.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0) return false;
                _end += read;
            }
            return true;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
