using System.Diagnostics;
using AnyRecon.Ros.Tests;

namespace AnyRecon.Ros.Node.Tests.Package;

/// <summary>A finished external tool run (python3, cmake, the installed anyrecon): exit code and both streams.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string Output, string Error)
{
    /// <summary>Fails with the command and its output unless it exited 0.</summary>
    public ToolResult Succeeded()
    {
        if (ExitCode != 0) Xunit.Assert.Fail($"`{Command}` exited {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}");
        return this;
    }
}

/// <summary>Runs external tools to the end. A tool that is not installed skips the test (fails under CI).</summary>
internal static class ToolProcess
{
    /// <summary>Debian's interpreter, named explicitly: the python3 on PATH here is another one.</summary>
    public const string Python = "/usr/bin/python3";

    public static string Require(string executable)
    {
        string? found = Path.IsPathRooted(executable) ? (File.Exists(executable) ? executable : null)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(dir => Path.Combine(dir, executable)).FirstOrDefault(File.Exists);
        if (found is null) Fixtures.Unavailable($"suite 'package ({executable})' could not run: {executable} is not installed");
        return found!;
    }

    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        // The test host runs under MSBuild's environment; a nested dotnet publish must start from a clean one.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + executable);
        var output = process.StandardOutput.ReadToEndAsync(Xunit.TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(Xunit.TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(Xunit.TestContext.Current.CancellationToken);
        return new ToolResult($"{executable} {string.Join(' ', start.ArgumentList)}", process.ExitCode, await output, await error);
    }
}
