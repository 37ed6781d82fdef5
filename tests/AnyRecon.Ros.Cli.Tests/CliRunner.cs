namespace AnyRecon.Ros.Cli.Tests;

/// <summary>Runs the anyrecon command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public readonly record struct Result(int ExitCode, string Out, string Error)
    {
        public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AnyReconCommand.Run(args, new CommandContext(output, error));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anyrecon-cli-" + Guid.NewGuid().ToString("N"));

        public string Sub(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
