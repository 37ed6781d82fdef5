using System.Numerics;

namespace AnyRecon.Ros.Evaluation;

/// <summary>A triangle mesh (three vertex indices per triangle), e.g. a ground-truth surface read from a PLY file.</summary>
public sealed record TriangleSurface(Vector3[] Vertices, int[] TriangleIndices)
{
    public int TriangleCount => TriangleIndices.Length / 3;
}

/// <summary>
/// Accuracy, completeness, Chamfer distance and precision/recall/F-score of a reconstructed point set against a
/// ground-truth mesh, as reconstruction benchmarks (Tanks and Temples, DTU-style) define them. Distances in metres.
/// </summary>
public sealed record ReconstructionMetrics(
    double Accuracy,
    double Completeness,
    double Chamfer,
    IReadOnlyDictionary<double, double> Precision,
    IReadOnlyDictionary<double, double> Recall,
    IReadOnlyDictionary<double, double> FScore,
    int MapPoints,
    int GroundTruthSamples)
{
    public static readonly double[] DefaultThresholdsMeters = [0.01, 0.02, 0.05];

    /// <summary>Spacing of the points sampled on the ground-truth surface: a quarter of the smallest threshold.</summary>
    public const double DefaultSampleSpacingMeters = 0.0025;

    /// <summary>
    /// Accuracy: mean distance from each map point to the ground-truth surface (sampled at <paramref name="sampleSpacingMeters"/>).
    /// Completeness: mean distance from each ground-truth sample to the nearest map point. Chamfer: their mean.
    /// Precision(t): share of map points within t of the surface; recall(t): share of surface samples within t of the map.
    /// </summary>
    public static ReconstructionMetrics Evaluate(ReadOnlySpan<Vector3> map, TriangleSurface groundTruth, IReadOnlyList<double>? thresholds = null,
        double sampleSpacingMeters = DefaultSampleSpacingMeters, int seed = 1)
    {
        thresholds ??= DefaultThresholdsMeters;
        if (map.IsEmpty) throw new ArgumentException("the map has no points", nameof(map));
        var samples = SurfaceSampler.Sample(groundTruth, sampleSpacingMeters, seed);
        if (samples.Length == 0) throw new ArgumentException("the ground-truth mesh has no area", nameof(groundTruth));

        var gtTree = new PointKdTree(samples);
        var mapTree = new PointKdTree(map);
        var mapArray = map.ToArray();
        var toSurface = new float[mapArray.Length];
        var toMap = new float[samples.Length];
        Parallel.For(0, mapArray.Length, i => toSurface[i] = gtTree.NearestDistance(mapArray[i]));
        Parallel.For(0, samples.Length, i => toMap[i] = mapTree.NearestDistance(samples[i]));

        double accuracy = Mean(toSurface), completeness = Mean(toMap);
        var precision = new Dictionary<double, double>();
        var recall = new Dictionary<double, double>();
        var fscore = new Dictionary<double, double>();
        foreach (double t in thresholds)
        {
            double p = Fraction(toSurface, t), r = Fraction(toMap, t);
            precision[t] = p;
            recall[t] = r;
            fscore[t] = p + r > 0 ? 2 * p * r / (p + r) : 0;
        }
        return new ReconstructionMetrics(accuracy, completeness, (accuracy + completeness) / 2, precision, recall, fscore, mapArray.Length, samples.Length);
    }

    private static double Mean(float[] values)
    {
        double sum = 0;
        foreach (float v in values) sum += v;
        return sum / values.Length;
    }

    private static double Fraction(float[] values, double threshold)
    {
        int n = 0;
        foreach (float v in values) if (v < threshold) n++;
        return (double)n / values.Length;
    }
}

/// <summary>Uniform random points on a triangle mesh (area-weighted, deterministic for a seed).</summary>
public static class SurfaceSampler
{
    public static Vector3[] Sample(TriangleSurface mesh, double spacingMeters, int seed)
    {
        if (spacingMeters <= 0) throw new ArgumentOutOfRangeException(nameof(spacingMeters));
        var random = new Random(seed);
        var points = new List<Vector3>();
        var v = mesh.Vertices;
        var idx = mesh.TriangleIndices;
        double perSquareMetre = 1 / (spacingMeters * spacingMeters);
        for (int t = 0; t + 2 < idx.Length; t += 3)
        {
            Vector3 a = v[idx[t]], b = v[idx[t + 1]], c = v[idx[t + 2]];
            double area = Vector3.Cross(b - a, c - a).Length() / 2;
            double expected = area * perSquareMetre;
            // Stochastic rounding keeps the expected density exact for triangles smaller than one sample.
            int n = (int)expected + (random.NextDouble() < expected - Math.Floor(expected) ? 1 : 0);
            for (int k = 0; k < n; k++)
            {
                float r1 = (float)Math.Sqrt(random.NextDouble()), r2 = (float)random.NextDouble();
                points.Add((1 - r1) * a + r1 * (1 - r2) * b + r1 * r2 * c);
            }
        }
        return points.ToArray();
    }
}
