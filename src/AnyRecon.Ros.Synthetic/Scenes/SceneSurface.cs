using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>A procedural surface pattern: colour as a function of the world point (deterministic, no image files).</summary>
public enum SurfacePattern
{
    /// <summary>One flat colour.</summary>
    Plain,
    /// <summary>Squares of <see cref="SceneSurface.PatternScaleMeters"/> alternating between the two colours.</summary>
    Checker,
    /// <summary>Stripes along the surface's first tangent.</summary>
    Stripes,
    /// <summary>Smooth value noise blending the two colours (wood, fabric).</summary>
    Noise,
}

/// <summary>How a primitive looks: two colours, a pattern and its scale.</summary>
public readonly record struct SceneSurface(
    (byte R, byte G, byte B) ColorA,
    (byte R, byte G, byte B) ColorB,
    SurfacePattern Pattern = SurfacePattern.Plain,
    double PatternScaleMeters = 0.25)
{
    /// <summary>The colour at <paramref name="p"/>, before shading.</summary>
    public (double R, double G, double B) ColorAt(Vector3d p)
    {
        double t = Pattern switch
        {
            SurfacePattern.Checker => ((int)Math.Floor(p.X / PatternScaleMeters) + (int)Math.Floor(p.Y / PatternScaleMeters) + (int)Math.Floor(p.Z / PatternScaleMeters)) & 1,
            SurfacePattern.Stripes => ((int)Math.Floor((p.X + p.Y + p.Z) / PatternScaleMeters)) & 1,
            SurfacePattern.Noise => ValueNoise(p * (1 / PatternScaleMeters)),
            _ => 0,
        };
        return (
            ColorA.R + (ColorB.R - ColorA.R) * t,
            ColorA.G + (ColorB.G - ColorA.G) * t,
            ColorA.B + (ColorB.B - ColorA.B) * t);
    }

    private static double ValueNoise(Vector3d p)
    {
        int x0 = (int)Math.Floor(p.X), y0 = (int)Math.Floor(p.Y), z0 = (int)Math.Floor(p.Z);
        double fx = Smooth(p.X - x0), fy = Smooth(p.Y - y0), fz = Smooth(p.Z - z0);
        double c000 = Hash(x0, y0, z0), c100 = Hash(x0 + 1, y0, z0), c010 = Hash(x0, y0 + 1, z0), c110 = Hash(x0 + 1, y0 + 1, z0);
        double c001 = Hash(x0, y0, z0 + 1), c101 = Hash(x0 + 1, y0, z0 + 1), c011 = Hash(x0, y0 + 1, z0 + 1), c111 = Hash(x0 + 1, y0 + 1, z0 + 1);
        double x00 = c000 + (c100 - c000) * fx, x10 = c010 + (c110 - c010) * fx, x01 = c001 + (c101 - c001) * fx, x11 = c011 + (c111 - c011) * fx;
        double y0v = x00 + (x10 - x00) * fy, y1v = x01 + (x11 - x01) * fy;
        return y0v + (y1v - y0v) * fz;
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    private static double Hash(int x, int y, int z)
    {
        uint h = (uint)(x * 73856093) ^ (uint)(y * 19349663) ^ (uint)(z * 83492791);
        h ^= h >> 13;
        h *= 0x5bd1e995;
        h ^= h >> 15;
        return (h & 0xFFFF) / 65535.0;
    }
}
