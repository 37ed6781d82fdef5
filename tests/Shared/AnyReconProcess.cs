using System.Collections.Concurrent;
using System.Diagnostics;

namespace AnyRecon.Ros.Tests;

/// <summary>
/// The anyrecon command line as a separate process on a DDS domain of its own (loopback discovery), for tests where
/// two processes meet on the wire. Output lines are collected; <see cref="Interrupt"/> sends SIGINT as ros2 launch does.
/// </summary>
internal sealed class AnyReconProcess : IDisposable
{
    // Each test assembly that starts processes has its own range of domain ids, so parallel test runs never meet.
    private static int s_nextDomain = (typeof(AnyReconProcess).Assembly.GetName().Name ?? "") switch
    {
        "AnyRecon.Ros.Node.Tests" => 40,
        _ => 120,
    } + Environment.ProcessId % 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _out = new(), _error = new();

    private AnyReconProcess(uint domain, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "anyrecon.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["ROS_DOMAIN_ID"] = domain.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST";
        start.Environment.Remove("CYCLONEDDS_URI");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start anyrecon");
        _process.OutputDataReceived += (_, e) => { if (e.Data is string line) _out.Enqueue(line); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is string line) _error.Enqueue(line); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>A domain id no other live test of this run uses.</summary>
    public static uint NewDomain() => (uint)Interlocked.Increment(ref s_nextDomain);

    public static AnyReconProcess Start(uint domain, params string[] args) => new(domain, args);

    /// <summary>Runs to the end (or kills it after <paramref name="timeout"/> and fails).</summary>
    public static AnyReconProcess Run(uint domain, TimeSpan timeout, params string[] args) => Run(domain, timeout, null, args);

    public static AnyReconProcess Run(uint domain, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var process = new AnyReconProcess(domain, args, environment);
        if (!process.WaitForExit(timeout))
        {
            process.Dispose();
            throw new TimeoutException($"anyrecon {string.Join(' ', args)} did not finish within {timeout}");
        }
        return process;
    }

    public int Id => _process.Id;

    public string[] OutputLines => [.. _out];

    public string ErrorText => string.Join('\n', _error);

    public int ExitCode => _process.ExitCode;

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // flushes the redirected streams
        return true;
    }

    /// <summary>Waits until a line of stderr contains <paramref name="text"/>.</summary>
    public bool WaitForError(string text, TimeSpan timeout) =>
        SpinWait.SpinUntil(() => _error.Any(l => l.Contains(text, StringComparison.Ordinal)) || _process.HasExited, timeout) && _error.Any(l => l.Contains(text, StringComparison.Ordinal));

    public bool WaitForOutputLines(int count, TimeSpan timeout) => SpinWait.SpinUntil(() => _out.Count >= count || _process.HasExited, timeout) && _out.Count >= count;

    public void Interrupt() => Signal("INT");

    /// <summary>SIGKILL: no chance to clean up, as a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Terminate() => Signal("TERM");

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
