using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests;

/// <summary>
/// The raw-CDR layer hard-codes struct layouts and constants of this libddsc build (some depend on its build options,
/// e.g. shared-memory support). A C probe compiled against the installed headers prints them; each must equal ours.
/// </summary>
public sealed class DdscLayoutTests
{
    [Fact]
    public void HardCodedLayoutsMatchTheInstalledHeaders()
    {
        var actual = Probe();
        var expected = new Dictionary<string, long>
        {
            ["sertype.size"] = Ddsc.Sertype.Size,
            ["sertype.allowed_data_representation"] = Ddsc.Sertype.AllowedDataRepresentation,
            ["sertype_ops.slots"] = Ddsc.SertypeOpsSlots,
            ["serdata_ops.slots"] = Ddsc.SerdataOpsSlots,
            ["serdata.size"] = Ddsc.Serdata.Size,
            ["serdata.refc"] = Ddsc.Serdata.RefCount,
            ["serdata.kind"] = Ddsc.Serdata.Kind,
            ["serdata.type"] = Ddsc.Serdata.Type,
            ["serdata.timestamp"] = Ddsc.Serdata.Timestamp,
            ["rdata.rmsg"] = Ddsc.ReceivedFragment.Message,
            ["rdata.nextfrag"] = Ddsc.ReceivedFragment.Next,
            ["rdata.min"] = Ddsc.ReceivedFragment.Min,
            ["rdata.maxp1"] = Ddsc.ReceivedFragment.MaxPlus1,
            ["rdata.payload_zoff"] = Ddsc.ReceivedFragment.PayloadZoff,
            ["rmsg.size"] = Ddsc.ReceivedFragment.MessageHeaderSize,
            ["sample_info.size"] = Marshal.SizeOf<Ddsc.SampleInfo>(),
            ["sample_info.valid_data"] = Marshal.OffsetOf<Ddsc.SampleInfo>(nameof(Ddsc.SampleInfo.ValidData)),
            ["sample_info.source_timestamp"] = Marshal.OffsetOf<Ddsc.SampleInfo>(nameof(Ddsc.SampleInfo.SourceTimestamp)),
            ["sample_info.publication_handle"] = Marshal.OffsetOf<Ddsc.SampleInfo>(nameof(Ddsc.SampleInfo.PublicationHandle)),
            ["endpoint.size"] = Marshal.SizeOf<Ddsc.BuiltinEndpoint>(),
            ["endpoint.topic_name"] = Marshal.OffsetOf<Ddsc.BuiltinEndpoint>(nameof(Ddsc.BuiltinEndpoint.TopicName)),
            ["endpoint.qos"] = Marshal.OffsetOf<Ddsc.BuiltinEndpoint>(nameof(Ddsc.BuiltinEndpoint.Qos)),
            ["matched_status.size"] = Marshal.SizeOf<Ddsc.MatchedStatus>(),
            ["log_data.message"] = Marshal.OffsetOf<Ddsc.LogData>(nameof(Ddsc.LogData.Message)),
            ["log_data.size"] = Marshal.OffsetOf<Ddsc.LogData>(nameof(Ddsc.LogData.Size)),
            ["builtin.publication"] = Ddsc.BuiltinTopicPublication,
            ["builtin.subscription"] = Ddsc.BuiltinTopicSubscription,
            ["instance_state.alive"] = Ddsc.InstanceAlive,
            ["reliability.reliable"] = Ddsc.ReliabilityReliable,
            ["durability.transient_local"] = Ddsc.DurabilityTransientLocal,
            ["history.keep_all"] = Ddsc.HistoryKeepAll,
            ["retcode.timeout"] = Ddsc.RetTimeout,
            ["retcode.precondition_not_met"] = Ddsc.RetPreconditionNotMet,
            ["serdata_kind.data"] = Ddsc.SerdataKindData,
            ["serdata_kind.key"] = Ddsc.SerdataKindKey,
            ["sertype_flag.no_key"] = Ddsc.SertypeFlagNoKey,
            ["data_representation_flag.xcdr1"] = Ddsc.DataRepresentationFlagXcdr1,
            ["log.warning"] = Ddsc.LogWarning,
        };
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected) Assert.True(value == actual[name], $"{name}: ours {value}, libddsc's headers {actual[name]}");
    }

    private static Dictionary<string, long> Probe()
    {
        string source = Path.Combine(AnyRecon.Ros.Tests.Fixtures.RepoRoot, "tests", "AnyRecon.Ros.Transport.Tests", "Dds", "ddsc_layout_probe.c");
        string binary = Path.Combine(Path.GetTempPath(), $"ddsc_layout_probe_{Environment.ProcessId}");
        try
        {
            // Debian puts dds/features.h (DDS_HAS_SHM and friends) under the multiarch include directory.
            Run("cc", ["-o", binary, source, "-I/usr/include/x86_64-linux-gnu"]);
            return Run(binary, []).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(binary);
        }
    }

    private static string Run(string program, string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd(), error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed (cyclonedds-dev installs the headers): {error}");
        return output;
    }
}
