using System.Text.Json;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

public sealed class BenchFusionCommandTests
{
    [Fact]
    public void BenchFusion_RgbdFolder_PrintsThePeerScriptsKeysAndAUsableMap()
    {
        using var temp = new TempDirectory();
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "living_room", "--frames", "8", "--out", temp.Combine("bag"), "--width", "96").ExitCode);
        Assert.Equal(0, CliRunner.Run("export", temp.Combine("bag"), "--out", temp.Combine("folder")).ExitCode);
        var run = CliRunner.Run("bench", "fusion", "--data", temp.Combine("folder"), "--voxel", "0.03", "--warmup", "2", "--json", "--save-ply", temp.Combine("points.ply"));
        Assert.Equal(0, run.ExitCode);
        var result = JsonDocument.Parse(run.Out).RootElement;
        // The keys of ../shared/peers/open3d_tsdf.py, so a script can compare the two outputs, plus blocks.
        foreach (string key in new[] { "system", "voxel", "frames", "integrate_ms_median", "integrate_ms_p95", "fps", "extract_points_ms", "points", "extract_mesh_ms", "triangles", "peak_rss_mb", "threads", "blocks" })
            Assert.True(result.TryGetProperty(key, out _), key);
        Assert.Equal(8, result.GetProperty("frames").GetInt32());
        Assert.True(result.GetProperty("points").GetInt32() > 0);
        Assert.True(result.GetProperty("integrate_ms_p95").GetDouble() >= result.GetProperty("integrate_ms_median").GetDouble());

        var eval = JsonDocument.Parse(CliRunner.Run("eval", "--map", temp.Combine("points.ply"), "--gt", Path.Combine(temp.Combine("folder"), "gt_mesh.ply"), "--json", "--sample-spacing", "0.005").Out).RootElement;
        Assert.True(eval.GetProperty("fscore").GetProperty("0.05").GetDouble() > 0.9, eval.ToString());
        Assert.True(result.GetProperty("carving").GetBoolean());

        // Without carving (as Open3D integrates) the same blocks are allocated: carving never allocates.
        var off = JsonDocument.Parse(CliRunner.Run("bench", "fusion", "--data", temp.Combine("folder"), "--voxel", "0.03", "--warmup", "2", "--json", "--carving", "off").Out).RootElement;
        Assert.False(off.GetProperty("carving").GetBoolean());
        Assert.Equal(result.GetProperty("blocks").GetInt32(), off.GetProperty("blocks").GetInt32());
        Assert.Equal(1, CliRunner.Run("bench", "fusion", "--data", temp.Combine("folder"), "--voxel", "0.03", "--carving", "maybe").ExitCode);
    }
}
