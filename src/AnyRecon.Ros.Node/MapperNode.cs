using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Messages.StdSrvs;
using AnyRecon.Ros.Pipeline;
using AnyRecon.Ros.Transport;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Node;

/// <summary>
/// The mapping pipeline on the live graph. Camera, TF and pose topics feed the pipeline's ingest queue (never waiting:
/// beyond the queues raw messages are dropped oldest first and counted); the integration stage publishes through
/// <see cref="LiveOutputs"/>; services reach the map between two frames. The map directory holds the voxel memory,
/// its snapshots and the capture-view cache: a restarted node resumes from them.
/// </summary>
public sealed class MapperNode : IAsyncDisposable
{
    private readonly MappingPipeline _pipeline;
    private readonly ReplaySnapshots _snapshots;
    private readonly LiveOutputs _outputs;
    private readonly List<InputTopic> _inputs = [];
    private readonly List<IRosEndpoint> _services = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly Action<string> _log;
    private readonly Timer? _pointsTimer, _statusTimer;
    private int _pointsBusy, _disposed;

    public MapperNode(RosContext context, RosArguments arguments, Action<string>? log = null)
    {
        _log = log ?? context.Log;
        Node = new RosNode(context, NodeOptions.DefaultNodeName, arguments);
        try
        {
            Options = NodeParameters.Declare(Node);
            Node.WarnUndeclaredParameters();
            MapDirectory = Options.ResolvedMapDirectory;
            Directory.CreateDirectory(MapDirectory);
            var mapping = Options.Mapping;
            mapping.Cameras = [.. Options.Cameras.Select(c => new CameraTopics(c.Name, ColorTopic(c), DepthTopic(c), Node.ResolveName(c.CameraInfoTopic)))];
            if (mapping.PoseTopic.Length > 0) mapping.PoseTopic = Node.ResolveName(mapping.PoseTopic);
            mapping.KeyframeDirectory = Path.Combine(MapDirectory, "keyframes");
            if (Options.MemoryBudgetMb > 0 && mapping.Voxels.MaxBlocksInMemory == VoxelMemoryOptions.DefaultMaxBlocksInMemory)
                mapping.Voxels.MaxBlocksInMemory = (int)Math.Max(1000, Options.MemoryBudgetMb * 1048576 / 2 / NodeOptions.BlockBytes);
            if (mapping.Voxels.MaxBlocksInMemory != VoxelMemoryOptions.DefaultMaxBlocksInMemory) mapping.Voxels.EvictionDirectory = Path.Combine(MapDirectory, "evicted");
            _snapshots = new ReplaySnapshots(MapDirectory);
            var resume = _snapshots.TryLoad(mapping.Voxels);
            _outputs = new LiveOutputs(Node, Options, () => _pipeline?.Keyframes, () => _inputs, () => _pipeline!.ArrivalToIntegrated,
                (read, ct) => _pipeline!.ReadMapAsync(read, ct), _log);
            // Status and ~/points follow wall-clock timers here (the pipeline's own status follows frame time, for replay).
            _pipeline = new MappingPipeline(mapping, _outputs, statusSink: null, resume, _snapshots, _outputs) { Warning = _log };
            Resumed = resume is not null;
            if (resume is not null)
                _log($"resumed from {MapDirectory}: {resume.FramesIntegrated} frames, {_pipeline.Keyframes?.Count ?? 0} keyframes, {_pipeline.Memory.ResidentBlockCount} blocks");
            _run = Task.Run(() => _pipeline.RunAsync(_stop.Token));
            Subscribe();
            AdvertiseServices();
            // The first tick publishes the map so far (a resumed one), latched for late subscribers.
            if (Options.PointsRateHz > 0) _pointsTimer = new Timer(_ => PublishPointsTick(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1 / Options.PointsRateHz));
            if (mapping.StatusPeriodSeconds > 0) _statusTimer = new Timer(_ => _outputs.OnStatus(_pipeline.Report(), Node.Clock.NowNs, final: false), null,
                TimeSpan.FromSeconds(mapping.StatusPeriodSeconds), TimeSpan.FromSeconds(mapping.StatusPeriodSeconds));
        }
        catch
        {
            _outputs?.Dispose();
            Node.Dispose();
            throw;
        }
    }

    public RosNode Node { get; }

    public NodeOptions Options { get; }

    public string MapDirectory { get; }

    /// <summary>Whether the node started from a snapshot in its map directory.</summary>
    public bool Resumed { get; }

    public MappingPipeline Pipeline => _pipeline;

    /// <summary>The map directory's snapshots (periodic, on request and on shutdown).</summary>
    public ReplaySnapshots Snapshots => _snapshots;

    /// <summary>Completes when the pipeline stops (after <see cref="DisposeAsync"/>, or faulted).</summary>
    public Task Completion => _run;

    private string ColorTopic(CameraInput c) => c.ColorTopic.Length == 0 ? ""
        : Node.ResolveName(c.ColorTransport == ImageTransport.Compressed ? c.ColorTopic.TrimEnd('/') + "/compressed" : c.ColorTopic);

    private string DepthTopic(CameraInput c) =>
        Node.ResolveName(c.DepthTransport == ImageTransport.CompressedDepth ? c.DepthTopic.TrimEnd('/') + "/compressedDepth" : c.DepthTopic);

    private void Subscribe()
    {
        var sensor = QosProfiles.SensorData;
        for (int i = 0; i < Options.Cameras.Count; i++)
        {
            var camera = Options.Cameras[i];
            var topics = Options.Mapping.Cameras[i];
            if (topics.ColorTopic.Length > 0)
                Input(topics.ColorTopic, camera.ColorTransport == ImageTransport.Compressed ? CompressedImage.RosTypeName : Image.RosTypeName, sensor);
            Input(topics.DepthTopic, camera.DepthTransport == ImageTransport.CompressedDepth ? CompressedImage.RosTypeName : Image.RosTypeName, sensor);
            Input(topics.CameraInfoTopic, CameraInfo.RosTypeName, sensor);
        }
        if (Options.Mapping.PoseTopic.Length > 0) Input(Options.Mapping.PoseTopic, Options.PoseTopicType, sensor);
        else
        {
            // As tf2_ros's listener subscribes: /tf reliable keep_last 100, /tf_static also transient local.
            Input("/tf", Messages.Tf2Msgs.TFMessage.RosTypeName, QosProfiles.Make(QosHistory.KeepLast, 100, QosReliability.Reliable, QosDurability.Volatile));
            Input("/tf_static", Messages.Tf2Msgs.TFMessage.RosTypeName, QosProfiles.Make(QosHistory.KeepLast, 100, QosReliability.Reliable, QosDurability.TransientLocal));
        }
    }

    /// <summary>Subscribes to one input; each message goes to the pipeline as received (its bytes copied once).</summary>
    private void Input(string topic, string rosType, QosProfile qos)
    {
        var type = TopicType.FromRosName(rosType);
        var subscription = Node.CreateRawSubscription(topic, type, qos, (sample, info) =>
        {
            long arrival = System.Diagnostics.Stopwatch.GetTimestamp();
            // Decoded once, in the pipeline's decode stage, which counts bytes that are not this type as malformed.
            var data = sample.Cdr.ToArray();
            try
            {
                var write = _pipeline.Ingest.WriteAsync(new IngestMessage(topic, rosType, Node.Clock.NowNs, data) { ArrivalTicks = arrival }, _stop.Token);
                if (!write.IsCompletedSuccessfully) write.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is System.Threading.Channels.ChannelClosedException or OperationCanceledException)
            {
                // Shutting down: the pipeline takes no more input.
            }
        });
        _inputs.Add(new InputTopic(topic, subscription));
    }

    /// <summary>~/points at its rate, when the map changed; a tick that finds the last one still running is skipped.</summary>
    private void PublishPointsTick()
    {
        if (Interlocked.Exchange(ref _pointsBusy, 1) != 0) return;
        try
        {
            _outputs.PublishPointsAsync(_pipeline.ReadMapAsync, () => MapHeader(_pipeline.LastFrameStampNs), onlyIfChanged: true, _stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _log($"publishing ~/points failed: {e.Message}");
        }
        finally
        {
            Volatile.Write(ref _pointsBusy, 0);
        }
    }

    /// <summary>~/points after the map was replaced (load, reset), whatever the timer does.</summary>
    private void PublishPointsNow()
    {
        if (Options.PointsRateHz > 0)
            _outputs.PublishPointsAsync(_pipeline.ReadMapAsync, () => MapHeader(_pipeline.LastFrameStampNs), onlyIfChanged: false, _stop.Token).GetAwaiter().GetResult();
    }

    private Header MapHeader(long stampNs) => new() { Stamp = MessageConversions.TimeFromNanoseconds(stampNs), FrameId = Options.Mapping.WorldFrame };

    private void AdvertiseServices()
    {
        _services.Add(Node.CreateService<SaveMapRequest, SaveMapResponse>("~/save_map", SaveMap));
        _services.Add(Node.CreateService<LoadMapRequest, LoadMapResponse>("~/load_map", LoadMap));
        _services.Add(Node.CreateService<TriggerRequest, TriggerResponse>("~/reset", Reset));
        _services.Add(Node.CreateService<CompleteViewRequest, CompleteViewResponse>("~/complete_view", CompleteView));
        _services.Add(Node.CreateService<GetMapRequest, GetMapResponse>("~/get_map", GetMap));
    }

    /// <summary>A path inside the map directory, or an error: services never write or read outside it.</summary>
    private string InsideMapDirectory(string relative)
    {
        if (relative.Length == 0) throw new ArgumentException("no path given");
        string full = Path.GetFullPath(Path.Combine(MapDirectory, relative));
        string root = Path.TrimEndingDirectorySeparator(MapDirectory) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal)) throw new ArgumentException($"'{relative}' is outside the map directory {MapDirectory}");
        if (Directory.Exists(full)) throw new ArgumentException($"'{relative}' is a directory");
        return full;
    }

    private SaveMapResponse SaveMap(SaveMapRequest request)
    {
        try
        {
            string saved = _pipeline.WithMapAsync(memory =>
            {
                if (request.Path.Length == 0)
                {
                    var report = _pipeline.Report();
                    _snapshots.SaveSnapshot(memory, _pipeline.LastFrameStampNs, report.FramesIntegrated);
                    return Path.Combine(MapDirectory, ReplayRun.MapFileName);
                }
                string path = InsideMapDirectory(request.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                VoxelMapFile.Save(memory, path);
                return path;
            }).GetAwaiter().GetResult();
            return new SaveMapResponse { Success = true, Message = $"saved to {saved}", SavedPath = saved };
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return new SaveMapResponse { Success = false, Message = e.Message };
        }
    }

    private LoadMapResponse LoadMap(LoadMapRequest request)
    {
        try
        {
            string path = InsideMapDirectory(request.Path);
            var loaded = VoxelMapFile.Load(path, Options.Mapping.Voxels);
            ulong blocks = _pipeline.WithMapAsync(memory =>
            {
                _pipeline.ReplaceMemory(loaded);
                return (ulong)loaded.ResidentBlockCount;
            }).GetAwaiter().GetResult();
            PublishPointsNow();
            return new LoadMapResponse { Success = true, Message = $"loaded {path}", Blocks = blocks };
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or VoxelMapFormatException)
        {
            return new LoadMapResponse { Success = false, Message = e.Message };
        }
    }

    private TriggerResponse Reset(TriggerRequest request)
    {
        _pipeline.WithMapAsync(memory =>
        {
            _pipeline.ReplaceMemory(new VoxelMemory(Options.Mapping.Voxels));
            return 0;
        }).GetAwaiter().GetResult();
        PublishPointsNow();
        return new TriggerResponse { Success = true, Message = "map cleared (the keyframe cache is kept)" };
    }

    private CompleteViewResponse CompleteView(CompleteViewRequest request)
    {
        try
        {
            string frame = request.Target.Header.FrameId;
            if (frame.Length > 0 && frame != Options.Mapping.WorldFrame)
                throw new ArgumentException($"target pose is in '{frame}'; give it in the map frame '{Options.Mapping.WorldFrame}'");
            var pose = request.Target.Pose.ToRigidTransform();
            if (!pose.IsFinite || Math.Abs(pose.Rotation.Norm - 1) > 1e-3) throw new ArgumentException("target pose is not finite or its quaternion is not unit");
            PinholeIntrinsics? intrinsics = null;
            if (request.CameraInfo.Width > 0)
            {
                var model = request.CameraInfo.ToCameraModel();
                intrinsics = model.Intrinsics;
            }
            long stamp = request.Target.Header.Stamp.ToNanoseconds();
            var (completion, view) = _pipeline.CompleteViewAsync(new TargetPose("service", stamp, pose), intrinsics, request.Fuse, _stop.Token).GetAwaiter().GetResult();
            var header = new Header { Stamp = request.Target.Header.Stamp, FrameId = CompletedViewOutputs.TargetFrame };
            _outputs.PublishCompleted(completion.Intrinsics, view, stamp);
            var depth = new byte[view.Depth.Length * 4];
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(view.Depth.AsSpan()).CopyTo(depth);
            return new CompleteViewResponse
            {
                Success = true,
                Message = $"completed from {completion.Retrieved.Count} keyframes",
                Image = RgbdBagWriter.ColorMessage(header, view.Width, view.Height, view.Rgb),
                Depth = new Image { Header = header, Width = (uint)view.Width, Height = (uint)view.Height, Encoding = "32FC1", Step = (uint)view.Width * 4, Data = depth },
                CameraInfo = RgbdBagWriter.CameraInfoMessage(header, completion.Intrinsics),
                KeyframeStamps = [.. completion.Retrieved.Select(k => k.Info.StampNs)],
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return new CompleteViewResponse { Success = false, Message = e.Message };
        }
    }

    private GetMapResponse GetMap(GetMapRequest request)
    {
        var (all, voxelSize) = _outputs.MapPointsAsync(_pipeline.ReadMapAsync, _stop.Token).GetAwaiter().GetResult();
        double cell = request.VoxelSize > 0 ? request.VoxelSize : Options.PointsVoxelSizeMeters;
        var points = MapPoints.Select(all, request.ObservedOnly || Options.PointsObservedOnly, cell, voxelSize);
        return new GetMapResponse { Points = PointCloudMessages.ToPointCloud2(points, MapHeader(_pipeline.LastFrameStampNs)) };
    }

    /// <summary>Stops input, lets the pipeline integrate what is queued, writes the final snapshot, leaves the graph.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var input in _inputs) input.Subscription.Dispose();
        if (_pointsTimer is not null) await _pointsTimer.DisposeAsync().ConfigureAwait(false);
        if (_statusTimer is not null) await _statusTimer.DisposeAsync().ConfigureAwait(false);
        _pipeline.Ingest.Complete();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log($"the pipeline ended with an error: {e.Message}");
        }
        _outputs.OnStatus(_pipeline.Report(), Node.Clock.NowNs, final: true);
        foreach (var service in _services) service.Dispose();
        _outputs.Dispose();
        _pipeline.Dispose();
        Node.Dispose();
        _stop.Dispose();
    }
}
