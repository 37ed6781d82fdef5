using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Snapshots of a replay in <c>DIR/map/</c>: the map (<see cref="ReplayRun.MapFileName"/>, written to a temp file and
/// renamed) and <c>progress.json</c>, which names the last frame each of the two newest map files holds, keyed by the
/// map's stamp. Progress is written first, so whichever map file a kill leaves behind, its entry is there.
/// </summary>
public sealed class ReplaySnapshots(string mapDirectory) : ISnapshotSink
{
    public const string ProgressFileName = "progress.json";

    private Entry? _previous;

    private sealed record Entry(long MapStamp, long LastFrameStampNs, long FramesIntegrated);

    private string MapPath => Path.Combine(mapDirectory, ReplayRun.MapFileName);

    private string ProgressPath => Path.Combine(mapDirectory, ProgressFileName);

    /// <summary>How long each snapshot took (map and progress written and flushed to disk).</summary>
    public LatencyRecorder Durations { get; } = new();

    public void SaveSnapshot(VoxelMemory memory, long lastFrameStampNs, long framesIntegrated)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        Save(memory, lastFrameStampNs, framesIntegrated);
        Durations.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start));
    }

    private void Save(VoxelMemory memory, long lastFrameStampNs, long framesIntegrated)
    {
        Directory.CreateDirectory(mapDirectory);
        var entry = new Entry(memory.Stamp, lastFrameStampNs, framesIntegrated);
        Entry[] entries = _previous is null || _previous.MapStamp == entry.MapStamp ? [entry] : [entry, _previous];
        string temp = ProgressPath + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, entries.Select(e => new Dictionary<string, long>
            {
                ["map_stamp"] = e.MapStamp,
                ["last_frame_stamp_ns"] = e.LastFrameStampNs,
                ["frames_integrated"] = e.FramesIntegrated,
            }));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, ProgressPath, overwrite: true);
        VoxelMapFile.Save(memory, MapPath);
        _previous = entry;
    }

    /// <summary>The newest complete snapshot, or null when there is none (a fresh start).</summary>
    public ResumePoint? TryLoad(VoxelMemoryOptions runtime)
    {
        if (!File.Exists(MapPath) || !File.Exists(ProgressPath)) return null;
        var info = VoxelMapFile.ReadInfo(MapPath);
        using var document = JsonDocument.Parse(File.ReadAllText(ProgressPath));
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.GetProperty("map_stamp").GetInt64() != info.Stamp) continue;
            var memory = VoxelMapFile.Load(MapPath, runtime);
            long last = item.GetProperty("last_frame_stamp_ns").GetInt64(), frames = item.GetProperty("frames_integrated").GetInt64();
            _previous = new Entry(info.Stamp, last, frames);
            return new ResumePoint(memory, last, frames);
        }
        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
            $"{ProgressPath} has no entry for the map in {MapPath} (stamp {info.Stamp}); the snapshot is not from this replay"));
    }
}
