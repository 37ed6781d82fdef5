using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests;

/// <summary>
/// The two independent DDS programs of Peers/ (Fast DDS with fastddsgen types, Cyclone's typed C API with idlc
/// types), built once per test run with Peers/build.sh from Debian's packages.
/// </summary>
public sealed class DdsPeers
{
    private static readonly Lazy<string> s_directory = new(Build);

    public static string Directory => s_directory.Value;

    public static string FastDds => Path.Combine(Directory, "anyrecon-peer-fastdds");

    public static string Cyclone => Path.Combine(Directory, "anyrecon-peer-cyclone");

    private static string Build()
    {
        string script = Path.Combine(AnyRecon.Ros.Tests.Fixtures.RepoRoot, "tests", "AnyRecon.Ros.Transport.Tests", "Peers", "build.sh");
        string output = Path.Combine(AppContext.BaseDirectory, "peers");
        var start = new ProcessStartInfo("bash", [script, output]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var build = Process.Start(start)!;
        string stdout = build.StandardOutput.ReadToEnd(), stderr = build.StandardError.ReadToEnd();
        build.WaitForExit();
        Assert.True(build.ExitCode == 0, $"building the DDS peers failed (.ci/setup installs cmake, g++, cyclonedds-dev, cyclonedds-tools, libfastrtps-dev, libfastcdr-dev, fastddsgen):\n{stdout}\n{stderr}");
        return output;
    }
}

/// <summary>One running peer program: its stdout lines (one JSON object per sample) and stderr.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _out = new(), _error = new();

    public PeerProcess(string program, uint domain, string? cycloneUri, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ROS_DOMAIN_ID"] = domain.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (cycloneUri is null) start.Environment.Remove("CYCLONEDDS_URI");
        else start.Environment["CYCLONEDDS_URI"] = cycloneUri;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is string line) _out.Enqueue(line); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is string line) _error.Enqueue(line); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string[] Lines => [.. _out];

    public string ErrorText => string.Join('\n', _error);

    public bool WaitReady(TimeSpan timeout) => SpinWait.SpinUntil(() => _error.Contains("ready") || _process.HasExited, timeout) && _error.Contains("ready");

    /// <summary>Waits for the exit; true if it exited with 0.</summary>
    public bool Finish(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();
        return _process.ExitCode == 0;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
