using System.Text.Json;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Cli.Tests;

/// <summary>
/// Large messages between two of our processes (bench transport: a child publishes, this side subscribes and checks
/// every byte): a 6 MB image and a 16 MB point cloud, reliable and best effort, all arrive intact.
/// </summary>
public sealed class TransportBenchTests
{
    [Theory]
    [InlineData("image", false)]
    [InlineData("image", true)]
    [InlineData("cloud", false)]
    [InlineData("cloud", true)]
    public void MultiMegabyteMessagesArriveIntact(string payload, bool bestEffort)
    {
        if (bestEffort) RequireReceiveBuffer();
        string[] args = ["bench", "transport", "--payload", payload, "--width", "1920", "--height", "1080", "--points", "1000000", "--count", "5", "--rate", "2", "--json",
            .. bestEffort ? new[] { "--best-effort" } : []];
        using var run = AnyReconProcess.Run(AnyReconProcess.NewDomain(), TimeSpan.FromMinutes(3), args);
        Assert.True(run.ExitCode == 0, run.ErrorText);
        using var report = JsonDocument.Parse(run.OutputLines[^1]);
        var root = report.RootElement;
        Assert.Equal(payload == "image" ? 1920 * 1080 * 3 : 16_000_000, root.GetProperty("bytes_per_message").GetInt32());
        Assert.Equal(5, root.GetProperty("sent").GetInt32());
        Assert.Equal(0, root.GetProperty("corrupt").GetInt32());
        Assert.True(root.GetProperty("received").GetInt32() == 5, run.OutputLines[^1]);
        // The publisher serializes straight into Cyclone's sample: no managed copy of the payload on the sending side.
        Assert.True(root.GetProperty("publisher_managed_bytes_per_message").GetDouble() < 4096, run.OutputLines[^1]);
    }

    /// <summary>Best-effort multi-MB samples need the kernel to allow a large socket receive buffer (see the README).</summary>
    private static void RequireReceiveBuffer()
    {
        long max = long.Parse(File.ReadAllText("/proc/sys/net/core/rmem_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(max >= 32L << 20, $"net.core.rmem_max is {max}; best-effort multi-MB samples need at least 32 MiB: sysctl -w net.core.rmem_max=33554432 (.ci/setup does this)");
    }
}
