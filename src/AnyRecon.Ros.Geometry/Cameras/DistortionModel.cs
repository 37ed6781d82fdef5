namespace AnyRecon.Ros.Geometry;

/// <summary>The lens distortion models of sensor_msgs/CameraInfo (camera_calibration_parsers names), as OpenCV defines them.</summary>
public enum DistortionModel
{
    /// <summary>No distortion: D is empty or all zeros.</summary>
    None,

    /// <summary>"plumb_bob": Brown–Conrady with D = (k1, k2, t1, t2, k3); OpenCV's default 5-coefficient model.</summary>
    PlumbBob,

    /// <summary>"rational_polynomial": D = (k1, k2, t1, t2, k3, k4, k5, k6); radial part is a ratio of two polynomials.</summary>
    RationalPolynomial,

    /// <summary>"equidistant": OpenCV's fisheye model with D = (k1, k2, k3, k4) applied to the incidence angle θ.</summary>
    Equidistant,
}
