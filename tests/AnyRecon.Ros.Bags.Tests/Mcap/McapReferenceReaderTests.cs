using System.Diagnostics;
using System.Text.Json.Nodes;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>
/// Files from <see cref="McapWriter"/> read by foxglove's TypeScript reference reader (@mcap/core, what Foxglove Studio
/// uses), an implementation independent of ours. <c>.ci/setup</c> installs it (<c>npm ci</c> in ReferenceReader/, versions
/// pinned by its package-lock.json); ANYRECON_MCAP_NODE_MODULES can point elsewhere. Missing under CI is a failure;
/// elsewhere the test is skipped with a message saying so.
/// </summary>
public sealed class McapReferenceReaderTests : IDisposable
{
    public const string NodeModulesVariable = "ANYRECON_MCAP_NODE_MODULES";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(McapCompression.None)]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    public void McapWriter_Output_IsReadByTheReferenceReaderWithCrcChecks(McapCompression compression)
    {
        string folder = Path.Combine(Fixtures.RepoRoot, "tests", "AnyRecon.Ros.Bags.Tests", "Mcap", "ReferenceReader");
        string? nodeModules = Environment.GetEnvironmentVariable(NodeModulesVariable);
        if (string.IsNullOrEmpty(nodeModules)) nodeModules = Path.Combine(folder, "node_modules");
        if (!Directory.Exists(Path.Combine(nodeModules, "@mcap", "core")))
        {
            Fixtures.Unavailable($"suite 'MCAP reference reader' could not run: {nodeModules} has no @mcap/core (run .ci/setup, or set {NodeModulesVariable})");
        }

        string path = _temp.Combine($"{compression}.mcap");
        List<WrittenMessage> written = McapTestFiles.Generate(300);
        McapTestFiles.Write(path, written, new McapWriterOptions { Compression = compression, ChunkSizeBytes = 8000, Profile = "ros2" }, w =>
        {
            w.WriteAttachment("calib.yaml", "application/yaml", 1, 2, "k: 1\n"u8);
            w.WriteMetadata("rosbag2", new Dictionary<string, string> { ["ros_distro"] = "jazzy" });
        });

        string script = Path.Combine(folder, "check.cjs");
        var start = new ProcessStartInfo("node", [script, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["NODE_PATH"] = nodeModules;
        using Process node = Process.Start(start)!;
        string output = node.StandardOutput.ReadToEnd();
        string errors = node.StandardError.ReadToEnd();
        Assert.True(node.WaitForExit(60_000), "node did not finish");
        Assert.True(node.ExitCode == 0, errors);

        JsonNode result = JsonNode.Parse(output)!;
        Assert.True((bool)result["streamDone"]!);
        Assert.Null(result["indexedError"]);
        Assert.Equal(written.Count, (int)result["kinds"]!["Message"]!);
        Assert.Equal(written.Count, (int)result["indexedMessages"]!);
        Assert.Equal(written.Count, (int)result["statisticsMessages"]!);
        Assert.Equal(written.Sum(m => m.Data.Length), (int)result["dataBytes"]!);
        Assert.True((bool)result["ordered"]!);
        Assert.Equal((1, 1, "ros2"), ((int)result["attachments"]!, (int)result["metadata"]!, (string)result["profile"]!));
        Assert.Equal((int)result["chunks"]!, (int)result["kinds"]!["ChunkIndex"]!);
    }
}
