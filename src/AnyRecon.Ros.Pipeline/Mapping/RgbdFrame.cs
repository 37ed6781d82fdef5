using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>A synchronized, rectified RGB-D frame with its pose: what the keyframe gate and the integrator consume.</summary>
public sealed record RgbdFrame(long StampNs, DepthImage Depth, ColorImage? Color, PinholeIntrinsics Intrinsics, RigidTransform WorldFromCamera)
{
    /// <summary>When its depth image arrived (Stopwatch ticks; 0 when unknown, as in replay).</summary>
    public long ArrivalTicks { get; init; }

    /// <summary>Which of <see cref="MappingOptions.EffectiveCameras"/> took it.</summary>
    public int Camera { get; init; }

    /// <summary>Set by the integration stage when the frame went to the capture-view cache.</summary>
    public bool IsKeyframe { get; set; }

    /// <summary>Set by the gate when time went backwards before this frame (a looped bag): keyframing starts over.</summary>
    public bool RestartsKeyframes { get; set; }
}
