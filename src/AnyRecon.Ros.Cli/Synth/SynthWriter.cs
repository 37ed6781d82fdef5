using System.Globalization;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Synthetic;

namespace AnyRecon.Ros.Cli.Synth;

/// <summary>Writes a <see cref="SyntheticRecording"/> as a rosbag2 MCAP an RGB-D camera driver would have recorded, plus its ground truth.</summary>
internal static class SynthWriter
{
    public sealed record Summary(string Scene, int Frames, int Width, int Height, bool Noise, string DepthEncoding, long Messages, int GroundTruthTriangles, int SceneTriangles, long BagBytes);

    public static Summary Write(SyntheticRecording recording, string outputDirectory, bool noise, bool float32Depth)
    {
        var customData = new Dictionary<string, string>
        {
            ["anyrecon.synth.scene"] = recording.Scene.Name,
            ["anyrecon.synth.frames"] = recording.FrameCount.ToString(CultureInfo.InvariantCulture),
            ["anyrecon.synth.noise"] = noise ? "kinect" : "none",
        };
        long messages;
        var camera = recording.Intrinsics;
        using (var bag = RgbdBagWriter.Create(outputDirectory, camera, float32Depth, customData))
        {
            using var trajectory = new StreamWriter(Path.Combine(outputDirectory, "gt_trajectory_tum.txt"));
            trajectory.WriteLine("# timestamp tx ty tz qx qy qz qw  (camera_color_optical_frame in map)");
            foreach (var frame in recording.Frames())
            {
                long t = frame.TimestampNs;
                bag.Write(t, frame.WorldFromCamera, frame.Image.Color, frame.Image.Depth.Metres);
                var p = frame.WorldFromCamera;
                trajectory.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{RgbdBagWriter.FormatSeconds(t)} {p.Translation.X:R} {p.Translation.Y:R} {p.Translation.Z:R} {p.Rotation.X:R} {p.Rotation.Y:R} {p.Rotation.Z:R} {p.Rotation.W:R}"));
            }
            messages = bag.Messages;
        }
        var seen = recording.GroundTruth.SeenTriangles().ToList();
        MeshPlyWriter.Write(Path.Combine(outputDirectory, "gt_mesh.ply"), seen);
        long bytes = Directory.EnumerateFiles(outputDirectory).Sum(f => new FileInfo(f).Length);
        return new Summary(recording.Scene.Name, recording.FrameCount, camera.Width, camera.Height, noise, float32Depth ? "32FC1" : "16UC1",
            messages, seen.Count, recording.GroundTruth.TriangleCount, bytes);
    }
}
