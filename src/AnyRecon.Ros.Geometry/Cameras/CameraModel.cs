namespace AnyRecon.Ros.Geometry;

/// <summary>
/// A calibrated camera as sensor_msgs/CameraInfo describes it (K, D with its distortion model, R, P), with OpenCV's
/// distortion formulas. Pixels are distorted image pixels; "normalized" coordinates are x = X/Z, y = Y/Z in the
/// camera's optical frame (REP 103), before R.
/// </summary>
/// <remarks>Immutable and thread-safe. Takes plain arrays so Geometry stays free of message types.</remarks>
public sealed class CameraModel
{
    /// <summary>Newton iterations allowed when inverting the distortion; converged points need 3–6.</summary>
    private const int MaxUndistortIterations = 30;

    // Residual in normalized units at which undistortion stops: 1e-13 × focal (≤ 1e4 px) is below 1e-9 px.
    private const double UndistortTolerance = 1e-13;

    private readonly double _k1, _k2, _k3, _k4, _k5, _k6, _p1, _p2;

    // Row-major R (rectified from camera). Identity when CameraInfo leaves R zero, as monocular drivers do.
    private readonly double _r00, _r01, _r02, _r10, _r11, _r12, _r20, _r21, _r22;

    private CameraModel(int width, int height, double fx, double fy, double cx, double cy, DistortionModel model,
        ReadOnlySpan<double> d, ReadOnlySpan<double> r, PinholeIntrinsics rectified)
    {
        Intrinsics = new PinholeIntrinsics(width, height, fx, fy, cx, cy);
        RectifiedIntrinsics = rectified;
        Model = model;
        Span<double> c = stackalloc double[8];
        d[..Math.Min(d.Length, 8)].CopyTo(c);
        if (model == DistortionModel.Equidistant)
        {
            (_k1, _k2, _k3, _k4) = (c[0], c[1], c[2], c[3]);
        }
        else if (model != DistortionModel.None)
        {
            (_k1, _k2, _p1, _p2, _k3) = (c[0], c[1], c[2], c[3], c[4]);
            (_k4, _k5, _k6) = (c[5], c[6], c[7]);
        }
        (_r00, _r01, _r02, _r10, _r11, _r12, _r20, _r21, _r22) = (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]);
    }

    /// <summary>Image size and the camera matrix K (distorted image).</summary>
    public PinholeIntrinsics Intrinsics { get; }

    /// <summary>The rectified camera: the left 3×3 of P, or K when P is all zeros.</summary>
    public PinholeIntrinsics RectifiedIntrinsics { get; }

    /// <summary>The distortion model; <see cref="DistortionModel.None"/> also when all coefficients are zero.</summary>
    public DistortionModel Model { get; }

    /// <summary>
    /// Builds a camera from CameraInfo-like values: <paramref name="k"/> row-major 3×3, <paramref name="d"/> coefficients,
    /// <paramref name="distortionModel"/> ("plumb_bob", "rational_polynomial", "equidistant"; empty when D is empty),
    /// optional row-major 3×3 <paramref name="r"/> and 3×4 <paramref name="p"/> (all zeros or empty = absent).
    /// </summary>
    /// <exception cref="ArgumentException">Non-finite values, zero or negative focal length (uncalibrated camera),
    /// skew, a non-rotation R, an unknown model, or a coefficient count the model does not have.</exception>
    public static CameraModel Create(int width, int height, ReadOnlySpan<double> k, ReadOnlySpan<double> d,
        string? distortionModel, ReadOnlySpan<double> r = default, ReadOnlySpan<double> p = default)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Camera size {width}×{height} is not positive.", nameof(width));
        if (k.Length != 9)
            throw new ArgumentException($"K has {k.Length} values; a 3×3 matrix needs 9.", nameof(k));
        RequireFinite(k, nameof(k));
        RequireFinite(d, nameof(d));
        RequireFinite(r, nameof(r));
        RequireFinite(p, nameof(p));
        double fx = k[0], fy = k[4], cx = k[2], cy = k[5];
        if (!(fx > 0) || !(fy > 0))
            throw new ArgumentException($"Focal lengths fx={fx}, fy={fy} must be positive (a zero K means an uncalibrated camera).", nameof(k));
        if (Math.Abs(k[1]) > 1e-9 * fx || k[3] != 0 || k[6] != 0 || k[7] != 0 || k[8] != 1)
            throw new ArgumentException("K must be [fx 0 cx; 0 fy cy; 0 0 1] (skew is not supported).", nameof(k));

        var model = ParseDistortionModel(distortionModel, d);
        Span<double> rotation = stackalloc double[9];
        if (r.IsEmpty || IsAllZero(r))
        {
            rotation[0] = rotation[4] = rotation[8] = 1;
        }
        else
        {
            if (r.Length != 9)
                throw new ArgumentException($"R has {r.Length} values; a 3×3 matrix needs 9.", nameof(r));
            r.CopyTo(rotation);
            RequireRotation(rotation);
        }

        var rectified = new PinholeIntrinsics(width, height, fx, fy, cx, cy);
        if (!p.IsEmpty && !IsAllZero(p))
        {
            if (p.Length != 12)
                throw new ArgumentException($"P has {p.Length} values; a 3×4 matrix needs 12.", nameof(p));
            if (!(p[0] > 0) || !(p[5] > 0))
                throw new ArgumentException($"P focal lengths {p[0]}, {p[5]} must be positive.", nameof(p));
            rectified = new PinholeIntrinsics(width, height, p[0], p[5], p[2], p[6]);
        }
        return new CameraModel(width, height, fx, fy, cx, cy, model, d, rotation, rectified);
    }

    /// <summary>Maps a CameraInfo distortion_model name and its coefficients to a model, checking the count.</summary>
    internal static DistortionModel ParseDistortionModel(string? name, ReadOnlySpan<double> d)
    {
        name = name?.Trim() ?? "";
        if (IsAllZero(d))
        {
            if (name.Length == 0 || name is "plumb_bob" or "rational_polynomial" or "equidistant" or "fisheye")
                return DistortionModel.None;
            throw new ArgumentException($"Unknown distortion model '{name}'.", nameof(name));
        }
        switch (name)
        {
            // OpenCV accepts 4 (k3 = 0) or 5 plumb_bob coefficients.
            case "plumb_bob" when d.Length is 4 or 5:
                return DistortionModel.PlumbBob;
            // 12/14-coefficient thin-prism/tilt extensions are accepted only when the extra terms are zero.
            case "rational_polynomial" when d.Length == 8 || (d.Length > 8 && IsAllZero(d[8..])):
                return DistortionModel.RationalPolynomial;
            case "equidistant" or "fisheye" when d.Length == 4:
                return DistortionModel.Equidistant;
            case "plumb_bob" or "rational_polynomial" or "equidistant" or "fisheye":
                throw new ArgumentException($"Distortion model '{name}' cannot have {d.Length} coefficients.", nameof(d));
            default:
                throw new ArgumentException($"Unknown distortion model '{name}' with {d.Length} non-zero coefficients.", nameof(name));
        }
    }

    /// <summary>Applies the lens distortion to normalized coordinates, giving normalized distorted coordinates.</summary>
    public void DistortNormalized(double x, double y, out double xd, out double yd)
    {
        switch (Model)
        {
            case DistortionModel.None:
                (xd, yd) = (x, y);
                return;
            case DistortionModel.Equidistant:
            {
                double r = Math.Sqrt(x * x + y * y);
                if (r < 1e-12) { (xd, yd) = (x, y); return; }
                double theta = Math.Atan(r), t2 = theta * theta;
                double thetaD = theta * (1 + t2 * (_k1 + t2 * (_k2 + t2 * (_k3 + t2 * _k4))));
                double scale = thetaD / r;
                (xd, yd) = (x * scale, y * scale);
                return;
            }
            default:
            {
                double r2 = x * x + y * y;
                double radial = (1 + r2 * (_k1 + r2 * (_k2 + r2 * _k3))) / (1 + r2 * (_k4 + r2 * (_k5 + r2 * _k6)));
                xd = x * radial + 2 * _p1 * x * y + _p2 * (r2 + 2 * x * x);
                yd = y * radial + _p1 * (r2 + 2 * y * y) + 2 * _p2 * x * y;
                return;
            }
        }
    }

    /// <summary>The distorted image pixel of normalized coordinates (cv::projectPoints with zero pose).</summary>
    public void ProjectNormalized(double x, double y, out double u, out double v)
    {
        DistortNormalized(x, y, out double xd, out double yd);
        var k = Intrinsics;
        u = k.Fx * xd + k.Cx;
        v = k.Fy * yd + k.Cy;
    }

    /// <summary>
    /// Inverts the distortion of a distorted image pixel, giving normalized coordinates (cv::undistortPoints without R
    /// and P). Solved by Newton's method to below 1e-9 px; false (outputs NaN) when it does not converge, e.g. far
    /// outside the calibrated field of view where the model folds over.
    /// </summary>
    public bool TryUndistortPixel(double u, double v, out double x, out double y)
    {
        var k = Intrinsics;
        double xd = (u - k.Cx) / k.Fx, yd = (v - k.Cy) / k.Fy;
        bool ok = Model switch
        {
            DistortionModel.None => Identity(xd, yd, out x, out y),
            DistortionModel.Equidistant => TryUndistortEquidistant(xd, yd, out x, out y),
            _ => TryUndistortBrown(xd, yd, out x, out y),
        };
        if (!ok) x = y = double.NaN;
        return ok;

        static bool Identity(double xd, double yd, out double x, out double y) { (x, y) = (xd, yd); return true; }
    }

    /// <summary>
    /// A distorted image pixel in the rectified camera (undistort, rotate by R, project with P), as
    /// cv::undistortPoints(K, D, R, P) does; false when it cannot be undistorted or lands behind the rectified camera.
    /// </summary>
    public bool TryRectifyPixel(double u, double v, out double uRectified, out double vRectified)
    {
        uRectified = vRectified = double.NaN;
        if (!TryUndistortPixel(u, v, out double x, out double y)) return false;
        double rx = _r00 * x + _r01 * y + _r02, ry = _r10 * x + _r11 * y + _r12, rz = _r20 * x + _r21 * y + _r22;
        if (rz <= 0) return false;
        var p = RectifiedIntrinsics;
        uRectified = p.Fx * rx / rz + p.Cx;
        vRectified = p.Fy * ry / rz + p.Cy;
        return true;
    }

    /// <summary>The per-pixel map from <see cref="RectifiedIntrinsics"/> back into this camera's distorted image.</summary>
    public RectificationMap CreateRectificationMap() => CreateRectificationMap(RectifiedIntrinsics);

    /// <summary>
    /// The per-pixel map from a target pinhole camera (rotated by R from this one) back into this camera's distorted
    /// image, as cv::initUndistortRectifyMap builds it. Build once per camera; remapping then allocates nothing.
    /// </summary>
    public RectificationMap CreateRectificationMap(PinholeIntrinsics target)
    {
        if (!target.IsValid)
            throw new ArgumentException($"Target intrinsics {target} are not valid.", nameof(target));
        var mapX = new float[target.Width * target.Height];
        var mapY = new float[mapX.Length];
        Parallel.For(0, target.Height, row =>
        {
            double yr = (row - target.Cy) / target.Fy;
            int offset = row * target.Width;
            for (int col = 0; col < target.Width; col++)
            {
                double xr = (col - target.Cx) / target.Fx;
                // R maps camera to rectified, so its transpose takes the rectified ray back into the camera.
                double cxr = _r00 * xr + _r10 * yr + _r20, cyr = _r01 * xr + _r11 * yr + _r21, czr = _r02 * xr + _r12 * yr + _r22;
                if (czr <= 0)
                {
                    mapX[offset + col] = mapY[offset + col] = float.NaN;
                    continue;
                }
                ProjectNormalized(cxr / czr, cyr / czr, out double u, out double v);
                mapX[offset + col] = (float)u;
                mapY[offset + col] = (float)v;
            }
        });
        return new RectificationMap(target, Intrinsics.Width, Intrinsics.Height, mapX, mapY);
    }

    private bool TryUndistortBrown(double xd, double yd, out double x, out double y)
    {
        (x, y) = (xd, yd);
        for (int iteration = 0; iteration < MaxUndistortIterations; iteration++)
        {
            double x2 = x * x, y2 = y * y, xy = x * y, r2 = x2 + y2;
            double num = 1 + r2 * (_k1 + r2 * (_k2 + r2 * _k3));
            double den = 1 + r2 * (_k4 + r2 * (_k5 + r2 * _k6));
            if (den == 0 || !double.IsFinite(num)) return false;
            double radial = num / den;
            double ex = x * radial + 2 * _p1 * xy + _p2 * (r2 + 2 * x2) - xd;
            double ey = y * radial + _p1 * (r2 + 2 * y2) + 2 * _p2 * xy - yd;
            if (Math.Abs(ex) < UndistortTolerance && Math.Abs(ey) < UndistortTolerance) return true;

            double dNum = _k1 + r2 * (2 * _k2 + 3 * r2 * _k3), dDen = _k4 + r2 * (2 * _k5 + 3 * r2 * _k6);
            double dRadial = (dNum * den - num * dDen) / (den * den); // d radial / d r²
            double jxx = radial + 2 * x2 * dRadial + 2 * _p1 * y + 6 * _p2 * x;
            double jxy = 2 * xy * dRadial + 2 * _p1 * x + 2 * _p2 * y;
            double jyy = radial + 2 * y2 * dRadial + 6 * _p1 * y + 2 * _p2 * x;
            double det = jxx * jyy - jxy * jxy; // the Jacobian is symmetric
            if (Math.Abs(det) < 1e-12) return false;
            x -= (jyy * ex - jxy * ey) / det;
            y -= (jxx * ey - jxy * ex) / det;
            if (!double.IsFinite(x) || !double.IsFinite(y)) return false;
        }
        return false;
    }

    private bool TryUndistortEquidistant(double xd, double yd, out double x, out double y)
    {
        double thetaD = Math.Sqrt(xd * xd + yd * yd);
        if (thetaD < 1e-12) { (x, y) = (xd, yd); return true; }
        double theta = Math.Min(thetaD, Math.PI / 2 - 1e-9);
        for (int iteration = 0; iteration < MaxUndistortIterations; iteration++)
        {
            double t2 = theta * theta;
            double f = theta * (1 + t2 * (_k1 + t2 * (_k2 + t2 * (_k3 + t2 * _k4)))) - thetaD;
            if (Math.Abs(f) < UndistortTolerance)
            {
                // θ ≥ π/2 is behind the pinhole: no normalized coordinate exists.
                if (theta < 0 || theta >= Math.PI / 2) break;
                double scale = Math.Tan(theta) / thetaD;
                (x, y) = (xd * scale, yd * scale);
                return true;
            }
            double df = 1 + t2 * (3 * _k1 + t2 * (5 * _k2 + t2 * (7 * _k3 + t2 * 9 * _k4)));
            if (Math.Abs(df) < 1e-12) break;
            theta -= f / df;
            if (!double.IsFinite(theta)) break;
        }
        (x, y) = (double.NaN, double.NaN);
        return false;
    }

    private static void RequireFinite(ReadOnlySpan<double> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] is {values[i]}; camera parameters must be finite.", name);
        }
    }

    private static bool IsAllZero(ReadOnlySpan<double> values)
    {
        foreach (double value in values)
        {
            if (value != 0) return false;
        }
        return true;
    }

    private static void RequireRotation(ReadOnlySpan<double> r)
    {
        // R·Rᵀ = I to calibration-file precision (YAML files carry ~8 significant digits).
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double dot = r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2];
                if (Math.Abs(dot - (i == j ? 1 : 0)) > 1e-5)
                    throw new ArgumentException("R is not a rotation matrix (R·Rᵀ ≠ I).", "r");
            }
        }
        double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
        if (det < 0)
            throw new ArgumentException("R is a reflection (det < 0), not a rotation.", "r");
    }
}
