using System.Globalization;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Synthetic;

namespace AnyRecon.Ros.Cli.Synth;

/// <summary>
/// Ground-truth views at held-out poses, for judging view completion: N poses halfway between frames of the camera
/// path, spread over the whole run, each turned about the vertical by ±(20..35)° (alternating, deterministic), so they
/// see what the recording saw only partly. Written as NNNNNN.png (colour), NNNNNN_depth.png (16-bit mm) and
/// targets.tum (stamp 0: complete at the end), the file <c>replay --complete --targets</c> takes.
/// </summary>
internal static class HeldOutViews
{
    public const string DirectoryName = "held_out";

    public static IReadOnlyList<TargetPose> Poses(Scene scene, int frames, int count)
    {
        var targets = new List<TargetPose>(count);
        for (int j = 0; j < count; j++)
        {
            // Half-step positions: frame i + ½ of the recording is index 2i + 1 of a path twice as fine.
            int frame = (int)((j + 0.5) * frames / count);
            var pose = CameraPath.WorldFromCamera(scene, 2 * Math.Min(frame, frames - 1) + 1, 2 * frames);
            double degrees = (j % 2 == 0 ? 1 : -1) * (20 + 15 * ((j * 7) % 10) / 9.0);
            var turn = QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), degrees * Math.PI / 180);
            targets.Add(new TargetPose(j.ToString("D6", CultureInfo.InvariantCulture), 0, new RigidTransform(turn * pose.Rotation, pose.Translation)));
        }
        return targets;
    }

    public static void Write(SyntheticRecording recording, string directory, int count)
    {
        Directory.CreateDirectory(directory);
        var targets = Poses(recording.Scene, recording.FrameCount, count);
        var png = new PngCodec();
        foreach (var target in targets)
        {
            var image = SceneRenderer.Render(recording.Scene, recording.Intrinsics, target.WorldFromCamera);
            File.WriteAllBytes(Path.Combine(directory, target.Name + ".png"), png.Encode(image.Color));
            File.WriteAllBytes(Path.Combine(directory, target.Name + "_depth.png"), png.EncodeDepth(image.Depth));
        }
        TargetPoseFile.Write(Path.Combine(directory, "targets.tum"), targets);
    }
}
