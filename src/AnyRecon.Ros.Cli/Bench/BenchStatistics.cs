namespace AnyRecon.Ros.Cli.Bench;

/// <summary>Statistics the bench commands report, computed as the peer scripts (numpy) compute them.</summary>
internal static class BenchStatistics
{
    /// <summary>Linear-interpolated percentile of sorted values, as numpy's default.</summary>
    public static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 1) return sorted[0];
        double position = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
    }
}
