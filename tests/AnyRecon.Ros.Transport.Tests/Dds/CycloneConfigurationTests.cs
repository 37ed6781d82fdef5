using Xunit;

namespace AnyRecon.Ros.Transport.Tests;

/// <summary>The Cyclone configuration a node composes from the ROS environment, and that Cyclone accepts each form.</summary>
public sealed class CycloneConfigurationTests
{
    [Theory]
    [InlineData(DiscoveryRange.Subnet)]
    [InlineData(DiscoveryRange.Localhost)]
    [InlineData(DiscoveryRange.Off)]
    public void EveryRangeMakesAConfigurationCycloneAccepts(DiscoveryRange range)
    {
        string xml = CycloneConfiguration.Build(range, userUri: null, staticPeers: range == DiscoveryRange.Off ? [] : ["127.0.0.1"]);
        Assert.Contains("SocketReceiveBufferSize", xml);
        using var participant = new DdsParticipant(DdsTestDomain.Id + 1 + (uint)range, xml, DiscoveryInfo.ParticipantUserData());
        Assert.Equal(16, participant.Guid.Length);
    }

    [Fact]
    public void UserUriComesLastAndReplacesOurBufferDefaults()
    {
        string xml = CycloneConfiguration.Build(DiscoveryRange.Localhost, "<CycloneDDS><Domain><General><MaxMessageSize>14720B</MaxMessageSize></General></Domain></CycloneDDS>");
        Assert.EndsWith(",<CycloneDDS><Domain><General><MaxMessageSize>14720B</MaxMessageSize></General></Domain></CycloneDDS>", xml);
        Assert.DoesNotContain("SocketReceiveBufferSize", xml);
        Assert.Contains("<Peer address=\"127.0.0.1\"/>", xml);
        using var participant = new DdsParticipant(DdsTestDomain.Id + 5, xml, DiscoveryInfo.ParticipantUserData());
    }

    [Fact]
    public void OffIgnoresStaticPeersAndIsolatesTheProcess()
    {
        string xml = CycloneConfiguration.Build(DiscoveryRange.Off, null, ["10.0.0.7"]);
        Assert.DoesNotContain("10.0.0.7", xml);
        Assert.Contains($"<Tag>ros_discovery_off_{Environment.ProcessId}</Tag>", xml);
        Assert.Contains("<AllowMulticast>false</AllowMulticast>", xml);
    }

    [Fact]
    public void StaticPeersAreEscapedIntoThePeerList()
    {
        string xml = CycloneConfiguration.Build(DiscoveryRange.Subnet, null, ["robot1.local", "a\"b"]);
        Assert.Contains("<Peer address=\"robot1.local\"/>", xml);
        Assert.Contains("<Peer address=\"a&quot;b\"/>", xml);
    }
}
