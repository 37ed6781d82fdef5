using System.Numerics;
using Xunit;

namespace AnyRecon.Ros.Evaluation.Tests;

public sealed class ReconstructionMetricsTests
{
    /// <summary>The unit square z = 0 as two triangles.</summary>
    private static TriangleSurface UnitSquare() => new([new(0, 0, 0), new(1, 0, 0), new(1, 1, 0), new(0, 1, 0)], [0, 1, 2, 0, 2, 3]);

    private static Vector3[] Grid(float x0, float x1, float z, float step)
    {
        var points = new List<Vector3>();
        for (float x = x0; x <= x1 + 1e-6f; x += step)
            for (float y = 0; y <= 1 + 1e-6f; y += step)
                points.Add(new Vector3(x, y, z));
        return points.ToArray();
    }

    [Fact]
    public void Evaluate_MapOffsetFromPlane_AccuracyIsTheOffset()
    {
        var metrics = ReconstructionMetrics.Evaluate(Grid(0, 1, 0.003f, 0.01f), UnitSquare(), sampleSpacingMeters: 0.001);
        // Each map point is 3 mm above the plane; the 1 mm sampling adds well under a millimetre.
        Assert.InRange(metrics.Accuracy, 0.003, 0.0036);
        Assert.Equal(1.0, metrics.Precision[0.01]);
        Assert.Equal(1.0, metrics.Recall[0.01]);
        Assert.Equal(1.0, metrics.FScore[0.05]);
        Assert.Equal(0.0, metrics.Precision[0.01] - 1.0);
    }

    [Fact]
    public void Evaluate_MapCoveringHalf_RecallIsAboutHalfPrecisionIsOne()
    {
        var metrics = ReconstructionMetrics.Evaluate(Grid(0, 0.5f, 0, 0.005f), UnitSquare(), sampleSpacingMeters: 0.002);
        Assert.Equal(1.0, metrics.Precision[0.01]);
        Assert.InRange(metrics.Recall[0.01], 0.50, 0.52);
        Assert.InRange(metrics.FScore[0.01], 2 * 0.5 / 1.5 - 0.01, 2 * 0.52 / 1.52 + 0.01);
        // Completeness: samples on the far half are on average 0.25 m from the map.
        Assert.InRange(metrics.Completeness, 0.12, 0.13);
        Assert.Equal((metrics.Accuracy + metrics.Completeness) / 2, metrics.Chamfer, 12);
    }

    [Fact]
    public void SurfaceSampler_DensityMatchesArea()
    {
        var samples = SurfaceSampler.Sample(UnitSquare(), 0.01, seed: 3);
        Assert.InRange(samples.Length, 9_800, 10_200);
        Assert.All(samples, p => Assert.True(p.X is >= 0 and <= 1 && p.Y is >= 0 and <= 1 && p.Z == 0));
        Assert.Equal(samples, SurfaceSampler.Sample(UnitSquare(), 0.01, seed: 3));
    }

    [Fact]
    public void PointKdTree_NearestDistance_EqualsBruteForce()
    {
        var random = new Random(5);
        var points = Enumerable.Range(0, 5000).Select(_ => new Vector3(random.NextSingle(), random.NextSingle(), random.NextSingle())).ToArray();
        var tree = new PointKdTree(points);
        for (int i = 0; i < 300; i++)
        {
            var q = new Vector3(random.NextSingle() * 1.4f - 0.2f, random.NextSingle() * 1.4f - 0.2f, random.NextSingle() * 1.4f - 0.2f);
            float brute = points.Min(p => Vector3.Distance(p, q));
            Assert.Equal(brute, tree.NearestDistance(q), 6);
        }
    }

    [Fact]
    public void PointKdTree_QueriesFarOutsideThePoints_EqualBruteForce()
    {
        // Points of a wrong map metres away from the ground truth: the search prunes by bounding boxes, and stays exact.
        var random = new Random(7);
        var points = Enumerable.Range(0, 20000).Select(_ => new Vector3(random.NextSingle() * 5, random.NextSingle() * 4, random.NextSingle() * 0.01f)).ToArray();
        var tree = new PointKdTree(points);
        for (int i = 0; i < 300; i++)
        {
            var q = new Vector3(random.NextSingle() * 20 - 7.5f, random.NextSingle() * 20 - 8, random.NextSingle() * 6 + 1);
            float brute = points.Min(p => Vector3.Distance(p, q));
            Assert.Equal(brute, tree.NearestDistance(q), 5);
        }
    }
}
