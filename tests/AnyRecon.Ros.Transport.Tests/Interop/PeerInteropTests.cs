using System.Collections.Concurrent;
using System.Text.Json;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests;

/// <summary>
/// Our node meets independent DDS implementations as ROS 2 nodes would: Fast DDS (what rmw_fastrtps uses) and
/// Cyclone's own typed C API (what generated rmw_cyclonedds types amount to), both with types generated from ROS-style
/// IDL by their own code generators. They decode our Image and PointCloud2 field by field; we decode their PoseStamped.
/// </summary>
public sealed class PeerInteropTests
{
    private static int s_domain = 180 + Environment.ProcessId % 30;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Peers => new() { "fastdds", "cyclone" };

    private static string Program(string peer) => peer == "fastdds" ? DdsPeers.FastDds : DdsPeers.Cyclone;

    // The Cyclone peer reads CYCLONEDDS_URI: give it the loopback discovery our node uses (ROS's LOCALHOST range).
    // Fast DDS announces only its non-loopback addresses, so with it both sides use default (subnet, multicast) discovery,
    // as two ROS 2 nodes on one machine do out of the box.
    private static string? PeerConfig(string peer) => peer == "cyclone" ? DdsTestDomain.Configuration : null;

    private static (RosContext Context, RosNode Node, uint Domain) OurNode(string peer)
    {
        uint domain = (uint)Interlocked.Increment(ref s_domain);
        string configuration = peer == "cyclone" ? DdsTestDomain.Configuration : CycloneConfiguration.Build(DiscoveryRange.Subnet, userUri: null);
        var context = new RosContext(new RosContextOptions { DomainId = domain, CycloneConfiguration = configuration });
        return (context, new RosNode(context, "interop"), domain);
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public void PeerDecodesOurImages(string peer)
    {
        var (context, node, domain) = OurNode(peer);
        using var _ = context;
        using var subscriber = new PeerProcess(Program(peer), domain, PeerConfig(peer), "sub-image", "--topic", "rt/peer/image", "--count", "3", "--timeout", "60");
        Assert.True(subscriber.WaitReady(Timeout), subscriber.ErrorText);
        using var publisher = node.CreatePublisher<Image>("/peer/image", QosProfiles.Default);
        Assert.True(publisher.WaitForSubscriptions(1, Timeout, TestContext.Current.CancellationToken));
        var sent = new List<Image>();
        for (int i = 0; i < 3; i++)
        {
            var image = new Image { Height = 480, Width = 640, Encoding = "rgb8", Step = 640 * 3, Data = Pattern(640 * 480 * 3, i) };
            image.Header.FrameId = $"camera_{i}";
            image.Header.Stamp.Sec = 100 + i;
            image.Header.Stamp.Nanosec = 123_456_789;
            sent.Add(image);
            Assert.True(publisher.Publish(image));
            Thread.Sleep(100);
        }
        Assert.True(subscriber.Finish(Timeout), subscriber.ErrorText);
        var lines = subscriber.Lines;
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var r = json.RootElement;
            Assert.Equal(sent[i].Header.Stamp.Sec, r.GetProperty("sec").GetInt32());
            Assert.Equal(sent[i].Header.Stamp.Nanosec, r.GetProperty("nanosec").GetUInt32());
            Assert.Equal(sent[i].Header.FrameId, r.GetProperty("frame_id").GetString());
            Assert.Equal(480u, r.GetProperty("height").GetUInt32());
            Assert.Equal(640u, r.GetProperty("width").GetUInt32());
            Assert.Equal("rgb8", r.GetProperty("encoding").GetString());
            Assert.Equal(0, r.GetProperty("is_bigendian").GetInt32());
            Assert.Equal(1920u, r.GetProperty("step").GetUInt32());
            Assert.Equal(sent[i].Data.Length, r.GetProperty("data_len").GetInt32());
            Assert.Equal(Fnv1a(sent[i].Data), r.GetProperty("data_fnv").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public void PeerDecodesOurPointClouds(string peer)
    {
        var (context, node, domain) = OurNode(peer);
        using var _ = context;
        using var subscriber = new PeerProcess(Program(peer), domain, PeerConfig(peer), "sub-cloud", "--topic", "rt/peer/points", "--count", "2", "--timeout", "60");
        Assert.True(subscriber.WaitReady(Timeout), subscriber.ErrorText);
        using var publisher = node.CreatePublisher<PointCloud2>("/peer/points", QosProfiles.Latched with { Durability = Bags.QosDurability.Volatile, Depth = 5 });
        Assert.True(publisher.WaitForSubscriptions(1, Timeout, TestContext.Current.CancellationToken));
        var sent = new List<PointCloud2>();
        for (int i = 0; i < 2; i++)
        {
            var cloud = new PointCloud2
            {
                Height = 1, Width = 50_000, PointStep = 16, RowStep = 16 * 50_000, IsDense = i == 0, IsBigendian = false, Data = Pattern(16 * 50_000, i),
                Fields =
                [
                    new PointField { Name = "x", Offset = 0, Datatype = PointField.FLOAT32, Count = 1 },
                    new PointField { Name = "y", Offset = 4, Datatype = PointField.FLOAT32, Count = 1 },
                    new PointField { Name = "z", Offset = 8, Datatype = PointField.FLOAT32, Count = 1 },
                    new PointField { Name = "rgb", Offset = 12, Datatype = PointField.UINT32, Count = 1 },
                ],
            };
            cloud.Header.FrameId = "map";
            cloud.Header.Stamp.Sec = 7 + i;
            sent.Add(cloud);
            Assert.True(publisher.Publish(cloud));
            Thread.Sleep(100);
        }
        Assert.True(subscriber.Finish(Timeout), subscriber.ErrorText);
        var lines = subscriber.Lines;
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < 2; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var r = json.RootElement;
            Assert.Equal(7 + i, r.GetProperty("sec").GetInt32());
            Assert.Equal("map", r.GetProperty("frame_id").GetString());
            Assert.Equal(1u, r.GetProperty("height").GetUInt32());
            Assert.Equal(50_000u, r.GetProperty("width").GetUInt32());
            var fields = r.GetProperty("fields").EnumerateArray().ToArray();
            Assert.Equal(4, fields.Length);
            for (int f = 0; f < 4; f++)
            {
                Assert.Equal(sent[i].Fields[f].Name, fields[f].GetProperty("name").GetString());
                Assert.Equal(sent[i].Fields[f].Offset, fields[f].GetProperty("offset").GetUInt32());
                Assert.Equal(sent[i].Fields[f].Datatype, fields[f].GetProperty("datatype").GetByte());
                Assert.Equal(sent[i].Fields[f].Count, fields[f].GetProperty("count").GetUInt32());
            }
            Assert.False(r.GetProperty("is_bigendian").GetBoolean());
            Assert.Equal(16u, r.GetProperty("point_step").GetUInt32());
            Assert.Equal(800_000u, r.GetProperty("row_step").GetUInt32());
            Assert.Equal(800_000, r.GetProperty("data_len").GetInt32());
            Assert.Equal(Fnv1a(sent[i].Data), r.GetProperty("data_fnv").GetString());
            Assert.Equal(i == 0, r.GetProperty("is_dense").GetBoolean());
        }
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public void OurSubscriberDecodesPeerPoses(string peer)
    {
        var (context, node, domain) = OurNode(peer);
        using var _ = context;
        var received = new BlockingCollection<PoseStamped>();
        using var subscription = node.CreateSubscription<PoseStamped>("/peer/pose", QosProfiles.Default, (m, _) => received.Add(m));
        using var publisher = new PeerProcess(Program(peer), domain, PeerConfig(peer), "pub-pose", "--topic", "rt/peer/pose", "--count", "5", "--rate", "20", "--frame-id", "odom", "--timeout", "60");
        Assert.True(publisher.Finish(Timeout), publisher.ErrorText);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(received.TryTake(out var pose, 10_000, TestContext.Current.CancellationToken), $"pose {i} did not arrive: {publisher.ErrorText}");
            // The peer's documented values for message i.
            Assert.Equal(1000 + i, pose!.Header.Stamp.Sec);
            Assert.Equal((uint)(1000 * i), pose.Header.Stamp.Nanosec);
            Assert.Equal("odom", pose.Header.FrameId);
            Assert.Equal(i + 0.5, pose.Pose.Position.X);
            Assert.Equal(-0.25 * i, pose.Pose.Position.Y);
            Assert.Equal(3.0, pose.Pose.Position.Z);
            Assert.Equal(0.0, pose.Pose.Orientation.X);
            Assert.Equal(0.0, pose.Pose.Orientation.Y);
            Assert.Equal(Math.Sin(0.05 * i), pose.Pose.Orientation.Z, 15);
            Assert.Equal(Math.Cos(0.05 * i), pose.Pose.Orientation.W, 15);
        }
        Assert.Equal(0, subscription.Malformed);
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        for (int k = 0; k < length; k++) data[k] = (byte)(k * 31 + seed * 7 + (k >> 11));
        return data;
    }

    private static string Fnv1a(byte[] data)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in data) hash = (hash ^ b) * 0x100000001b3;
        return hash.ToString("x16");
    }
}
