namespace AnyRecon.Ros.Cli;

internal static class Program
{
    private static int Main(string[] args) => AnyReconCommand.Run(args);
}
