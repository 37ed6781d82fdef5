using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Completion.Tests;

public sealed class CompletionTests
{
    private const int Frames = 40;
    private static readonly PinholeIntrinsics s_camera = new SyntheticRecordingOptions { Width = 128, Height = 96, FocalPx = 105 }.Intrinsics;

    private static VoxelMemory Room(Scene scene, double voxel)
    {
        var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = voxel });
        var integrator = new ProjectiveTsdfIntegrator();
        for (int i = 0; i < Frames; i++)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, Frames);
            var image = SceneRenderer.Render(scene, s_camera, pose);
            integrator.Integrate(memory, image.Depth, image.Color, s_camera, pose);
        }
        return memory;
    }

    [Fact]
    public void GuidanceRender_AtAnIntegratedPose_DepthMatchesTheSceneWithinAVoxel()
    {
        var scene = SceneLibrary.Get("living_room");
        using var memory = Room(scene, 0.02);
        var pose = CameraPath.WorldFromCamera(scene, 17, Frames);
        var truth = SceneRenderer.Render(scene, s_camera, pose).Depth;
        var guidance = GuidanceRenderer.Render(memory, pose, s_camera);

        var errors = new List<double>();
        int truthPixels = 0;
        for (int i = 0; i < truth.Metres.Length; i++)
        {
            if (!(truth.Metres[i] > 0)) continue;
            truthPixels++;
            if (guidance.Depth[i] > 0) errors.Add(Math.Abs(guidance.Depth[i] - truth.Metres[i]));
        }
        errors.Sort();
        Assert.True(errors.Count > 0.95 * truthPixels, $"{errors.Count} of {truthPixels} pixels rendered");
        Assert.True(errors[errors.Count / 2] < 0.01, $"median error {errors[errors.Count / 2]:F4} m");
        Assert.True(errors[(int)(errors.Count * 0.9)] < 0.02, $"90th percentile error {errors[(int)(errors.Count * 0.9)]:F4} m");
        // Rendered colour and confidence come with the depth; holes stay empty.
        for (int i = 0; i < guidance.Depth.Length; i++)
            if (!(guidance.Depth[i] > 0)) Assert.Equal(0f, guidance.Confidence[i]);
            else Assert.InRange(guidance.Confidence[i], 1e-6f, 1f);
    }

    [Fact]
    public void GuidanceRender_LookingAway_AllHoles()
    {
        var scene = SceneLibrary.Get("living_room");
        using var memory = Room(scene, 0.04);
        // From far outside the room, facing away from it.
        var pose = CameraPath.LookAt(new Vector3d(50, 50, 1), new Vector3d(100, 100, 1));
        var guidance = GuidanceRenderer.Render(memory, pose, s_camera);
        Assert.All(guidance.Depth, d => Assert.Equal(0f, d));
    }

    [Fact]
    public void Complete_KeyframeAtTheTargetPoseWithEmptyGuidance_ReproducesItExactly()
    {
        var scene = SceneLibrary.Get("office");
        var pose = CameraPath.WorldFromCamera(scene, 3, Frames);
        var image = SceneRenderer.Render(scene, s_camera, pose);
        var keyframe = new Keyframe(new KeyframeInfo(0, 0, s_camera, pose, []), image.Color, image.Depth);
        var request = new CompletionRequest(0, pose, s_camera, new GuidanceRender(s_camera.Width, s_camera.Height), [keyframe]);
        var view = new GeometricViewCompleter().Complete(request, TestContext.Current.CancellationToken);
        int checkedPixels = 0;
        for (int i = 0; i < image.Depth.Metres.Length; i++)
        {
            if (!(image.Depth.Metres[i] > 0)) continue;
            checkedPixels++;
            Assert.Equal(PixelSource.Warped, view.Source[i]);
            Assert.Equal(image.Depth.Metres[i], view.Depth[i], 4);
            Assert.Equal(image.Color.Rgb.AsSpan(i * 3, 3).ToArray(), view.Rgb.AsSpan(i * 3, 3).ToArray());
        }
        Assert.True(checkedPixels > s_camera.Width * s_camera.Height / 2);
    }

    [Fact]
    public void Complete_TwoKeyframesAroundAHeldOutPose_WarpedDepthMatchesTheSceneAndHolesAreFilled()
    {
        var scene = SceneLibrary.Get("living_room");
        var a = CameraPath.WorldFromCamera(scene, 10, Frames);
        var b = CameraPath.WorldFromCamera(scene, 12, Frames);
        var target = RigidTransform.Interpolate(a, b, 0.5);
        Keyframe Capture(long id, RigidTransform pose)
        {
            var image = SceneRenderer.Render(scene, s_camera, pose);
            return new Keyframe(new KeyframeInfo(id, 0, s_camera, pose, []), image.Color, image.Depth);
        }
        var truth = SceneRenderer.Render(scene, s_camera, target).Depth;
        var request = new CompletionRequest(0, target, s_camera, new GuidanceRender(s_camera.Width, s_camera.Height), [Capture(0, a), Capture(1, b)]);
        var view = new GeometricViewCompleter().Complete(request, TestContext.Current.CancellationToken);
        var errors = new List<double>();
        for (int i = 0; i < truth.Metres.Length; i++)
            if (view.Source[i] == PixelSource.Warped && truth.Metres[i] > 0) errors.Add(Math.Abs(view.Depth[i] - truth.Metres[i]));
        errors.Sort();
        Assert.True(errors.Count > truth.Metres.Length * 0.8, $"{errors.Count} warped pixels");
        // Samples land between pixel centres on slanted surfaces and the z-buffer keeps the nearest: about a centimetre.
        Assert.True(errors[errors.Count / 2] < 0.02, $"median warped depth error {errors[errors.Count / 2]:F4} m");
        // Every pixel ends up with something; fills carry low confidence.
        Assert.DoesNotContain(PixelSource.Empty, view.Source);
        for (int i = 0; i < view.Source.Length; i++)
            if (view.Source[i] == PixelSource.Filled) Assert.True(view.Confidence[i] <= GeometricViewCompleter.FilledConfidenceNear);
    }
}
