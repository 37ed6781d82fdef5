using System.Text.Json;
using System.Text.Json.Serialization;
using AnyRecon.Ros.Bags;
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
    public const string PointsTopic = "/anyrecon/points";
    public const string UpdatesTopic = "/anyrecon/map_updates/points";

    public sealed record Result(MappingReport Report, int Points, int Triangles, string OutputDirectory);

    /// <summary>Replays <paramref name="bagPath"/>; <paramref name="warning"/> receives rate-limited warnings as they happen (e.g. a block budget below one frame's blocks).</summary>
    public static async Task<Result> RunAsync(string bagPath, string outputDirectory, MappingOptions options, Action<long, long>? progress = null,
        Action<string>? warning = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        string evictionDirectory = Path.Combine(outputDirectory, "map", "evicted");
        if (options.Voxels.MaxBlocksInMemory != VoxelMemoryOptions.DefaultMaxBlocksInMemory && options.Voxels.EvictionDirectory is null)
            options.Voxels.EvictionDirectory = evictionDirectory;

        using var reader = BagReader.Open(bagPath);
        var topics = new HashSet<string> { options.DepthTopic, options.CameraInfoTopic, "/tf", "/tf_static" };
        if (options.ColorTopic.Length > 0) topics.Add(options.ColorTopic);
        if (options.PoseTopic.Length > 0) topics.Add(options.PoseTopic);
        var missing = topics.Where(t => t is not ("/tf" or "/tf_static") && reader.Topics.All(b => b.Name != t)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"{bagPath} has no topic {string.Join(", ", missing)} (topics: {string.Join(", ", reader.Topics.Select(t => t.Name))}); set them with --params");
        long totalDepth = reader.Metadata.TopicsWithMessageCount.FirstOrDefault(t => t.Topic.Name == options.DepthTopic)?.MessageCount ?? 0;

        using var sink = new OutputBagSink(Path.Combine(outputDirectory, "output.mcap"), options.WorldFrame);
        using var pipeline = new MappingPipeline(options, sink) { Warning = warning };
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
        Directory.CreateDirectory(Path.Combine(outputDirectory, "map"));
        VoxelMapFile.Save(pipeline.Memory, Path.Combine(outputDirectory, "map", MapFileName));
        var report = pipeline.Report();
        File.WriteAllText(Path.Combine(outputDirectory, "report.json"), JsonSerializer.Serialize(new
        {
            bag = bagPath,
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
        }, s_json));
        return new Result(report, points.Count, mesh.TriangleCount, outputDirectory);
    }

    /// <summary>The saved voxel memory inside <c>DIR/map/</c>.</summary>
    public const string MapFileName = "voxels.map";

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the fused map as the live node would publish it, into one MCAP file.</summary>
    private sealed class OutputBagSink : IMapSink, IDisposable
    {
        private readonly McapStorageWriter _writer;
        private readonly string _frame;

        public OutputBagSink(string path, string frame)
        {
            if (File.Exists(path)) File.Delete(path);
            _writer = new McapStorageWriter(path);
            _frame = frame;
            foreach (var topic in new[] { PointsTopic, UpdatesTopic })
                _writer.CreateTopic(new TopicMetadata(topic, PointCloud2.RosTypeName, "cdr", "", PointCloud2.TypeHash),
                    new MessageDefinition(PointCloud2.RosTypeName, "ros2msg", PointCloud2.Definition, PointCloud2.TypeHash));
        }

        public void OnMapChanged(VoxelMemory memory, long sinceStamp, long frameStampNs, bool final)
        {
            var header = new Header
            {
                Stamp = Geometry.MessageConversions.TimeFromNanoseconds(frameStampNs),
                FrameId = _frame,
            };
            // Incremental: only the blocks changed since the last update; the full map now and then and at the end.
            var changed = SurfaceExtractor.ExtractPoints(memory, memory.ChangedBlocksSince(sinceStamp));
            _writer.Write(UpdatesTopic, frameStampNs, CdrSerializer.Serialize(PointCloudMessages.ToPointCloud2(changed, header)), frameStampNs);
            if (final)
            {
                var all = SurfaceExtractor.ExtractPoints(memory);
                _writer.Write(PointsTopic, frameStampNs, CdrSerializer.Serialize(PointCloudMessages.ToPointCloud2(all, header)), frameStampNs);
            }
        }

        public void Dispose() => _writer.Dispose();
    }
}
