using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AnyRecon.Ros.Evaluation;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Cli.Eval;

/// <summary><c>anyrecon eval</c>: reconstruction quality of a point map against a ground-truth mesh.</summary>
internal static class EvalCommand
{
    public static Command Build(CommandContext context)
    {
        var map = new Option<string?>("--map") { Description = "Reconstructed points (PLY; only vertex positions are used)" };
        var gt = new Option<string?>("--gt") { Description = "Ground-truth surface (PLY with faces), same frame and units (metres)" };
        var views = new Option<string?>("--views") { Description = "Completed views: DIR/NAME.png and DIR/guidance/NAME.png (replay --complete's completed/)" };
        var gtViews = new Option<string?>("--gt-views") { Description = "Ground-truth views GT/NAME.png (synth --held-out's held_out/)" };
        var spacing = new Option<double>("--sample-spacing") { Description = "Spacing of the points sampled on the ground truth, metres", DefaultValueFactory = _ => ReconstructionMetrics.DefaultSampleSpacingMeters };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("eval", "Accuracy, completeness, Chamfer and precision/recall/F-score at 1, 2 and 5 cm of a map against a ground-truth mesh (--map --gt); PSNR and SSIM of completed views and of their guidance renders against ground-truth views (--views --gt-views)")
            { map, gt, spacing, json, views, gtViews };
        command.SetAction(parse => context.Guard(() =>
        {
            if (parse.GetValue(views) is string viewDirectory)
            {
                string truthDirectory = parse.GetValue(gtViews) ?? throw new ArgumentException("--views needs --gt-views");
                var (count, completed, guidance) = ViewQuality.Evaluate(viewDirectory, truthDirectory);
                context.Out.WriteLine(parse.GetValue(json)
                    ? string.Create(CultureInfo.InvariantCulture, $"{{\"views\": {count}, \"completed\": {{\"psnr\": {completed.Psnr:R}, \"ssim\": {completed.Ssim:R}}}, \"guidance\": {{\"psnr\": {guidance.Psnr:R}, \"ssim\": {guidance.Ssim:R}}}}}")
                    : string.Create(CultureInfo.InvariantCulture, $"{count} views\n  completed  PSNR {completed.Psnr:F2} dB  SSIM {completed.Ssim:F4}\n  guidance   PSNR {guidance.Psnr:F2} dB  SSIM {guidance.Ssim:F4}"));
                return 0;
            }
            if (parse.GetValue(map) is null || parse.GetValue(gt) is null) throw new ArgumentException("eval needs --map and --gt (or --views and --gt-views)");
            var mapPoints = PlyFile.Read(parse.GetValue(map)!).Positions;
            var gtMesh = PlyFile.Read(parse.GetValue(gt)!);
            if (gtMesh.TriangleCount == 0) throw new ArgumentException($"{parse.GetValue(gt)} has no faces: the ground truth must be a mesh");
            var metrics = ReconstructionMetrics.Evaluate(mapPoints, new TriangleSurface(gtMesh.Positions, gtMesh.Triangles), sampleSpacingMeters: parse.GetValue(spacing));
            context.Out.WriteLine(parse.GetValue(json) ? ToJson(metrics) : ToText(metrics));
            return 0;
        }));
        return command;
    }

    internal static string ToJson(ReconstructionMetrics m)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("accuracy", m.Accuracy);
            w.WriteNumber("completeness", m.Completeness);
            w.WriteNumber("chamfer", m.Chamfer);
            foreach (var (name, values) in new[] { ("precision", m.Precision), ("recall", m.Recall), ("fscore", m.FScore) })
            {
                w.WriteStartObject(name);
                foreach (var (threshold, value) in values.OrderBy(kv => kv.Key)) w.WriteNumber(threshold.ToString("0.00", CultureInfo.InvariantCulture), value);
                w.WriteEndObject();
            }
            w.WriteNumber("map_points", m.MapPoints);
            w.WriteNumber("gt_samples", m.GroundTruthSamples);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string ToText(ReconstructionMetrics m)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"accuracy      {m.Accuracy * 1000:F2} mm   (mean distance map -> ground truth, {m.MapPoints} points)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"completeness  {m.Completeness * 1000:F2} mm   (mean distance ground truth -> map, {m.GroundTruthSamples} samples)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"chamfer       {m.Chamfer * 1000:F2} mm");
        foreach (var t in m.FScore.Keys.Order())
            sb.AppendLine(CultureInfo.InvariantCulture, $"@{t * 100:0} cm         precision {m.Precision[t]:F4}  recall {m.Recall[t]:F4}  F-score {m.FScore[t]:F4}");
        return sb.ToString().TrimEnd();
    }
}
