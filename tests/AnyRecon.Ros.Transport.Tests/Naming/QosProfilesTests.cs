using AnyRecon.Ros.Bags;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests.Naming;

/// <summary>rmw's profiles (rmw/qos_profiles.h), rclcpp's QoS overrides and rosbag2's playback choice.</summary>
public sealed class QosProfilesTests
{
    [Fact]
    public void Profiles_AsRmwDefinesThem()
    {
        Assert.Equal((QosHistory.KeepLast, 10ul, QosReliability.Reliable, QosDurability.Volatile), Policies(QosProfiles.Default));
        Assert.Equal((QosHistory.KeepLast, 5ul, QosReliability.BestEffort, QosDurability.Volatile), Policies(QosProfiles.SensorData));
        Assert.Equal((QosHistory.KeepLast, 10ul, QosReliability.Reliable, QosDurability.Volatile), Policies(QosProfiles.Services));
        Assert.Equal((QosHistory.KeepLast, 1000ul, QosReliability.Reliable, QosDurability.Volatile), Policies(QosProfiles.Parameters));
        Assert.Equal((QosHistory.KeepLast, 1ul, QosReliability.Reliable, QosDurability.TransientLocal), Policies(QosProfiles.Latched));
    }

    [Fact]
    public void ApplyOverrides_FromAParameterFile_OnlyForThatTopicAndEndpoint()
    {
        var args = RosArguments.Parse(["--ros-args",
            "-p", "qos_overrides./camera/depth.subscription.reliability:=best_effort",
            "-p", "qos_overrides./camera/depth.subscription.depth:=2",
            "-p", "qos_overrides./anyrecon/points.publisher.durability:=volatile"]);
        var parameters = ParameterFile.Effective(args, "anyrecon", "/");
        var depth = QosProfiles.ApplyOverrides(QosProfiles.Default, "/camera/depth", EndpointKind.Subscription, parameters);
        Assert.Equal((QosHistory.KeepLast, 2ul, QosReliability.BestEffort, QosDurability.Volatile), Policies(depth));
        Assert.Equal(QosProfiles.Default, QosProfiles.ApplyOverrides(QosProfiles.Default, "/camera/depth", EndpointKind.Publisher, parameters));
        Assert.Equal(QosDurability.Volatile, QosProfiles.ApplyOverrides(QosProfiles.Latched, "/anyrecon/points", EndpointKind.Publisher, parameters).Durability);
        var bad = ParameterFile.Effective(RosArguments.Parse(["--ros-args", "-p", "qos_overrides./x.publisher.reliability:=sometimes"]), "n", "/");
        Assert.Contains("qos_overrides./x.publisher.reliability", Assert.Throws<ArgumentException>(() => QosProfiles.ApplyOverrides(QosProfiles.Default, "/x", EndpointKind.Publisher, bad)).Message);
    }

    [Fact]
    public void ForPlayback_AgreeingOffersKeptElseReliableVolatile()
    {
        // Offers as rosbag2 records them (metadata v9 text), parsed by the bag layer.
        var latched = QosProfile.ParseList(QosProfile.FormatList([QosProfiles.Latched, QosProfiles.Latched]));
        Assert.Equal((QosHistory.KeepLast, 10ul, QosReliability.Reliable, QosDurability.TransientLocal), Policies(QosProfiles.ForPlayback(latched)));
        Assert.Equal((QosHistory.KeepLast, 10ul, QosReliability.BestEffort, QosDurability.Volatile), Policies(QosProfiles.ForPlayback([QosProfiles.SensorData])));
        Assert.Equal((QosHistory.KeepLast, 10ul, QosReliability.Reliable, QosDurability.Volatile), Policies(QosProfiles.ForPlayback([QosProfiles.SensorData, QosProfiles.Latched])));
        Assert.Equal((QosHistory.KeepLast, 10ul, QosReliability.Reliable, QosDurability.Volatile), Policies(QosProfiles.ForPlayback([])));
    }

    private static (QosHistory, ulong, QosReliability, QosDurability) Policies(QosProfile p) => (p.History, p.Depth, p.Reliability, p.Durability);
}
