using System.Runtime.InteropServices;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Node;

/// <summary>
/// Runs the node as a process does: ROS arguments in, log lines on stderr in ROS's format, until SIGINT (ros2 launch,
/// Ctrl-C) or SIGTERM; then a clean shutdown that integrates what is queued and writes the final snapshot.
/// </summary>
public static class NodeHost
{
    public static int Run(IReadOnlyList<string> arguments, TextWriter log)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var gate = new Lock();
        void Log(string level, string line)
        {
            lock (gate)
            {
                log.WriteLine($"[{level}] [{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:F3}] [{NodeOptions.DefaultNodeName}]: {line}");
                log.Flush();
            }
        }
        var rosArguments = RosArguments.Parse(arguments);
        using var context = new RosContext(new RosContextOptions { Log = line => Log("WARN", line) });
        var node = new MapperNode(context, rosArguments, line => Log("WARN", line));
        try
        {
            Log("INFO", $"{node.Node.FullyQualifiedName} on ROS_DOMAIN_ID {context.DomainId}: map directory {node.MapDirectory}{(node.Resumed ? " (resumed)" : "")}, " +
                $"{node.Options.Cameras.Count} camera(s): {string.Join("; ", node.Options.Mapping.Cameras.Select(c => $"{c.DepthTopic} + {c.CameraInfoTopic}"))}");
            Task.WaitAny(node.Completion, stop.Token.WaitHandle.WaitOneAsTask());
            if (node.Completion.IsFaulted) Log("ERROR", $"the pipeline failed: {node.Completion.Exception?.GetBaseException().Message}");
            Log("INFO", "shutting down: integrating what is queued, writing the final snapshot");
        }
        finally
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        var report = node.Pipeline.Report();
        Log("INFO", $"stopped after {report.FramesIntegrated} frames, {report.Keyframes} keyframes");
        return node.Completion.IsFaulted ? 1 : 0;
    }

    private static Task WaitOneAsTask(this WaitHandle handle)
    {
        var done = new TaskCompletionSource();
        ThreadPool.RegisterWaitForSingleObject(handle, (_, _) => done.TrySetResult(), null, Timeout.Infinite, executeOnlyOnce: true);
        return done.Task;
    }
}
