using System.Collections.Concurrent;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Evaluation;
using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdSrvs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using AnyRecon.Ros.Voxels;
using Xunit;
using Vector3 = System.Numerics.Vector3;
using VoxelBlockMessage = AnyRecon.Ros.Messages.AnyReconMsgs.VoxelBlock;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>
/// A consumer of ~/map_updates in another process, as a planner or a remote viewer would be: it merges the changed
/// blocks into a map of its own, follows sequence_number, and on a gap (the node skips one on ~/reset and ~/load_map)
/// fetches the full map with ~/get_map. What it ends up with must be the node's own map.
/// </summary>
public sealed class NodeMapUpdatesTests
{
    private static readonly TimeSpan Long = LiveInput.Long;

    [Fact]
    public async Task AConsumerMergingMapUpdatesRebuildsTheNodesMapAcrossAResetAndALoad()
    {
        var bag = LivingRoomBag.Instance;
        using var temp = new TempDirectory();
        string mapDirectory = temp.Combine("map");
        uint domain = AnyReconProcess.NewDomain();
        // Small updates, so one publish spans several messages; every surface point in ~/get_map; observations only,
        // so nothing changes the map between two updates but the frames.
        using var node = AnyReconProcess.Start(domain, "node", "--ros-args", "-p", $"map_directory:={mapDirectory}", "-p", "voxel_size_m:=0.02",
            "-p", "point_cloud_every_frames:=10", "-p", "map_update_max_blocks:=256", "-p", "points_voxel_size_m:=0.0",
            "-p", "completion_enabled:=false", "-p", "status_period_s:=0.1");
        Assert.True(node.WaitForError("map directory", Long), node.ErrorText);
        using var context = LiveInput.Context(domain);
        using var feeder = new RosNode(context, "feeder");
        using var consumerNode = new RosNode(context, "map_consumer");
        using var getMap = consumerNode.CreateClient<GetMapRequest, GetMapResponse>("/anyrecon/get_map");
        using var reset = feeder.CreateClient<TriggerRequest, TriggerResponse>("/anyrecon/reset");
        using var save = feeder.CreateClient<SaveMapRequest, SaveMapResponse>("/anyrecon/save_map");
        using var load = feeder.CreateClient<LoadMapRequest, LoadMapResponse>("/anyrecon/load_map");
        var ct = TestContext.Current.CancellationToken;
        Assert.True(getMap.WaitForService(Long, ct) && reset.WaitForService(Long, ct) && save.WaitForService(Long, ct) && load.WaitForService(Long, ct));
        using var consumer = new MapUpdateConsumer(() => getMap.CallAsync(new GetMapRequest { VoxelSize = 0 }, Long, ct).GetAwaiter().GetResult().Points);
        // The node offers ~/map_updates reliable and volatile (QosProfiles.Default); a deeper history here so a burst of
        // split updates waits in the reader instead of blocking the node's writer.
        using var updates = consumerNode.CreateSubscription<MapUpdate>("/anyrecon/map_updates",
            QosProfiles.Make(QosHistory.KeepLast, 200, QosReliability.Reliable, QosDurability.Volatile), (m, _) => consumer.Receive(m));
        Assert.True(updates.WaitForPublishers(1, Long, ct));
        PipelineStatus? status = null;
        using var statuses = feeder.CreateSubscription<PipelineStatus>("/anyrecon/status", QosProfiles.Default, (m, _) => Volatile.Write(ref status, m));

        using var color = feeder.CreatePublisher<Image>("/camera/color/image_raw", QosProfiles.SensorData);
        using var depth = feeder.CreatePublisher<Image>("/camera/depth/image_rect_raw", QosProfiles.SensorData);
        using var info = feeder.CreatePublisher<CameraInfo>("/camera/color/camera_info", QosProfiles.SensorData);
        using var tf = feeder.CreatePublisher<TFMessage>("/tf", QosProfiles.Default);
        using var tfStatic = feeder.CreatePublisher<TFMessage>("/tf_static", LiveInput.StaticTf);
        LiveInput.WaitForNode(color, depth, info, tf, tfStatic);
        tfStatic.Publish(bag.Static);
        for (int i = 0; i < 3; i++)
        {
            info.Publish(bag.Frames[0].Info);
            Thread.Sleep(100);
        }
        void Play(int first, int count) => LiveInput.Paced(count, 15, i =>
        {
            var frame = bag.Frames[first + i];
            tf.Publish(frame.Tf);
            info.Publish(frame.Info);
            color.Publish(frame.Color);
            depth.Publish(frame.Depth);
        }, () => LiveInput.FramesDone(Volatile.Read(ref status)));

        int half = 80;
        Play(0, half);
        // Mapping settled (queues empty, nothing integrated for a while) and every update so far merged.
        WaitUntilIdle(() => Volatile.Read(ref status), consumer);
        ulong beforeReset = consumer.LastSequence;
        Assert.True(beforeReset >= 8, $"updates before the reset: {consumer.Describe()}; node: {node.ErrorText}");
        Assert.Equal(0, consumer.Gaps);
        var saved = await save.CallAsync(new SaveMapRequest { Path = "first_half.map" }, Long, ct);
        Assert.True(saved.Success, saved.Message);
        Assert.True((await reset.CallAsync(new TriggerRequest(), Long, ct)).Success);

        Play(half, bag.Frames.Count - half);
        WaitUntilIdle(() => Volatile.Read(ref status), consumer);
        // Back to the first half's map: another gap; the node's next update (its last, at shutdown) carries the whole
        // loaded map, which is also what its final snapshot holds.
        ulong beforeLoad = consumer.LastSequence;
        var loaded = await load.CallAsync(new LoadMapRequest { Path = "first_half.map" }, Long, ct);
        Assert.True(loaded.Success, loaded.Message);
        // SIGINT: the node integrates what is pending, publishes the last update and writes its final snapshot.
        node.Interrupt();
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)), "the node did not end on SIGINT");
        Assert.True(node.ExitCode == 0, node.ErrorText);
        Assert.True(consumer.WaitIdle(TimeSpan.FromSeconds(2), Long), "the consumer did not settle");
        Assert.Null(consumer.Error);

        // A gap exactly where the reset and the load were: the sequence skips one number there and nowhere else, and
        // the consumer fetched the full map each time. Several messages share a stamp: a publish over 256 blocks was split.
        Assert.True(consumer.Gaps == 2, consumer.Describe());
        Assert.Equal([(beforeReset, beforeReset + 2), (beforeLoad, beforeLoad + 2)], consumer.GapLog);
        Assert.True(consumer.Resyncs == 2, consumer.Describe());
        Assert.True(consumer.SplitPublishes > 0, consumer.Describe());

        // The node's final map (the loaded one), from its snapshot: every voxel the consumer holds equals it.
        using var nodeMap = VoxelMapFile.Load(Path.Combine(mapDirectory, "voxels.map"));
        int compared = consumer.AssertSameVoxels(nodeMap);
        Assert.True(compared > 1000, $"only {compared} blocks compared");

        // And the same geometry: the consumer's own surface points (sign changes of the TSDF it merged, plus the full
        // map's points where it holds no blocks) are the node's extraction of its map, as ~/get_map serves it.
        var nodePoints = SurfaceExtractor.ExtractPoints(nodeMap).Select(p => p.Position).ToArray();
        var consumerPoints = consumer.SurfacePoints(nodeMap.TruncationMeters);
        Assert.Equal(nodePoints.Length, consumerPoints.Length);
        var tree = new PointKdTree(consumerPoints);
        int far = nodePoints.Count(p => tree.NearestDistance(p) > 1e-4f);
        Assert.True(far == 0, $"{far} of {nodePoints.Length} node points have no consumer point within 0.1 mm");
    }

    /// <summary>Waits until the node has integrated everything queued and the consumer merged what it published.</summary>
    private static void WaitUntilIdle(Func<PipelineStatus?> status, MapUpdateConsumer consumer)
    {
        ulong last = ulong.MaxValue;
        Assert.True(SpinWait.SpinUntil(() =>
        {
            Thread.Sleep(750); // a few status periods
            var s = status();
            if (s is null || s.Stages.Any(stage => stage.QueueDepth > 0)) return false;
            bool stable = s.FramesIntegrated == last;
            last = s.FramesIntegrated;
            return stable;
        }, Long), "the node did not settle");
        Assert.True(consumer.WaitIdle(TimeSpan.FromSeconds(1), Long), "the consumer did not settle");
    }

    /// <summary>
    /// The consumer: updates are merged on a thread of its own, in arrival order. A block replaces the one it held;
    /// a removal drops it. A sequence gap means its blocks no longer describe the node's map: it drops them and takes the
    /// full map (points) from ~/get_map, keeping those points where it has no newer blocks.
    /// </summary>
    private sealed class MapUpdateConsumer : IDisposable
    {
        private readonly BlockingCollection<MapUpdate> _inbox = new();
        private readonly Func<PointCloud2> _fullMap;
        private readonly Thread _thread;
        private long _lastActivity = Environment.TickCount64;
        private long _lastStampNs = -1;
        private float _voxelSize;

        public MapUpdateConsumer(Func<PointCloud2> fullMap)
        {
            _fullMap = fullMap;
            _thread = new Thread(Run) { IsBackground = true, Name = "map_updates consumer" };
            _thread.Start();
        }

        public Dictionary<BlockIndex, VoxelBlockMessage> Blocks { get; } = [];

        /// <summary>Points of the full map fetched at the last gap; used only where no block has come since.</summary>
        public Vector3[] FullMapPoints { get; private set; } = [];

        public ulong LastSequence { get; private set; }

        public int Received { get; private set; }

        public int Gaps { get; private set; }

        public int Resyncs { get; private set; }

        public int SplitPublishes { get; private set; }

        public List<(ulong Last, ulong Next)> GapLog { get; } = [];

        public Exception? Error { get; private set; }

        public void Receive(MapUpdate update)
        {
            Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
            _inbox.Add(update);
        }

        /// <summary>Waits until nothing arrived or was merged for <paramref name="quiet"/>.</summary>
        public bool WaitIdle(TimeSpan quiet, TimeSpan timeout) => SpinWait.SpinUntil(() =>
            _inbox.Count == 0 && Environment.TickCount64 - Interlocked.Read(ref _lastActivity) > quiet.TotalMilliseconds, timeout);

        public string Describe() => $"{Received} updates, last sequence {LastSequence}, gaps {string.Join(", ", GapLog)}, {SplitPublishes} split publishes, {Blocks.Count} blocks";

        private void Run()
        {
            foreach (var update in _inbox.GetConsumingEnumerable())
            {
                try
                {
                    Apply(update);
                }
                catch (Exception e)
                {
                    Error ??= e;
                }
                Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
            }
        }

        private void Apply(MapUpdate update)
        {
            Received++;
            if (LastSequence != 0 && update.SequenceNumber != LastSequence + 1)
            {
                Gaps++;
                GapLog.Add((LastSequence, update.SequenceNumber));
                Blocks.Clear();
                FullMapPoints = LiveInput.Positions(_fullMap());
                Resyncs++;
            }
            else if (LastSequence == 0 && update.SequenceNumber != 1)
                throw new InvalidOperationException($"subscribed before the first update, yet it is number {update.SequenceNumber}");
            long stamp = update.Header.Stamp.Sec * 1_000_000_000L + update.Header.Stamp.Nanosec;
            if (stamp == _lastStampNs && update.SequenceNumber == LastSequence + 1) SplitPublishes++;
            _lastStampNs = stamp;
            LastSequence = update.SequenceNumber;
            if (update.VoxelsPerBlockSide != 8) throw new InvalidOperationException($"{update.VoxelsPerBlockSide} voxels per block side");
            _voxelSize = update.VoxelSizeM;
            var removed = update.RemovedBlockIndices;
            for (int i = 0; i + 2 < removed.Length; i += 3) Blocks.Remove(new BlockIndex(removed[i], removed[i + 1], removed[i + 2]));
            foreach (var block in update.ChangedBlocks) Blocks[new BlockIndex(block.Index[0], block.Index[1], block.Index[2])] = block;
        }

        /// <summary>
        /// Every voxel of the consumer's blocks equals the node map's (fused values as the node's block reader gives
        /// them); a node block the consumer lacks was never integrated. Returns the blocks compared.
        /// </summary>
        public int AssertSameVoxels(VoxelMemory map)
        {
            var reader = new BlockReader(map);
            var tsdf = new float[BlockIndex.VoxelCount];
            var weight = new float[BlockIndex.VoxelCount];
            var rgb = new byte[3 * BlockIndex.VoxelCount];
            var source = new EvidenceChannel[BlockIndex.VoxelCount];
            foreach (var (index, block) in Blocks)
            {
                Assert.True(reader.TryRead(index, tsdf, weight, rgb, source, out var evidence), $"the consumer holds {index}, the node's map does not");
                Assert.True(tsdf.AsSpan().SequenceEqual(block.Tsdf) && weight.AsSpan().SequenceEqual(block.Weight) && rgb.AsSpan().SequenceEqual(block.Rgb),
                    $"block {index} differs");
                Assert.Equal((byte)evidence, block.Evidence);
            }
            foreach (var index in map.GetBlockIndices().Where(i => !Blocks.ContainsKey(i)))
            {
                Assert.True(reader.TryRead(index, tsdf, weight, rgb, source, out _));
                Assert.True(weight.All(w => w == 0), $"the node's block {index} holds data the consumer never got");
            }
            return Blocks.Count;
        }

        /// <summary>
        /// The consumer's surface: a point on each voxel edge where the merged TSDF changes sign between two voxels that
        /// were integrated and are inside the truncation band (MapUpdate's tsdf is in metres), as the node documents its
        /// extraction; plus the last full map's points that lie in no block it holds.
        /// </summary>
        public Vector3[] SurfacePoints(double truncationMeters)
        {
            float band = (float)(0.999 * truncationMeters);
            var points = new List<Vector3>();
            bool Sample(int x, int y, int z, out float value)
            {
                value = 0;
                var at = new BlockIndex(FloorDiv(x), FloorDiv(y), FloorDiv(z));
                if (!Blocks.TryGetValue(at, out var block)) return false;
                int i = Mod(x) + 8 * (Mod(y) + 8 * Mod(z));
                value = block.Tsdf[i];
                return block.Weight[i] > 0 && MathF.Abs(value) < band;
            }
            foreach (var index in Blocks.Keys)
                for (int z = 0; z < 8; z++)
                for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    int gx = index.X * 8 + x, gy = index.Y * 8 + y, gz = index.Z * 8 + z;
                    if (!Sample(gx, gy, gz, out float a)) continue;
                    for (int axis = 0; axis < 3; axis++)
                    {
                        if (!Sample(gx + (axis == 0 ? 1 : 0), gy + (axis == 1 ? 1 : 0), gz + (axis == 2 ? 1 : 0), out float b) || (a < 0) == (b < 0)) continue;
                        float s = a / (a - b);
                        points.Add(new Vector3(
                            (float)((gx + 0.5 + (axis == 0 ? s : 0)) * _voxelSize), (float)((gy + 0.5 + (axis == 1 ? s : 0)) * _voxelSize), (float)((gz + 0.5 + (axis == 2 ? s : 0)) * _voxelSize)));
                    }
                }
            double blockSize = 8.0 * _voxelSize;
            points.AddRange(FullMapPoints.Where(p => !Blocks.ContainsKey(new BlockIndex((int)Math.Floor(p.X / blockSize), (int)Math.Floor(p.Y / blockSize), (int)Math.Floor(p.Z / blockSize)))));
            return [.. points];
        }

        private static int FloorDiv(int v) => v >= 0 ? v / 8 : (v - 7) / 8;

        private static int Mod(int v) => v - 8 * FloorDiv(v);

        public void Dispose()
        {
            _inbox.CompleteAdding();
            _thread.Join(TimeSpan.FromSeconds(10));
            _inbox.Dispose();
        }
    }
}
