using System.Collections.Concurrent;
using System.Diagnostics;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.CaptureViews.Tests;

/// <summary>
/// The durability contract under a real SIGKILL: a child process (CrashWriter) appends keyframes and prints each
/// acknowledged id; we kill it at random moments (also while it opens and repairs the store), reopen, and check.
/// </summary>
public sealed class CaptureViewCacheKillTests
{
    private const int Width = 160, Height = 120, Runs = 12;

    [Fact]
    public async Task Append_ProcessKilledAtRandomMoments_KeepsEveryAcknowledgedKeyframe()
    {
        var ct = TestContext.Current.CancellationToken;
        string writer = CrashWriterPath();
        Assert.True(File.Exists(writer), $"{writer} not built (the test project builds it through a ProjectReference)");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var log = TestContext.Current.TestOutputHelper;
        log?.WriteLine($"seed {seed}");

        using var dir = new TempDirectory();
        long expectedCount = 0, tornRuns = 0, unacknowledgedButKept = 0;
        for (int run = 0; run < Runs; run++)
        {
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in (string[])[writer, dir.Path, Width.ToString(), Height.ToString()]) start.ArgumentList.Add(arg);
            using var child = Process.Start(start)!;
            var acknowledged = new ConcurrentQueue<long>();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stdout = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync(ct) is string line)
                {
                    if (line.StartsWith("ack ", StringComparison.Ordinal)) acknowledged.Enqueue(long.Parse(line.AsSpan(4)));
                    else if (line.StartsWith("ready ", StringComparison.Ordinal))
                    {
                        Assert.Equal(expectedCount, long.Parse(line.AsSpan(6))); // the child resumed where we left the store
                        ready.TrySetResult();
                    }
                }
            }, ct);
            var stderr = child.StandardError.ReadToEndAsync(ct);

            // Every third run dies early, often inside Open (scan, torn-tail repair); the others mid-stream.
            int delayMs;
            if (run % 3 == 0) delayMs = random.Next(0, 400);
            else
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
                delayMs = random.Next(0, 700);
            }
            await Task.Delay(delayMs, ct);
            // (The message must not await stderr: it is built before the check and would wait for the child to exit.)
            Assert.False(child.HasExited, $"run {run}: the writer exited by itself");
            child.Kill(); // SIGKILL on Unix
            await child.WaitForExitAsync(ct);
            Assert.Equal(137, child.ExitCode); // 128 + SIGKILL: it died by the signal, not by itself
            await stdout; // drain what the child printed before it died
            string errors = await stderr;
            Assert.True(errors.Length == 0, $"run {run}: the writer failed before it was killed: {errors}");

            long[] acks = [.. acknowledged];
            for (int i = 0; i < acks.Length; i++) Assert.Equal(expectedCount + i, acks[i]);

            using var cache = CaptureViewCache.Open(dir.Path);
            long lastAck = acks.Length > 0 ? acks[^1] : expectedCount - 1;
            // Every acknowledged keyframe is there; at most one more (written, killed before it printed the ack).
            Assert.InRange(cache.Count, lastAck + 1, lastAck + 2);
            unacknowledgedButKept += cache.Count - (lastAck + 1);
            for (int id = 0; id < cache.Count; id++)
            {
                var truth = TestKeyframe.Create(id, Width, Height);
                Assert.Null(truth.InfoDifference(cache.Infos[id]));
                Assert.Null(truth.Difference(cache.Get(id)));
            }
            if (cache.Statistics.TornTailBytesDropped > 0) tornRuns++;
            log?.WriteLine($"run {run}: killed {delayMs} ms {(run % 3 == 0 ? "after start" : "after ready")}, {acks.Length} acks, store {cache.Count}, torn tail {cache.Statistics.TornTailBytesDropped} B");

            // The store takes new appends where it left off.
            var next = TestKeyframe.Create(cache.Count, Width, Height);
            Assert.Equal(cache.Count, next.AppendTo(cache).Id);
            Assert.Null(next.Difference(cache.Get(cache.Count - 1)));
            expectedCount = cache.Count;
        }
        log?.WriteLine($"{Runs} kills, {expectedCount} keyframes, {tornRuns} runs left a torn tail, {unacknowledgedButKept} keyframes kept without an ack");
    }

    private static string CrashWriterPath()
    {
        // bin/<Configuration>/<TargetFramework>/ of this test project, mirrored for the writer.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name, configuration = output.Parent!.Name;
        return Path.Combine(Fixtures.RepoRoot, "tests", "AnyRecon.Ros.CaptureViews.CrashWriter", "bin", configuration, framework, "AnyRecon.Ros.CaptureViews.CrashWriter.dll");
    }
}
