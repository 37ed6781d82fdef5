using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>A synchronized, rectified RGB-D frame with its pose: what the keyframe gate and the integrator consume.</summary>
public sealed record RgbdFrame(long StampNs, DepthImage Depth, ColorImage? Color, PinholeIntrinsics Intrinsics, RigidTransform WorldFromCamera)
{
    /// <summary>Set by the keyframe gate.</summary>
    public bool IsKeyframe { get; set; }
}
