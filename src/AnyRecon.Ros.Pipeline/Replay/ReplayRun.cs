using System.Text.Json;
using System.Text.Json.Serialization;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Bags.Mcap;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// <c>anyrecon replay</c>: a bag through the mapping pipeline as fast as it goes. Writes <c>map.ply</c>, <c>mesh.ply</c>,
/// <c>map/</c> (the saved voxel memory), <c>report.json</c> and <c>output.mcap</c> (the topics the live node publishes).
/// </summary>
public static class ReplayRun
{
    public sealed record Result(MappingReport Report, int Points, int Triangles, string OutputDirectory);

    /// <summary>
    /// Replays <paramref name="bagPath"/>; <paramref name="warning"/> receives rate-limited warnings as they happen (e.g.
    /// a block budget below one frame's blocks). With <paramref name="resume"/> it continues from the snapshot in
    /// <paramref name="outputDirectory"/> (if there is one): its map, and the bag's frames after the last one it holds.
    /// </summary>
    public static async Task<Result> RunAsync(string bagPath, string outputDirectory, MappingOptions options, Action<long, long>? progress = null,
        Action<string>? warning = null, CancellationToken cancellationToken = default, bool resume = false, Action<KeyframeInfo>? keyframeAcknowledged = null,
        string? groundTruthViews = null)
    {
        Directory.CreateDirectory(outputDirectory);
        string evictionDirectory = Path.Combine(outputDirectory, "map", "evicted");
        if (options.Voxels.MaxBlocksInMemory != VoxelMemoryOptions.DefaultMaxBlocksInMemory && options.Voxels.EvictionDirectory is null)
            options.Voxels.EvictionDirectory = evictionDirectory;

        using var reader = BagReader.Open(bagPath);
        var topics = new HashSet<string> { "/tf", "/tf_static" };
        foreach (var camera in options.EffectiveCameras)
        {
            topics.Add(camera.DepthTopic);
            topics.Add(camera.CameraInfoTopic);
            if (camera.ColorTopic.Length > 0) topics.Add(camera.ColorTopic);
        }
        if (options.PoseTopic.Length > 0) topics.Add(options.PoseTopic);
        var missing = topics.Where(t => t is not ("/tf" or "/tf_static") && reader.Topics.All(b => b.Name != t)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"{bagPath} has no topic {string.Join(", ", missing)} (topics: {string.Join(", ", reader.Topics.Select(t => t.Name))}); set them with --params");
        long totalDepth = reader.Metadata.TopicsWithMessageCount.FirstOrDefault(t => t.Topic.Name == options.DepthTopic)?.MessageCount ?? 0;

        var snapshots = new ReplaySnapshots(Path.Combine(outputDirectory, "map"));
        var completed = options.Completion.Enabled ? new CompletedViewOutputs(Path.Combine(outputDirectory, CompletedDirectoryName), groundTruthViews) : null;
        // Keyframes live beside the map; a fresh run starts an empty cache, a resumed one appends to it.
        options.KeyframeDirectory ??= Path.Combine(outputDirectory, "map", KeyframeDirectoryName);
        if (!resume && Directory.Exists(options.KeyframeDirectory)) Directory.Delete(options.KeyframeDirectory, recursive: true);
        var resumePoint = resume ? snapshots.TryLoad(options.Voxels) : null;
        using var sink = new OutputBagSink(Path.Combine(outputDirectory, "output.mcap"), options, completed);
        using var pipeline = new MappingPipeline(options, sink, sink, resumePoint, snapshots, completed is null ? null : sink) { Warning = warning, KeyframeAcknowledged = keyframeAcknowledged };
        var run = pipeline.RunAsync(cancellationToken);
        var typeOf = reader.Topics.ToDictionary(t => t.Name, t => t.Type);
        long depthSeen = 0;
        try
        {
            foreach (var message in reader.ReadMessages(new MessageFilter { Topics = topics }))
            {
                // The bag's buffer is only valid until the next message: the pipeline gets its own copy.
                await pipeline.Ingest.WriteAsync(new IngestMessage(message.Topic.Name, typeOf[message.Topic.Name], message.TimestampNs, message.Data.ToArray()), cancellationToken).ConfigureAwait(false);
                if (message.Topic.Name == options.DepthTopic) progress?.Invoke(++depthSeen, totalDepth);
            }
        }
        finally
        {
            pipeline.Ingest.Complete();
        }
        await run.ConfigureAwait(false);

        var points = SurfaceExtractor.ExtractPoints(pipeline.Memory);
        using (var stream = File.Create(Path.Combine(outputDirectory, "map.ply"))) PlyFile.WritePoints(stream, points);
        var mesh = SurfaceExtractor.ExtractMesh(pipeline.Memory);
        using (var stream = File.Create(Path.Combine(outputDirectory, "mesh.ply"))) PlyFile.WriteMesh(stream, mesh);
        // The pipeline's last snapshot is the saved map.
        var report = pipeline.Report();
        completed?.WriteContactSheet();
        File.WriteAllText(Path.Combine(outputDirectory, "report.json"), JsonSerializer.Serialize(new
        {
            bag = bagPath,
            frames_in = report.FramesIn,
            frames_integrated = report.FramesIntegrated,
            keyframes = report.Keyframes,
            elapsed_s = report.ElapsedSeconds,
            fps = report.ElapsedSeconds > 0 ? report.FramesIntegrated / report.ElapsedSeconds : 0,
            peak_rss_mb = report.PeakRssMegabytes,
            voxel_size_m = options.Voxels.VoxelSizeMeters,
            blocks_in_memory = report.BlocksInMemory,
            blocks_on_disk = report.BlocksOnDisk,
            peak_blocks_in_memory = report.PeakBlocksInMemory,
            max_blocks_in_memory = options.Voxels.MaxBlocksInMemory == VoxelMemoryOptions.DefaultMaxBlocksInMemory ? (int?)null : options.Voxels.MaxBlocksInMemory,
            budget_overruns = report.BudgetOverruns,
            evictions = report.Evictions,
            reloads = report.Reloads,
            points = points.Count,
            triangles = mesh.TriangleCount,
            stages = report.Stages.Select(s => new { name = s.Name, processed = s.Processed, latency_p50_ms = s.LatencyP50Ms, latency_p95_ms = s.LatencyP95Ms, rejected = s.Rejected }),
            queues = report.Queues.Select(q => new { name = q.Name, capacity = q.Capacity, depth = q.Depth, enqueued = q.Enqueued, dropped = q.Dropped, policy = q.Policy.ToString() }),
            sync = report.Sync,
            last_pose_error = report.LastPoseError,
            transforms = report.TransformRejections,
            warnings = report.Warnings,
            resumed_after_stamp_ns = report.ResumedAfterStampNs,
            skipped_before_resume = report.SkippedBeforeResume,
            views_completed = report.ViewsCompleted,
            generated_pixels_fused = report.GeneratedPixelsFused,
        }, s_json));
        return new Result(report, points.Count, mesh.TriangleCount, outputDirectory);
    }

    /// <summary>The saved voxel memory inside <c>DIR/map/</c>.</summary>
    public const string MapFileName = "voxels.map";

    /// <summary>Completed views inside <c>DIR/</c>.</summary>
    public const string CompletedDirectoryName = "completed";

    /// <summary>The capture-view cache inside <c>DIR/map/</c>.</summary>
    public const string KeyframeDirectoryName = "keyframes";

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes what the live node publishes (<see cref="NodeTopics"/>) into one MCAP file: map updates as MapUpdate and as
    /// PointCloud2 of the changed blocks, the whole fused cloud at the end, and status plus diagnostics.
    /// </summary>
    private sealed class OutputBagSink : IMapSink, IStatusSink, ICompletionSink, IDisposable
    {
        private readonly McapStorageWriter _writer;
        private readonly MappingOptions _options;
        private readonly StatusMessages _status = new();
        private readonly CompletedViewOutputs? _completed;
        private MapUpdateSerializer? _updates;

        public OutputBagSink(string path, MappingOptions options, CompletedViewOutputs? completed)
        {
            if (File.Exists(path)) File.Delete(path);
            _writer = new McapStorageWriter(path);
            _options = options;
            _completed = completed;
            foreach (var topic in NodeTopics.All) topic.CreateIn(_writer);
            if (completed is not null) foreach (var topic in NodeTopics.Completion) topic.CreateIn(_writer);
        }

        public void OnViewCompleted(TargetPose target, Completion.CompletionRequest request, Completion.CompletedView view)
        {
            _completed!.Write(target, request, view);
            // Stamped with the target's stamp, or the newest frame's for targets completed at the end.
            long stamp = target.StampNs > 0 ? target.StampNs : _lastStamp;
            var header = new Header { Stamp = Geometry.MessageConversions.TimeFromNanoseconds(stamp), FrameId = CompletedViewOutputs.TargetFrame };
            Write(NodeTopics.CompletedImage, stamp, CdrSerializer.Serialize(RgbdBagWriter.ColorMessage(header, view.Width, view.Height, view.Rgb)));
        }

        private long _lastStamp;

        public void OnMapChanged(VoxelMemory memory, long sinceStamp, long frameStampNs, bool final)
        {
            _lastStamp = frameStampNs;
            var header = new Header
            {
                Stamp = Geometry.MessageConversions.TimeFromNanoseconds(frameStampNs),
                FrameId = _options.WorldFrame,
            };
            // Incremental: only the blocks changed since the last update; the full map at the end.
            var changed = memory.ChangedBlocksSince(sinceStamp);
            _updates ??= new MapUpdateSerializer(memory, _options.MapUpdateMaxBlocks);
            _updates.Publish(changed, header, update => Write(NodeTopics.MapUpdates, frameStampNs, update.Span));
            // A block's surface also reads a border of its neighbours, so their points changed too.
            var points = SurfaceExtractor.ExtractPoints(memory, SurfaceExtractor.BlocksToReextract(memory, changed));
            Write(NodeTopics.MapUpdatePoints, frameStampNs, CdrSerializer.Serialize(PointCloudMessages.ToPointCloud2(points, header)));
            if (final)
            {
                var all = SurfaceExtractor.ExtractPoints(memory);
                Write(NodeTopics.Points, frameStampNs, CdrSerializer.Serialize(PointCloudMessages.ToPointCloud2(all, header)));
            }
        }

        public void OnStatus(MappingReport report, long stampNs, bool final)
        {
            var header = new Header { Stamp = Geometry.MessageConversions.TimeFromNanoseconds(stampNs) };
            var (status, diagnostics) = _status.Next(report, header);
            Write(NodeTopics.Status, stampNs, CdrSerializer.Serialize(status));
            Write(NodeTopics.Diagnostics, stampNs, CdrSerializer.Serialize(diagnostics));
        }

        private void Write(NodeTopic topic, long stampNs, ReadOnlySpan<byte> data) => _writer.Write(topic.Name, stampNs, data, stampNs);

        public void Dispose() => _writer.Dispose();
    }
}
