using System.Text;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.RmwDdsCommon;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests.Graph;

public sealed class DiscoveryInfoTests
{
    private static byte[] Guid(byte seed) => Enumerable.Range(0, 16).Select(i => (byte)(seed + i)).ToArray();

    private static readonly NodeEntities[] s_nodes =
    [
        new("/", "anyrecon", [Guid(10), Guid(30)], [Guid(50)]),
        new("/robot1", "helper", [], [Guid(70), Guid(90)]),
    ];

    [Fact]
    public void Encode_Jazzy_SameBytesAsTheGeneratedRmwDdsCommonType()
    {
        // Independent path: the message classes generated from rmw_dds_common's Jazzy .msg files (Gid = char[16]).
        var message = new ParticipantEntitiesInfo
        {
            Gid = new Gid { Data = Guid(1) },
            NodeEntitiesInfoSeq = [.. s_nodes.Select(n => new NodeEntitiesInfo
            {
                NodeNamespace = n.Namespace,
                NodeName = n.Name,
                ReaderGidSeq = [.. n.ReaderGids.Select(g => new Gid { Data = g })],
                WriterGidSeq = [.. n.WriterGids.Select(g => new Gid { Data = g })],
            })],
        };
        Assert.Equal(CdrSerializer.Serialize(message), DiscoveryInfo.Encode(Guid(1), s_nodes, RosDistro.Jazzy));
        Assert.Equal("rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_", ParticipantEntitiesInfo.DdsName);
        Assert.Equal(DiscoveryInfo.DdsTypeName, ParticipantEntitiesInfo.DdsName);
    }

    [Fact]
    public void Encode_Humble_GidsPaddedTo24BytesAndRoundTrip()
    {
        byte[] jazzy = DiscoveryInfo.Encode(Guid(1), s_nodes, RosDistro.Jazzy);
        byte[] humble = DiscoveryInfo.Encode(Guid(1), s_nodes, RosDistro.Humble);
        // Six gids (participant + 5 endpoints), each 8 bytes longer; strings and counts unchanged.
        Assert.Equal(jazzy.Length + 6 * 8, humble.Length);
        Assert.Equal(Guid(1), humble[4..20]);
        Assert.All(humble[20..28], b => Assert.Equal(0, b));
        foreach (var distro in new[] { RosDistro.Humble, RosDistro.Jazzy })
        {
            var (participant, nodes) = DiscoveryInfo.Decode(DiscoveryInfo.Encode(Guid(1), s_nodes, distro), distro);
            Assert.Equal(Guid(1), participant);
            Assert.Equal(s_nodes.Length, nodes.Count);
            for (int i = 0; i < nodes.Count; i++)
            {
                Assert.Equal((s_nodes[i].Namespace, s_nodes[i].Name), (nodes[i].Namespace, nodes[i].Name));
                Assert.Equal(s_nodes[i].ReaderGids, nodes[i].ReaderGids);
                Assert.Equal(s_nodes[i].WriterGids, nodes[i].WriterGids);
            }
        }
    }

    [Fact]
    public void UserData_AsRmwCycloneddsWritesIt()
    {
        Assert.Equal("enclave=/;", Encoding.ASCII.GetString(DiscoveryInfo.ParticipantUserData()));
        Assert.Equal($"typehash={Gid.TypeHash};", Encoding.ASCII.GetString(DiscoveryInfo.EndpointUserData(Gid.TypeHash)));
        Assert.Throws<ArgumentException>(() => DiscoveryInfo.EndpointUserData("RIHS01_abc"));
    }
}
