using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Completion;

/// <summary>The "3D-guided observation" of AnyRecon: the voxel memory raycast at a target pose, holes included.</summary>
public static class GuidanceRenderer
{
    public static GuidanceRender Render(VoxelMemory memory, RigidTransform worldFromCamera, PinholeIntrinsics intrinsics, double maxRangeMeters = 6)
    {
        var cast = VoxelRaycaster.Render(memory, worldFromCamera, intrinsics, maxRangeMeters);
        var guidance = new GuidanceRender(intrinsics.Width, intrinsics.Height);
        cast.Depth.CopyTo(guidance.Depth, 0);
        cast.Rgb.CopyTo(guidance.Rgb, 0);
        cast.Confidence.CopyTo(guidance.Confidence, 0);
        cast.Generated.CopyTo(guidance.Generated, 0);
        return guidance;
    }
}
