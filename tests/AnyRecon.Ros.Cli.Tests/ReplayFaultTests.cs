using System.Diagnostics;
using System.Text.Json;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

/// <summary>
/// kill -9 of a real <c>anyrecon replay</c> process at random moments: every keyframe it acknowledged must be in the
/// capture-view cache, whatever snapshot it left must load, and a <c>--resume</c> run on the same directory must
/// finish with the very map and keyframes an uninterrupted run builds.
/// </summary>
public sealed class ReplayFaultTests
{
    [Fact]
    public void Replay_KilledAtRandomMoments_NoAcknowledgedKeyframeLostAndResumeEqualsUninterruptedRun()
    {
        using var temp = new TempDirectory();
        string bag = temp.Combine("bag"), parameters = temp.Combine("params.yaml");
        Assert.Equal(0, CliRunner.Run("synth", "--scene", "living_room", "--frames", "90", "--out", bag, "--width", "160").ExitCode);
        // A snapshot every 6 frames of the 30 Hz recording, so kills land between snapshots of all ages.
        File.WriteAllText(parameters, "snapshot_period_s: 0.2\n");
        string[] Args(string output) => ["replay", bag, "--out", output, "--params", parameters, "--voxel", "0.02"];

        var clean = CliRunner.Run([.. Args(temp.Combine("clean")), "--json"]);
        Assert.Equal(0, clean.ExitCode);
        long frames = JsonDocument.Parse(clean.Out).RootElement.GetProperty("frames_integrated").GetInt64();
        byte[] cleanMap = File.ReadAllBytes(Path.Combine(temp.Combine("clean"), "map", "voxels.map"));
        var cleanKeyframes = Keyframes(temp.Combine("clean"));
        Assert.True(cleanKeyframes.Count >= 4, $"{cleanKeyframes.Count} keyframes");

        // How long a whole child run takes here, so the kills spread over its lifetime.
        var timing = Stopwatch.StartNew();
        using (var child = StartChild(Args(temp.Combine("timing")), []))
        {
            child.WaitForExit();
            Assert.Equal(0, child.ExitCode);
        }
        double runMs = timing.Elapsed.TotalMilliseconds;

        var random = new Random(20261122);
        int killedMidRun = 0, withSnapshot = 0;
        for (int run = 0; run < 10; run++)
        {
            string output = temp.Combine($"killed{run}");
            var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using (var child = StartChild([.. Args(output), "--verbose"], acknowledged))
            {
                Thread.Sleep((int)(runMs * (0.1 + 0.8 * random.NextDouble())));
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                    killedMidRun++;
                }
                child.WaitForExit();
            }
            // Every keyframe the child acknowledged before it died is on disk, intact.
            var kept = Keyframes(output);
            foreach (string line in acknowledged)
            {
                var m = System.Text.RegularExpressions.Regex.Match(line, @"^keyframe (\d+) stamp (\d+) acknowledged$");
                if (!m.Success) continue;
                int id = int.Parse(m.Groups[1].Value);
                Assert.True(id < kept.Count, $"run {run}: acknowledged keyframe {id} lost ({kept.Count} on disk)");
                Assert.Equal(long.Parse(m.Groups[2].Value), kept[id].StampNs);
            }
            string map = Path.Combine(output, "map", "voxels.map");
            if (File.Exists(map))
            {
                withSnapshot++;
                using var loaded = VoxelMapFile.Load(map);
                Assert.True(loaded.BlockCount > 0, $"run {run}: snapshot without blocks");
            }

            var resumed = CliRunner.Run([.. Args(output), "--resume", "--json"]);
            Assert.True(resumed.ExitCode == 0, $"run {run}: resume failed: {resumed.Error}");
            var report = JsonDocument.Parse(resumed.Out).RootElement;
            Assert.Equal(frames, report.GetProperty("frames_integrated").GetInt64());
            Assert.True(File.ReadAllBytes(map).AsSpan().SequenceEqual(cleanMap), $"run {run}: resumed map differs from the uninterrupted one");
            var resumedKeyframes = Keyframes(output);
            Assert.Equal(cleanKeyframes.Select(k => (k.Id, k.StampNs, k.WorldFromCamera)), resumedKeyframes.Select(k => (k.Id, k.StampNs, k.WorldFromCamera)));
            Assert.Equal(cleanKeyframes.Select(k => k.ObservedBlocks.Count), resumedKeyframes.Select(k => k.ObservedBlocks.Count));
        }
        Assert.True(killedMidRun >= 5, $"only {killedMidRun} of 10 kills landed while the replay ran");
        Assert.True(withSnapshot >= 3, $"only {withSnapshot} of 10 kills left a snapshot");
    }

    private static List<KeyframeInfo> Keyframes(string output)
    {
        string directory = Path.Combine(output, "map", "keyframes");
        if (!Directory.Exists(directory)) return [];
        using var cache = CaptureViewCache.Open(directory);
        return [.. cache.Infos];
    }

    /// <summary>The anyrecon executable built next to the tests, as its own process (so SIGKILL hits it alone).</summary>
    private static Process StartChild(string[] args, System.Collections.Concurrent.ConcurrentQueue<string> errorLines)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "anyrecon.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start anyrecon");
        // Drain the pipes so a full buffer never blocks the child.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is string line) errorLines.Enqueue(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
