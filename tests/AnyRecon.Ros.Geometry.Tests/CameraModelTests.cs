using Xunit;

namespace AnyRecon.Ros.Geometry.Tests;

public sealed class CameraModelTests
{
    private static readonly double[] s_k = [500, 0, 320, 0, 500, 240, 0, 0, 1];

    // Kinect-v1-like plumb_bob, Azure-Kinect-like rational_polynomial and a wide fisheye, on a 640×480 sensor.
    public static TheoryData<string, double[]> RealisticCameras => new()
    {
        { "plumb_bob", [-0.28, 0.07, 0.0002, -0.0001, 0.0] },
        { "plumb_bob", [0.1, -0.05, 0.001, 0.002, 0.01] },
        { "rational_polynomial", [2.0, 0.5, 0.0004, -0.0002, 0.01, 2.3, 0.9, 0.05] },
        { "equidistant", [-0.01, 0.005, -0.002, 0.0003] },
    };

    [Fact]
    public void ProjectNormalized_PlumbBob_MatchesOpenCvFormulaByHand()
    {
        var camera = CameraModel.Create(640, 480, s_k, [0.1, -0.05, 0.001, 0.002, 0.01], "plumb_bob");
        camera.ProjectNormalized(0.2, 0.1, out double u, out double v);
        // r² = 0.05; radial = 1 + 0.1·0.05 − 0.05·0.0025 + 0.01·0.000125 = 1.00487625
        // x' = 0.2·radial + 2·0.001·0.02 + 0.002·(0.05 + 0.08) = 0.20127525
        // y' = 0.1·radial + 0.001·(0.05 + 0.02) + 2·0.002·0.02 = 0.100637625
        Assert.Equal(420.637625, u, 9);
        Assert.Equal(290.3188125, v, 9);
    }

    [Fact]
    public void ProjectNormalized_RationalPolynomial_MatchesOpenCvFormulaByHand()
    {
        var camera = CameraModel.Create(640, 480, s_k, [0.1, -0.05, 0.001, 0.002, 0.01, 0.05, 0.01, 0.001], "rational_polynomial");
        camera.ProjectNormalized(-0.3, 0.2, out double u, out double v);
        // r² = 0.13, r⁴ = 0.0169, r⁶ = 0.002197
        // num = 1 + 0.013 − 0.000845 + 0.00002197 = 1.01217697; den = 1 + 0.0065 + 0.000169 + 0.000002197 = 1.006671197
        double radial = 1.01217697 / 1.006671197;
        // x' = −0.3·radial + 2·0.001·(−0.06) + 0.002·(0.13 + 0.18); y' = 0.2·radial + 0.001·(0.13 + 0.08) + 2·0.002·(−0.06)
        double xd = -0.3 * radial - 0.00012 + 0.00062;
        double yd = 0.2 * radial + 0.00021 - 0.00024;
        Assert.Equal(320 + 500 * xd, u, 9);
        Assert.Equal(240 + 500 * yd, v, 9);
    }

    [Fact]
    public void ProjectNormalized_Equidistant_MatchesOpenCvFisheyeFormula()
    {
        var camera = CameraModel.Create(640, 480, s_k, [-0.01, 0.005, -0.002, 0.0003], "equidistant");
        camera.ProjectNormalized(0.6, -0.8, out double u, out double v);
        // r = 1, θ = π/4; θd = θ(1 − 0.01θ² + 0.005θ⁴ − 0.002θ⁶ + 0.0003θ⁸); x' = θd·x / r
        double t = Math.PI / 4, thetaD = t * (1 - 0.01 * t * t + 0.005 * Math.Pow(t, 4) - 0.002 * Math.Pow(t, 6) + 0.0003 * Math.Pow(t, 8));
        Assert.Equal(320 + 500 * 0.6 * thetaD, u, 9);
        Assert.Equal(240 - 500 * 0.8 * thetaD, v, 9);
    }

    [Theory]
    [MemberData(nameof(RealisticCameras))]
    public void TryUndistortPixel_ThenProject_ReturnsThePixelEverywhereInTheImage(string model, double[] d)
    {
        var camera = CameraModel.Create(640, 480, s_k, d, model);
        double worst = 0;
        for (double v = 0; v <= 479; v += 479.0 / 30)
        {
            for (double u = 0; u <= 639; u += 639.0 / 40)
            {
                Assert.True(camera.TryUndistortPixel(u, v, out double x, out double y), $"({u}, {v})");
                camera.ProjectNormalized(x, y, out double u2, out double v2);
                worst = Math.Max(worst, Math.Max(Math.Abs(u2 - u), Math.Abs(v2 - v)));
            }
        }
        Assert.True(worst < 1e-6, $"worst round-trip error {worst} px");
    }

    [Theory]
    [MemberData(nameof(RealisticCameras))]
    public void ProjectNormalized_ThenUndistort_ReturnsTheNormalizedPoint(string model, double[] d)
    {
        var camera = CameraModel.Create(640, 480, s_k, d, model);
        double worst = 0;
        for (double y = -0.45; y <= 0.45; y += 0.05)
        {
            for (double x = -0.6; x <= 0.6; x += 0.05)
            {
                camera.ProjectNormalized(x, y, out double u, out double v);
                Assert.True(camera.TryUndistortPixel(u, v, out double x2, out double y2));
                worst = Math.Max(worst, 500 * Math.Max(Math.Abs(x2 - x), Math.Abs(y2 - y)));
            }
        }
        Assert.True(worst < 1e-6, $"worst round-trip error {worst} px");
    }

    [Fact]
    public void Create_AllZeroDistortion_IsNoneAndUndistortIsIdentity()
    {
        var camera = CameraModel.Create(640, 480, s_k, [0, 0, 0, 0, 0], "plumb_bob");
        Assert.Equal(DistortionModel.None, camera.Model);
        Assert.True(camera.TryUndistortPixel(100, 50, out double x, out double y));
        Assert.Equal((100 - 320) / 500.0, x, 15);
        Assert.Equal((50 - 240) / 500.0, y, 15);
    }

    [Theory]
    [InlineData(double.NaN, 500.0)]
    [InlineData(500.0, double.PositiveInfinity)]
    [InlineData(0.0, 500.0)]
    [InlineData(500.0, -1.0)]
    public void Create_BadFocalLength_Throws(double fx, double fy)
    {
        double[] k = [fx, 0, 320, 0, fy, 240, 0, 0, 1];
        var error = Assert.Throws<ArgumentException>(() => CameraModel.Create(640, 480, k, [], ""));
        Assert.Equal("k", error.ParamName);
    }

    [Fact]
    public void Create_NonFiniteCoefficient_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => CameraModel.Create(640, 480, s_k, [0.1, double.NaN, 0, 0, 0], "plumb_bob"));
        Assert.Contains("d[1]", error.Message);
    }

    [Theory]
    [InlineData("plumb_bob", 8)]
    [InlineData("rational_polynomial", 5)]
    [InlineData("equidistant", 5)]
    [InlineData("kannala_brandt", 4)]
    public void Create_ModelAndCoefficientCountDisagree_Throws(string model, int count)
    {
        var d = Enumerable.Repeat(0.01, count).ToArray();
        Assert.Throws<ArgumentException>(() => CameraModel.Create(640, 480, s_k, d, model));
    }

    [Fact]
    public void Create_RNotARotation_Throws()
    {
        double[] r = [1, 0, 0, 0, 2, 0, 0, 0, 1];
        Assert.Throws<ArgumentException>(() => CameraModel.Create(640, 480, s_k, [], "", r));
    }

    [Fact]
    public void Create_WithP_RectifiedIntrinsicsComeFromP()
    {
        double[] p = [450, 0, 310, 0, 0, 455, 235, 0, 0, 0, 1, 0];
        var camera = CameraModel.Create(640, 480, s_k, [-0.28, 0.07, 0, 0, 0], "plumb_bob", p: p);
        Assert.Equal(new PinholeIntrinsics(640, 480, 450, 455, 310, 235), camera.RectifiedIntrinsics);
        Assert.Equal(new PinholeIntrinsics(640, 480, 500, 500, 320, 240), camera.Intrinsics);
    }

    [Theory]
    [MemberData(nameof(RealisticCameras))]
    public void CreateRectificationMap_EachEntry_RectifiesBackToItsTargetPixel(string model, double[] d)
    {
        // A small rotation about y, as a stereo rectification gives, and a P narrower than K.
        double[] r = RotationMatrix(QuaternionD.FromAxisAngle(new Vector3d(0, 1, 0), 0.03));
        double[] p = [420, 0, 318, 0, 0, 420, 241, 0, 0, 0, 1, 0];
        var camera = CameraModel.Create(640, 480, s_k, d, model, r, p);
        var map = camera.CreateRectificationMap();
        Assert.Equal(camera.RectifiedIntrinsics, map.Target);
        double worst = 0;
        for (int row = 0; row < 480; row += 7)
        {
            for (int col = 0; col < 640; col += 9)
            {
                float sx = map.SourceX[row * 640 + col], sy = map.SourceY[row * 640 + col];
                Assert.True(camera.TryRectifyPixel(sx, sy, out double u, out double v));
                worst = Math.Max(worst, Math.Max(Math.Abs(u - col), Math.Abs(v - row)));
            }
        }
        // The map holds floats: 640 px in single precision is good to ~3e-5 px.
        Assert.True(worst < 2e-4, $"worst {worst} px");
    }

    [Fact]
    public void RemapNearest_NoDistortionSameCamera_CopiesTheImage()
    {
        var camera = CameraModel.Create(64, 48, [50, 0, 32, 0, 50, 24, 0, 0, 1], [], "");
        var map = camera.CreateRectificationMap();
        var source = Enumerable.Range(0, 64 * 48).Select(i => (ushort)i).ToArray();
        var destination = new ushort[source.Length];
        map.RemapNearest<ushort>(source, destination, 0);
        Assert.Equal(source, destination);
    }

    [Fact]
    public void RemapNearest_DistortedDepth_LandsWithinHalfAPixelOfItsRectifiedPosition()
    {
        var camera = CameraModel.Create(640, 480, s_k, [-0.28, 0.07, 0.0002, -0.0001, 0.0], "plumb_bob");
        var map = camera.CreateRectificationMap();
        // Each source pixel stores the rectified column it belongs at (independent of the map: computed by undistortion).
        var source = new float[640 * 480];
        for (int v = 0; v < 480; v++)
        {
            for (int u = 0; u < 640; u++)
            {
                Assert.True(camera.TryRectifyPixel(u, v, out double ur, out _));
                source[v * 640 + u] = (float)ur;
            }
        }
        var destination = new float[source.Length];
        map.RemapNearest<float>(source, destination, float.NaN);
        int valid = 0;
        for (int row = 0; row < 480; row++)
        {
            for (int col = 0; col < 640; col++)
            {
                float value = destination[row * 640 + col];
                if (float.IsNaN(value)) continue;
                valid++;
                // Nearest sampling is off by at most half a source pixel in each axis, which rectification scales by ≤ 1.5 here.
                Assert.True(Math.Abs(value - col) < 1.1, $"({col}, {row}) got {value}");
            }
        }
        Assert.True(valid > 640 * 480 * 0.8, $"only {valid} valid pixels");
    }

    [Fact]
    public void RemapBilinear_LinearRamp_IsReproducedAtTheSubpixelSource()
    {
        var camera = CameraModel.Create(200, 150, [180, 0, 100, 0, 180, 75, 0, 0, 1], [0.1, -0.02, 0, 0, 0], "plumb_bob");
        var map = camera.CreateRectificationMap(new PinholeIntrinsics(200, 150, 200, 200, 100, 75));
        var source = new byte[200 * 150 * 3];
        for (int v = 0; v < 150; v++)
        {
            for (int u = 0; u < 200; u++)
            {
                source[(v * 200 + u) * 3] = (byte)u;
                source[(v * 200 + u) * 3 + 1] = (byte)v;
                source[(v * 200 + u) * 3 + 2] = 77;
            }
        }
        var destination = new byte[source.Length];
        map.RemapBilinear(source, destination, 3);
        for (int i = 0; i < 200 * 150; i++)
        {
            float sx = map.SourceX[i], sy = map.SourceY[i];
            if (!(sx >= 0 && sx <= 199 && sy >= 0 && sy <= 149)) continue;
            // Bilinear interpolation of a linear ramp is exact up to the 1/128 px weights and the rounding to a byte.
            Assert.InRange(destination[i * 3] - sx, -0.5 - 1.0 / 128 - 1e-3, 0.5 + 1.0 / 128 + 1e-3);
            Assert.InRange(destination[i * 3 + 1] - sy, -0.5 - 1.0 / 128 - 1e-3, 0.5 + 1.0 / 128 + 1e-3);
            Assert.Equal(77, destination[i * 3 + 2]);
        }
    }

    [Fact]
    public void RemapBilinear_ConstantImage_IsConstantWhereverThereIsASource()
    {
        var camera = CameraModel.Create(120, 90, [100, 0, 60, 0, 100, 45, 0, 0, 1], [-0.3, 0.08, 0, 0, 0], "plumb_bob");
        // A wider target than the source covers, so some target pixels have no source.
        var map = camera.CreateRectificationMap(new PinholeIntrinsics(160, 120, 90, 90, 80, 60));
        var source = Enumerable.Repeat((byte)201, 120 * 90 * 4).ToArray();
        var destination = new byte[160 * 120 * 4];
        map.RemapBilinear(source, destination, 4);
        int inside = 0;
        for (int i = 0; i < 160 * 120; i++)
        {
            float sx = map.SourceX[i], sy = map.SourceY[i];
            bool hasSource = sx >= -0.5f && sx <= 119.5f && sy >= -0.5f && sy <= 89.5f;
            inside += hasSource ? 1 : 0;
            for (int c = 0; c < 4; c++) Assert.Equal(hasSource ? 201 : 0, destination[i * 4 + c]);
        }
        Assert.InRange(inside, 1000, 160 * 120 - 1000);
    }

    [Fact]
    public void RemapNearest_ShortSource_Throws()
    {
        var map = CameraModel.Create(64, 48, [50, 0, 32, 0, 50, 24, 0, 0, 1], [], "").CreateRectificationMap();
        Assert.Throws<ArgumentException>(() => map.RemapNearest<float>(new float[10], new float[64 * 48], 0));
    }

    private static double[] RotationMatrix(QuaternionD q)
    {
        var x = q.Rotate(new Vector3d(1, 0, 0));
        var y = q.Rotate(new Vector3d(0, 1, 0));
        var z = q.Rotate(new Vector3d(0, 0, 1));
        return [x.X, y.X, z.X, x.Y, y.Y, z.Y, x.Z, y.Z, z.Z];
    }
}
