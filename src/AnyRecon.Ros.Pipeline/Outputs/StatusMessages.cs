using System.Globalization;
using AnyRecon.Ros.Messages.DiagnosticMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyReconMsgs = AnyRecon.Ros.Messages.AnyReconMsgs;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Turns <see cref="MappingReport"/> snapshots into <c>anyrecon/msg/PipelineStatus</c> and
/// <c>diagnostic_msgs/msg/DiagnosticArray</c> (one status per stage named <c>anyrecon: STAGE</c>, plus
/// <c>anyrecon: map</c> and one <c>anyrecon: camera NAME</c> per camera). A stage is WARN when its input queue dropped
/// items since the previous snapshot, a camera when it integrated nothing since then while another camera did, so a
/// monitor shows current trouble, not trouble long past; remembering those counts is this object's only state.
/// </summary>
public sealed class StatusMessages
{
    public const string HardwareId = "anyrecon";
    public const string NamePrefix = "anyrecon: ";
    private readonly Dictionary<string, long> _lastDropped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastIntegrated = new(StringComparer.Ordinal);

    /// <summary>Both messages for one snapshot; <paramref name="header"/> is shared by them.</summary>
    public (AnyReconMsgs.PipelineStatus Status, DiagnosticArray Diagnostics) Next(MappingReport report, Header header)
    {
        ArgumentNullException.ThrowIfNull(report);
        int count = report.Stages.Count;
        var stages = new AnyReconMsgs.StageStatus[count];
        var diagnostics = new DiagnosticStatus[count + 1];
        for (int i = 0; i < count; i++)
        {
            var stage = report.Stages[i];
            var queue = report.Queues[i];
            stages[i] = new AnyReconMsgs.StageStatus
            {
                Name = stage.Name,
                QueueDepth = (uint)Math.Max(0, queue.Depth),
                QueueCapacity = (uint)queue.Capacity,
                Dropped = (ulong)queue.Dropped,
                Rejected = (ulong)stage.Rejected.Values.Sum(),
                LatencyP50Ms = stage.LatencyP50Ms,
                LatencyP95Ms = stage.LatencyP95Ms,
            };
            long newDrops = queue.Dropped - _lastDropped.GetValueOrDefault(stage.Name);
            _lastDropped[stage.Name] = queue.Dropped;
            long rejected = stage.Rejected.Values.Sum();
            var values = new List<KeyValue>
            {
                Pair("processed", stage.Processed),
                Pair("rejected", rejected),
                Pair("queue", queue.Name),
                Pair("queue_depth", queue.Depth),
                Pair("queue_capacity", queue.Capacity),
                Pair("queue_policy", queue.Policy.ToString()),
                Pair("enqueued", queue.Enqueued),
                Pair("dropped", queue.Dropped),
                Pair("latency_p50_ms", stage.LatencyP50Ms),
                Pair("latency_p95_ms", stage.LatencyP95Ms),
            };
            foreach (var (reason, n) in stage.Rejected.OrderBy(r => r.Key, StringComparer.Ordinal)) values.Add(Pair("rejected: " + reason, n));
            diagnostics[i] = new DiagnosticStatus
            {
                Level = newDrops > 0 ? DiagnosticStatus.WARN : DiagnosticStatus.OK,
                Name = NamePrefix + stage.Name,
                Message = newDrops > 0 ? $"{newDrops} dropped since the last status" : "ok",
                HardwareId = HardwareId,
                Values = [.. values],
            };
        }
        diagnostics[count] = new DiagnosticStatus
        {
            Level = DiagnosticStatus.OK,
            Name = NamePrefix + "map",
            Message = "ok",
            HardwareId = HardwareId,
            Values =
            [
                Pair("frames_in", report.FramesIn),
                Pair("frames_integrated", report.FramesIntegrated),
                Pair("blocks_in_memory", report.BlocksInMemory),
                Pair("blocks_on_disk", report.BlocksOnDisk),
                Pair("evictions", report.Evictions),
                Pair("reloads", report.Reloads),
                Pair("peak_rss_mb", report.PeakRssMegabytes),
            ],
        };
        var status = new AnyReconMsgs.PipelineStatus
        {
            Header = header,
            Stages = stages,
            FramesIn = (ulong)report.FramesIn,
            FramesIntegrated = (ulong)report.FramesIntegrated,
            // Keyframes the capture-view cache acknowledged (on disk).
            Keyframes = (ulong)report.Keyframes,
            BlocksInMemory = (ulong)report.BlocksInMemory,
            BlocksOnDisk = (ulong)report.BlocksOnDisk,
            RssMb = ProcessMemory.RssMegabytes(),
            PeakRssMb = report.PeakRssMegabytes,
        };
        return (status, new DiagnosticArray { Header = header, Status = [.. diagnostics, .. CameraStatuses(report.Cameras ?? [])] });
    }

    private List<DiagnosticStatus> CameraStatuses(IReadOnlyList<CameraReport> cameras)
    {
        var fresh = cameras.Select(c => c.FramesIntegrated - _lastIntegrated.GetValueOrDefault(c.Name)).ToArray();
        var statuses = new List<DiagnosticStatus>(cameras.Count);
        for (int i = 0; i < cameras.Count; i++)
        {
            var camera = cameras[i];
            _lastIntegrated[camera.Name] = camera.FramesIntegrated;
            bool silent = fresh[i] == 0 && fresh.Any(n => n > 0);
            statuses.Add(new DiagnosticStatus
            {
                Level = silent ? DiagnosticStatus.WARN : DiagnosticStatus.OK,
                Name = NamePrefix + "camera " + camera.Name,
                Message = silent ? "no frame integrated since the last status while other cameras had some" : $"{fresh[i]} frames integrated since the last status",
                HardwareId = HardwareId,
                Values =
                [
                    Pair("frames_assembled", camera.FramesAssembled),
                    Pair("frames_integrated", camera.FramesIntegrated),
                    Pair("keyframes", camera.Keyframes),
                    Pair("last_stamp_ns", camera.LastStampNs),
                ],
            });
        }
        return statuses;
    }

    private static KeyValue Pair(string key, string value) => new() { Key = key, Value = value };

    private static KeyValue Pair(string key, long value) => Pair(key, value.ToString(CultureInfo.InvariantCulture));

    private static KeyValue Pair(string key, double value) => Pair(key, value.ToString("0.###", CultureInfo.InvariantCulture));
}
