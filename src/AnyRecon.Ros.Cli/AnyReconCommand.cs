using System.CommandLine;
using AnyRecon.Ros.Cli.Bag;

namespace AnyRecon.Ros.Cli;

/// <summary>The root of the <c>anyrecon</c> command line; each concept adds its subcommands.</summary>
internal static class AnyReconCommand
{
    public static RootCommand Build(CommandContext context)
    {
        var root = new RootCommand("AnyRecon.Ros: camera + pose streams to a dense 3D map, on ROS 2 and rosbag2");
        root.Subcommands.Add(BagCommands.Build(context));
        root.Subcommands.Add(Node.NodeCommand.Build(context));
        root.Subcommands.Add(Topic.TopicCommands.Build(context));
        root.Subcommands.Add(Synth.SynthCommand.Build(context));
        root.Subcommands.Add(Eval.EvalCommand.Build(context));
        root.Subcommands.Add(Replay.ReplayCommand.Build(context));
        root.Subcommands.Add(Replay.ReplayCommand.BuildMap(context));
        root.Subcommands.Add(Bench.BenchFusionCommand.Build(context));
        root.Subcommands.Add(RgbdFolders.RgbdFolderCommands.BuildImport(context));
        root.Subcommands.Add(RgbdFolders.RgbdFolderCommands.BuildExport(context));
        return root;
    }

    public static int Run(string[] args) => Run(args, new CommandContext(Console.Out, Console.Error));

    public static int Run(string[] args, CommandContext context)
    {
        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error };
        return Build(context).Parse(args).Invoke(configuration);
    }
}

/// <summary>Where a command writes; tests pass string writers.</summary>
internal sealed record CommandContext(TextWriter Out, TextWriter Error)
{
    /// <summary>Runs a command body, turning the errors bad input raises into one line on stderr and exit code 1.</summary>
    public int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsInputError(e))
        {
            Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static bool IsInputError(Exception e) => e is AnyRecon.Ros.Bags.BagFormatException
        or AnyRecon.Ros.Bags.CompressionException
        or AnyRecon.Ros.Messages.Cdr.CdrFormatException
        or AnyRecon.Ros.Messages.Definitions.MessageDefinitionException
        or AnyRecon.Ros.Voxels.VoxelMapFormatException
        or AnyRecon.Ros.Voxels.PlyFormatException
        or AnyRecon.Ros.Transport.DdsUnavailableException or AnyRecon.Ros.Transport.DdsException
        or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException or InvalidOperationException;
}
