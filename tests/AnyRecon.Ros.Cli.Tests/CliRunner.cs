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
}
