using System.Globalization;
using System.Text;
using System.Text.Json;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class EvalCommandTests
{
    [Fact]
    public void Eval_MapOnTheGroundTruthSurface_ScoresPerfectly_AndShiftedMapScoresWorse()
    {
        using var temp = new TempDirectory();
        // Ground truth from synth; a "map" made of points on its surface, and the same points shifted 3 cm.
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "living_room", "--frames", "4", "--out", temp.Combine("bag"), "--width", "64").ExitCode);
        string gt = Path.Combine(temp.Combine("bag"), "gt_mesh.ply");
        var mesh = Voxels.PlyFile.Read(gt);
        var onSurface = Evaluation.SurfaceSampler.Sample(new Evaluation.TriangleSurface(mesh.Positions, mesh.Triangles), 0.01, seed: 9);
        WritePoints(temp.Combine("map.ply"), onSurface, 0);
        WritePoints(temp.Combine("shifted.ply"), onSurface, 0.03f);

        var perfect = JsonDocument.Parse(CliRunner.Run("eval", "--map", temp.Combine("map.ply"), "--gt", gt, "--json", "--sample-spacing", "0.005").Out).RootElement;
        Assert.True(perfect.GetProperty("accuracy").GetDouble() < 0.004);
        Assert.True(perfect.GetProperty("fscore").GetProperty("0.02").GetDouble() > 0.99);
        foreach (string key in new[] { "accuracy", "completeness", "chamfer" }) Assert.True(perfect.TryGetProperty(key, out _), key);
        foreach (string t in new[] { "0.01", "0.02", "0.05" }) Assert.True(perfect.GetProperty("precision").TryGetProperty(t, out _), t);

        var shifted = JsonDocument.Parse(CliRunner.Run("eval", "--map", temp.Combine("shifted.ply"), "--gt", gt, "--json", "--sample-spacing", "0.005").Out).RootElement;
        Assert.True(shifted.GetProperty("fscore").GetProperty("0.02").GetDouble() < perfect.GetProperty("fscore").GetProperty("0.02").GetDouble());
        Assert.True(shifted.GetProperty("fscore").GetProperty("0.05").GetDouble() > 0.9);
    }

    [Fact]
    public void Eval_MissingOrBrokenFiles_OneErrorLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("broken.ply"), "ply\nformat ascii 1.0\nelement vertex 5\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n");
        var run = CliRunner.Run("eval", "--map", temp.Combine("broken.ply"), "--gt", temp.Combine("missing.ply"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Error);
    }

    private static void WritePoints(string path, System.Numerics.Vector3[] points, float dz)
    {
        var sb = new StringBuilder($"ply\nformat ascii 1.0\nelement vertex {points.Length}\nproperty float x\nproperty float y\nproperty float z\nend_header\n");
        foreach (var p in points) sb.Append(CultureInfo.InvariantCulture, $"{p.X} {p.Y} {p.Z + dz}\n");
        File.WriteAllText(path, sb.ToString());
    }
}
