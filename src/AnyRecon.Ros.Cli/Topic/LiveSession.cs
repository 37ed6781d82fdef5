using System.Runtime.InteropServices;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Cli.Topic;

/// <summary>
/// A command's time on the live graph: one ROS context and node, ended by SIGINT (Ctrl-C, ros2 launch) or SIGTERM
/// through <see cref="Stopping"/>, so every command shuts down cleanly — publishers acknowledged, bags closed.
/// </summary>
internal sealed class LiveSession : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _signals;

    private LiveSession(CommandContext context, string nodeName, IReadOnlyList<string> rosArguments)
    {
        _signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
        Context = new RosContext(new RosContextOptions { Log = line => context.Error.WriteLine($"warning: {line}") });
        Node = new RosNode(Context, nodeName, RosArguments.Parse(rosArguments));
    }

    public RosContext Context { get; }

    public RosNode Node { get; }

    public CancellationToken Stopping => _stop.Token;

    public static LiveSession Start(CommandContext context, string nodeName, IReadOnlyList<string>? rosArguments = null) =>
        new(context, nodeName, rosArguments ?? []);

    /// <summary>Sleeps until <paramref name="delay"/> passes or the session is stopped; false if stopped.</summary>
    public bool Sleep(TimeSpan delay) => !Stopping.WaitHandle.WaitOne(delay);

    private void OnSignal(PosixSignalContext signal)
    {
        signal.Cancel = true; // we end ourselves, after closing what is open
        _stop.Cancel();
    }

    public void Dispose()
    {
        Node.Dispose();
        Context.Dispose();
        foreach (var signal in _signals) signal.Dispose();
        _stop.Dispose();
    }
}
