namespace AnyRecon.Ros.Imaging;

/// <summary>Depth in metres, row-major, one float per pixel; 0 or NaN means "no measurement".</summary>
public sealed class DepthImage
{
    public DepthImage(int width, int height, float[] metres)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is not an image size");
        if (metres.Length != checked(width * height)) throw new ArgumentException($"{width}x{height} needs {width * height} values, got {metres.Length}", nameof(metres));
        Width = width;
        Height = height;
        Metres = metres;
    }

    public int Width { get; }

    public int Height { get; }

    public float[] Metres { get; }

    public ReadOnlySpan<float> Row(int v) => Metres.AsSpan(v * Width, Width);

    public static bool IsValid(float depth) => depth > 0 && float.IsFinite(depth);
}

/// <summary>8-bit RGB, row-major, 3 bytes per pixel, no row padding.</summary>
public sealed class ColorImage
{
    public ColorImage(int width, int height, byte[] rgb)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is not an image size");
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException($"{width}x{height} RGB needs {width * height * 3} bytes, got {rgb.Length}", nameof(rgb));
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Rgb { get; }

    public ReadOnlySpan<byte> Row(int v) => Rgb.AsSpan(v * Width * 3, Width * 3);
}
