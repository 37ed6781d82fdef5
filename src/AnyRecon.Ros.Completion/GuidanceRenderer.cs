using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Completion;

/// <summary>The "3D-guided observation" of AnyRecon: the voxel memory raycast at a target pose, holes included.</summary>
public static class GuidanceRenderer
{
    /// <summary>Rows rendered per map access by <see cref="RenderAsync"/>: a few milliseconds at 640×480, so integration waits little.</summary>
    public const int RowsPerStep = 16;

    public static GuidanceRender Render(VoxelMemory memory, RigidTransform worldFromCamera, PinholeIntrinsics intrinsics, double maxRangeMeters = 6) =>
        FromRaycast(VoxelRaycaster.Render(memory, worldFromCamera, intrinsics, maxRangeMeters));

    /// <summary>
    /// The same render made in bands of <paramref name="rowsPerStep"/> rows, each in its own <paramref name="withMap"/>
    /// call: the map's writer may integrate between two bands, so rows can show the map a frame apart.
    /// </summary>
    public static async Task<GuidanceRender> RenderAsync(MapAccess withMap, RigidTransform worldFromCamera, PinholeIntrinsics intrinsics, int rowsPerStep = RowsPerStep,
        double maxRangeMeters = 6, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(withMap);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerStep);
        var cast = new RaycastImage(intrinsics.Width, intrinsics.Height);
        for (int row = 0; row < intrinsics.Height; row += rowsPerStep)
        {
            int first = row, count = Math.Min(rowsPerStep, intrinsics.Height - row);
            await withMap(memory => VoxelRaycaster.RenderRows(memory, worldFromCamera, intrinsics, cast, first, count, maxRangeMeters), cancellationToken).ConfigureAwait(false);
        }
        return FromRaycast(cast);
    }

    private static GuidanceRender FromRaycast(RaycastImage cast)
    {
        var guidance = new GuidanceRender(cast.Width, cast.Height);
        cast.Depth.CopyTo(guidance.Depth, 0);
        cast.Rgb.CopyTo(guidance.Rgb, 0);
        cast.Confidence.CopyTo(guidance.Confidence, 0);
        cast.Generated.CopyTo(guidance.Generated, 0);
        return guidance;
    }
}
