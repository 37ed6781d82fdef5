namespace AnyRecon.Ros.Geometry;

/// <summary>REP 103/105 frame conventions.</summary>
public static class FrameConventions
{
    /// <summary>
    /// Maps a body frame (REP 103: x forward, y left, z up, e.g. camera_link) into its optical frame (x right, y down,
    /// z forward, e.g. camera_color_optical_frame): body x becomes optical z. Its inverse is the static
    /// camera_link → *_optical_frame transform drivers publish (roll −π/2, yaw −π/2).
    /// </summary>
    public static RigidTransform OpticalFromBody { get; } = new(new QuaternionD(0.5, -0.5, 0.5, 0.5), Vector3d.Zero);

    /// <summary>The inverse of <see cref="OpticalFromBody"/>: parentFromChild of camera_link → camera_*_optical_frame.</summary>
    public static RigidTransform BodyFromOptical { get; } = new(new QuaternionD(-0.5, 0.5, -0.5, 0.5), Vector3d.Zero);
}
