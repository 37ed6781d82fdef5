using System.CommandLine;
using AnyRecon.Ros.Node;

namespace AnyRecon.Ros.Cli.Node;

/// <summary>
/// <c>anyrecon node [--ros-args …]</c>: the live mapping node on the ROS 2 graph until SIGINT/SIGTERM, as
/// <c>ros2 run anyrecon anyrecon --ros-args …</c> or <c>ros2 launch anyrecon node.launch.py</c> start it.
/// </summary>
internal static class NodeCommand
{
    public static Command Build(CommandContext context)
    {
        var printDefaults = new Option<bool>("--print-default-params") { Description = "Print every parameter with its default (config/anyrecon.yaml) and exit" };
        var rosArgs = new Argument<string[]>("ros-args") { Description = "--ros-args [-r from:=to] [-p name:=value] [--params-file FILE] ...", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("node", "Run the mapping node on the live ROS 2 graph (parameters as ROS 2 takes them, see config/anyrecon.yaml)") { printDefaults, rosArgs };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => context.Guard(() =>
        {
            if (parse.GetValue(printDefaults))
            {
                context.Out.Write(NodeParameters.DefaultParameterFile());
                return 0;
            }
            string[] arguments = [.. parse.GetValue(rosArgs) ?? [], .. parse.UnmatchedTokens];
            return NodeHost.Run(arguments, context.Error);
        }));
        return command;
    }
}
