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
}
