using System.Collections.Concurrent;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.StdSrvs;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests;

/// <summary>Nodes of two contexts (two DDS participants) in one process: topics, services and graph presence.</summary>
public sealed class RosNodeTests
{
    private static RosContext NewContext() => new(new RosContextOptions { DomainId = DdsTestDomain.Id, CycloneConfiguration = DdsTestDomain.Configuration, Distro = RosDistro.Jazzy });

    [Fact]
    public void PublisherReachesSubscriptionThroughRemappedNames()
    {
        using var talkerContext = NewContext();
        using var listenerContext = NewContext();
        using var talker = new RosNode(talkerContext, "talker", RosArguments.Parse(["--ros-args", "-r", "__ns:=/robot", "-r", "pose:=pose_out"]));
        using var listener = new RosNode(listenerContext, "listener");
        var received = new BlockingCollection<PoseStamped>();
        using var subscription = listener.CreateSubscription<PoseStamped>("/robot/pose_out", QosProfiles.Default, (m, _) => received.Add(m));
        using var publisher = talker.CreatePublisher<PoseStamped>("pose", QosProfiles.Default);
        Assert.Equal("/robot/pose_out", publisher.Topic);
        Assert.True(publisher.WaitForSubscriptions(1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var sent = new PoseStamped();
        sent.Header.FrameId = "map";
        sent.Header.Stamp.Sec = 12;
        sent.Pose.Position.X = 1.5;
        sent.Pose.Orientation.W = 1;
        Assert.True(publisher.Publish(sent));
        Assert.True(received.TryTake(out var got, 10_000, TestContext.Current.CancellationToken));
        Assert.Equal(CdrSerializer.Serialize(sent), CdrSerializer.Serialize(got!));
    }

    [Fact]
    public async Task ServiceAnswersEachCallWithItsOwnReply()
    {
        using var serverContext = NewContext();
        using var clientContext = NewContext();
        using var serverNode = new RosNode(serverContext, "server");
        using var clientNode = new RosNode(clientContext, "client");
        int calls = 0;
        using var service = serverNode.CreateService<SetBoolRequest, SetBoolResponse>("~/enable", request =>
            new SetBoolResponse { Success = request.Data, Message = $"call {Interlocked.Increment(ref calls)}: {request.Data}" });
        using var client = clientNode.CreateClient<SetBoolRequest, SetBoolResponse>("/server/enable");
        Assert.True(client.WaitForService(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.CallAsync(new SetBoolRequest { Data = i % 2 == 0 }, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)));
        for (int i = 0; i < 6; i++) Assert.Equal(i % 2 == 0, replies[i].Success);
        Assert.Equal(6, calls);
        Assert.Equal(6, replies.Select(r => r.Message).Distinct().Count());
    }

    [Fact]
    public void DiscoveryInfoAnnouncesNodeNamesAndEndpointGids()
    {
        using var robotContext = NewContext();
        using var toolContext = NewContext();
        using var node = new RosNode(robotContext, "mapper", RosArguments.Parse(["--ros-args", "-r", "__ns:=/robot1"]));
        using var publisher = node.CreatePublisher<PoseStamped>("~/pose", QosProfiles.Default);
        using var subscription = node.CreateSubscription<PoseStamped>("goal", QosProfiles.SensorData, (_, _) => { });
        NodeEntities? seen = null;
        Assert.True(SpinWait.SpinUntil(() =>
        {
            seen = toolContext.RemoteNodes().FirstOrDefault(n => n.Name == "mapper");
            return seen is { WriterGids.Count: 1, ReaderGids.Count: 1 };
        }, 10_000), "the node never appeared with its endpoints");
        Assert.Equal("/robot1", seen!.Namespace);
        Assert.Equal(publisher.Gid, seen.WriterGids[0]);
        Assert.Equal(subscription.Gid, seen.ReaderGids[0]);
        // And the topic is listed from DDS discovery with its ROS type.
        using var tool = new RosNode(toolContext, "tool");
        Assert.True(SpinWait.SpinUntil(() => tool.Topics().Any(t => t.Name == "/robot1/mapper/pose" && t.Types.Contains("geometry_msgs/msg/PoseStamped")), 10_000),
            string.Join("; ", tool.Topics().Select(t => $"{t.Name} {string.Join(",", t.Types)} {t.Publishers}/{t.Subscribers}")) + " | " +
            string.Join("; ", toolContext.Participant.DiscoveredEndpoints().Select(e => $"{e.DdsTopic} {e.DdsType}")));
    }

    [Fact]
    public void MalformedSamplesAreCountedAndTheSubscriptionKeepsGoing()
    {
        using var a = NewContext();
        using var b = NewContext();
        using var sender = new RosNode(a, "garbage_sender");
        using var receiver = new RosNode(b, "receiver");
        var received = new BlockingCollection<PoseStamped>();
        var warnings = new ConcurrentQueue<string>();
        using var subscription = receiver.CreateSubscription<PoseStamped>("/robot/pose_in", QosProfiles.Default, (m, _) => received.Add(m));
        // Same DDS type name, wrong bytes: what a buggy or hostile publisher puts on the wire.
        using var publisher = sender.CreateRawPublisher("/robot/pose_in", TopicType.From(PoseStamped.TypeInfo), QosProfiles.Default);
        Assert.True(publisher.WaitForSubscriptions(1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        byte[][] garbage =
        [
            [0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f], // a string length of 2 GB
            [0x00, 0x01],                                     // shorter than the encapsulation header
            [0x07, 0x07, 0x00, 0x00, 1, 2, 3, 4],             // an unknown encapsulation
        ];
        foreach (var bytes in garbage) Assert.True(publisher.PublishSerialized(bytes));
        var valid = new PoseStamped();
        valid.Header.FrameId = "after_garbage";
        Assert.True(publisher.Publish(valid));
        Assert.True(received.TryTake(out var got, 10_000, TestContext.Current.CancellationToken));
        Assert.Equal("after_garbage", got!.Header.FrameId);
        Assert.True(SpinWait.SpinUntil(() => subscription.Malformed == 3, 5_000), $"malformed: {subscription.Malformed}");
    }

    [Fact]
    public void UseSimTimeFollowsClockAndReportsJumpsBack()
    {
        using var a = NewContext();
        using var b = NewContext();
        using var player = new RosNode(a, "player");
        using var node = new RosNode(b, "mapper", RosArguments.Parse(["--ros-args", "-p", "use_sim_time:=true"]));
        Assert.True(node.Clock.UseSimTime);
        var jumps = new ConcurrentQueue<(long, long)>();
        node.Clock.JumpedBackwards += (from, to) => jumps.Enqueue((from, to));
        using var clockSubscription = node.FollowSimTime()!;
        using var clock = player.CreatePublisher<Messages.RosgraphMsgs.Clock>("/clock", QosProfiles.Default);
        Assert.True(clock.WaitForSubscriptions(1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        foreach (var (sec, nanosec) in new[] { (100, 5u), (101, 0u), (50, 0u) })
        {
            var stamp = new Messages.RosgraphMsgs.Clock();
            stamp.ClockValue.Sec = sec;
            stamp.ClockValue.Nanosec = nanosec;
            clock.Publish(stamp);
            long expected = sec * 1_000_000_000L + nanosec;
            Assert.True(SpinWait.SpinUntil(() => node.Clock.NowNs == expected, 10_000), $"clock at {node.Clock.NowNs}, expected {expected}");
        }
        Assert.Equal([(101_000_000_000L, 50_000_000_000L)], jumps.ToArray());
        // Without use_sim_time the clock is the system's.
        using var wall = new RosNode(b, "wall");
        Assert.Null(wall.FollowSimTime());
        Assert.InRange(wall.Clock.NowNs, (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100 - 5_000_000_000L, long.MaxValue);
    }

    [Fact]
    public void EndpointsCarryTheJazzyTypeHashAndServiceIdsInUserData()
    {
        using var robot = NewContext();
        using var tool = NewContext();
        using var node = new RosNode(robot, "hashes");
        using var publisher = node.CreatePublisher<PoseStamped>("/hashes/pose", QosProfiles.Default);
        using var service = node.CreateService<TriggerRequest, TriggerResponse>("/hashes/trigger", _ => new TriggerResponse { Success = true });
        List<DiscoveredEndpoint> seen = [];
        Assert.True(SpinWait.SpinUntil(() =>
        {
            seen = tool.Participant.DiscoveredEndpoints();
            return seen.Any(e => e.DdsTopic == "rt/hashes/pose") && seen.Count(e => e.DdsTopic.StartsWith("r", StringComparison.Ordinal) && e.DdsTopic.Contains("hashes/trigger")) == 2;
        }, 10_000));
        var pose = seen.Single(e => e.DdsTopic == "rt/hashes/pose");
        // The hash rosidl computes for geometry_msgs/msg/PoseStamped (Jazzy), from the type description.
        Assert.Equal($"typehash={PoseStamped.TypeInfo.TypeHash};", pose.UserData);
        Assert.Equal("RIHS01_10f3786d7d40fd2b54367835614bff85d4ad3b5dab62bf8bca0cc232d73b4cd8", PoseStamped.TypeInfo.TypeHash);
        var request = seen.Single(e => e.DdsTopic == "rq/hashes/triggerRequest");
        var reply = seen.Single(e => e.DdsTopic == "rr/hashes/triggerReply");
        Assert.Equal("std_srvs::srv::dds_::Trigger_Request_", request.DdsType);
        Assert.Matches("^serviceid=[0-9a-f]{2}(\\.[0-9a-f]{1,2}){15};typehash=RIHS01_[0-9a-f]{64};$", request.UserData);
        Assert.StartsWith(request.UserData.Split(';')[0], reply.UserData, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclaredParametersTakeFileAndCommandLineValuesAndUnknownOnesAreReported()
    {
        using var temp = new AnyRecon.Ros.Tests.TempDirectory();
        string file = temp.Combine("params.yaml");
        File.WriteAllText(file, "/**:\n  ros__parameters:\n    voxel_size: 0.02\n    max_depth: 4\n    mispelled_option: 1\nmapper:\n  ros__parameters:\n    topics: [a, b]\n");
        var logged = new ConcurrentQueue<string>();
        using var context = new RosContext(new RosContextOptions { DomainId = DdsTestDomain.Id, CycloneConfiguration = DdsTestDomain.Configuration, Log = logged.Enqueue });
        using var node = new RosNode(context, "mapper", RosArguments.Parse(["--ros-args", "--params-file", file, "-p", "max_depth:=5.5"]));
        Assert.Equal(0.02, node.DeclareParameter("voxel_size", 0.05));
        Assert.Equal(5.5, node.DeclareParameter("max_depth", 3.0));
        Assert.Equal(["a", "b"], node.DeclareParameter<string[]>("topics", []));
        Assert.Equal(10, node.DeclareParameter("queue_depth", 10));
        var error = Assert.Throws<ArgumentException>(() => node.DeclareParameter("voxel_size", "x"));
        Assert.Contains("voxel_size", error.Message);
        Assert.Equal(["mispelled_option"], node.WarnUndeclaredParameters());
        Assert.Contains(logged, l => l.Contains("mispelled_option", StringComparison.Ordinal));
    }
}
