using System.Diagnostics;

namespace AnyRecon.Ros.Cli;

/// <summary>This anyrecon program started again as a child process (the other side of a two-process benchmark).</summary>
internal static class SelfProcess
{
    /// <summary>Starts <c>anyrecon ARGS</c>; <paramref name="drain"/> discards its output so a full pipe never blocks it.</summary>
    public static Process Start(IEnumerable<string> arguments, bool drain)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program to start it again");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as `dotnet anyrecon.dll`: the child needs the dll too.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start anyrecon {string.Join(' ', arguments)}");
        if (drain)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return process;
    }
}
