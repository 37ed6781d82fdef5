using System.CommandLine;

namespace AnyRecon.Ros.Cli;

/// <summary>The root of the <c>anyrecon</c> command line; each concept adds its subcommands.</summary>
internal static class AnyReconCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand("AnyRecon.Ros: camera + pose streams to a dense 3D map, on ROS 2 and rosbag2");
        return root;
    }

    public static int Run(string[] args) => Build().Parse(args).Invoke();
}
