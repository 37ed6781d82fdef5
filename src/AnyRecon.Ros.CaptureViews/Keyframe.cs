using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>
/// What the cache knows of a keyframe without decoding its images: enough to rank it for retrieval and to place it.
/// </summary>
/// <param name="Id">Dense sequence number in capture order (0, 1, 2, …); never reused, also across restarts.</param>
/// <param name="StampNs">Header stamp of the captured frame (ROS time, nanoseconds).</param>
/// <param name="Intrinsics">Pinhole intrinsics of the (rectified) colour and depth images, which share one size.</param>
/// <param name="WorldFromCamera">Pose of the optical frame (REP 103: z forward, x right, y down) in the map frame.</param>
/// <param name="ObservedBlocks">Voxel blocks the keyframe's depth reached within the truncation band (sorted, distinct).</param>
public sealed record KeyframeInfo(long Id, long StampNs, PinholeIntrinsics Intrinsics, RigidTransform WorldFromCamera, IReadOnlyList<BlockIndex> ObservedBlocks);

/// <summary>A keyframe with its decoded images, as the cache hands it to retrieval consumers and completers.</summary>
/// <param name="Info">Metadata, pose and observed blocks.</param>
/// <param name="Color">Decoded RGB8 colour, registered to <see cref="Depth"/>.</param>
/// <param name="Depth">Depth in metres (0 or NaN where the sensor gave nothing), bit-exact as captured.</param>
public sealed record Keyframe(KeyframeInfo Info, ColorImage Color, DepthImage Depth)
{
    public long Id => Info.Id;

    public RigidTransform WorldFromCamera => Info.WorldFromCamera;

    public PinholeIntrinsics Intrinsics => Info.Intrinsics;
}
