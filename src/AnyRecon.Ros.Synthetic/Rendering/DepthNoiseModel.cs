namespace AnyRecon.Ros.Synthetic;

/// <summary>
/// Kinect-like depth errors, deterministic per (seed, frame, pixel): axial noise σ(z) = 1.2 mm + 1.9 mm·(z − 0.4 m)²
/// (Nguyen et al. 2012), no return at grazing angles or past the range limit, dropouts at depth edges and a few at random.
/// </summary>
public sealed record DepthNoiseModel(
    double MaxRangeMeters = 4.5,
    double RandomDropout = 0.01,
    double EdgeDropout = 0.5,
    double EdgeJumpMeters = 0.05,
    double GrazingCosine = 0.12)
{
    public static double AxialSigma(double depth) => 0.0012 + 0.0019 * (depth - 0.4) * (depth - 0.4);

    /// <summary>Applies the errors in place to <paramref name="depth"/> (metres, 0 = none); <paramref name="cosines"/> are |n·ray| per pixel.</summary>
    public void Apply(Span<float> depth, ReadOnlySpan<float> cosines, int width, int height, ulong seed, int frame)
    {
        // Edges are found on the clean image, so work on a copy of the mask, not on pixels already dropped.
        var edgeMask = new byte[width * height];
        for (int v = 1; v < height - 1; v++)
        {
            int row = v * width;
            for (int u = 1; u < width - 1; u++)
            {
                float d = depth[row + u];
                if (d <= 0) continue;
                float jump = Math.Max(Math.Max(Math.Abs(d - depth[row + u - 1]), Math.Abs(d - depth[row + u + 1])),
                                      Math.Max(Math.Abs(d - depth[row + u - width]), Math.Abs(d - depth[row + u + width])));
                if (jump > EdgeJumpMeters) edgeMask[row + u] = 1;
            }
        }
        for (int i = 0; i < depth.Length; i++)
        {
            float d = depth[i];
            if (d <= 0) continue;
            ulong h = Mix(seed ^ ((ulong)(uint)frame << 32) ^ (ulong)(uint)i);
            double u1 = ((h >> 11) + 1) * (1.0 / 9007199254740993.0);
            ulong h2 = Mix(h);
            double u2 = (h2 >> 11) * (1.0 / 9007199254740992.0);
            ulong h3 = Mix(h2);
            double u3 = (h3 >> 11) * (1.0 / 9007199254740992.0);
            if (d > MaxRangeMeters || cosines[i] < GrazingCosine || u3 < RandomDropout || (edgeMask[i] == 1 && u2 < EdgeDropout))
            {
                depth[i] = 0;
                continue;
            }
            double gaussian = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            depth[i] = (float)(d + AxialSigma(d) * gaussian);
        }
    }

    private static ulong Mix(ulong z)
    {
        // SplitMix64 finaliser: independent-looking values from consecutive inputs.
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
