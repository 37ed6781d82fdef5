using System.CommandLine;
using System.Text.Json;
using AnyRecon.Ros.Synthetic;

namespace AnyRecon.Ros.Cli.Synth;

/// <summary><c>anyrecon synth</c>: a deterministic synthetic RGB-D recording with ground truth.</summary>
internal static class SynthCommand
{
    public static Command Build(CommandContext context)
    {
        var scene = new Option<string>("--scene") { Description = $"Scene to render: {string.Join(", ", SceneLibrary.Names)}", Required = true };
        scene.AcceptOnlyFromAmong([.. SceneLibrary.Names]);
        var frames = new Option<int>("--frames") { Description = "Number of frames (30 Hz)", Required = true };
        var output = new Option<string>("--out") { Description = "Bag directory to create (must not exist); gt_mesh.ply and gt_trajectory_tum.txt go inside", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the depth noise", DefaultValueFactory = _ => 1 };
        var noise = new Option<bool>("--noise") { Description = "Kinect-like depth noise and dropouts" };
        var width = new Option<int>("--width") { Description = "Image width (height follows 4:3 unless given)", DefaultValueFactory = _ => SyntheticRecordingOptions.DefaultWidth };
        var height = new Option<int?>("--height") { Description = "Image height" };
        var depthFormat = new Option<string>("--depth-format") { Description = "16UC1 (millimetres, as RGB-D drivers publish) or 32FC1 (metres)", DefaultValueFactory = _ => "16UC1" };
        depthFormat.AcceptOnlyFromAmong("16UC1", "32FC1");
        var heldOut = new Option<int>("--held-out") { Description = "Also render N ground-truth views at poses off the camera path into OUT/held_out/ (NNNNNN.png, NNNNNN_depth.png, targets.tum)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary" };
        var command = new Command("synth", "Render a deterministic synthetic indoor scene into a rosbag2 MCAP (color, depth, CameraInfo, TF) with its ground-truth mesh")
        {
            scene, frames, output, seed, noise, width, height, depthFormat, heldOut, json,
        };
        command.SetAction(parse => context.Guard(() =>
        {
            int n = parse.GetValue(frames);
            if (n < 1) throw new ArgumentException("--frames must be at least 1");
            int w = parse.GetValue(width);
            int h = parse.GetValue(height) ?? w * 3 / 4;
            if (w < 16 || h < 16 || w > 4096 || h > 4096) throw new ArgumentException($"{w}x{h} is not a supported image size (16..4096)");
            var recording = new SyntheticRecording(SceneLibrary.Get(parse.GetValue(scene)!), n, new SyntheticRecordingOptions
            {
                Width = w,
                Height = h,
                Noise = parse.GetValue(noise) ? new DepthNoiseModel() : null,
                Seed = parse.GetValue(seed),
            });
            int views = parse.GetValue(heldOut);
            if (views < 0 || views > 1000) throw new ArgumentException("--held-out must be 0..1000");
            var summary = SynthWriter.Write(recording, parse.GetValue(output)!, parse.GetValue(noise), parse.GetValue(depthFormat) == "32FC1");
            if (views > 0) HeldOutViews.Write(recording, Path.Combine(parse.GetValue(output)!, HeldOutViews.DirectoryName), views);
            if (parse.GetValue(json)) context.Out.WriteLine(JsonSerializer.Serialize(summary, s_json));
            else context.Out.WriteLine($"wrote {summary.Frames} frames of '{summary.Scene}' ({summary.Width}x{summary.Height}, {(summary.Noise ? "noisy" : "exact")} {summary.DepthEncoding} depth) to {parse.GetValue(output)}: {summary.Messages} messages, {summary.BagBytes / 1e6:F1} MB; ground truth {summary.GroundTruthTriangles} of {summary.SceneTriangles} surface triangles seen");
            return 0;
        }));
        return command;
    }

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
