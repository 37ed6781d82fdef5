using Xunit;

namespace AnyRecon.Ros.Transport.Tests.Naming;

/// <summary>Against rcl's own expectations (rcl/test/rcl/test_expand_topic_name.cpp) and the names rmw_cyclonedds puts on the wire.</summary>
public sealed class RosNamesTests
{
    public static TheoryData<string, string, string, string> RclExpansions => new()
    {
        { "/chatter", "my_node", "/my_ns", "/chatter" },
        { "chatter", "my_node", "/my_ns", "/my_ns/chatter" },
        { "{node}/chatter", "my_node", "/my_ns", "/my_ns/my_node/chatter" },
        { "/{node}", "my_node", "/my_ns", "/my_node" },
        { "{node}", "my_node", "/my_ns", "/my_ns/my_node" },
        { "{ns}", "my_node", "/my_ns", "/my_ns" },
        { "{namespace}", "my_node", "/my_ns", "/my_ns" },
        { "{namespace}/{node}/chatter", "my_node", "/my_ns", "/my_ns/my_node/chatter" },
        { "/foo/{namespace}", "my_node", "/my_ns", "/foo//my_ns" },
        { "ping", "my_node", "/", "/ping" },
        { "ping", "my_node", "/my_ns", "/my_ns/ping" },
        { "/ping", "my_node", "/", "/ping" },
        { "/ping", "my_node", "/my_ns", "/ping" },
        { "~", "my_node", "/", "/my_node" },
        { "~", "my_node", "/my_ns", "/my_ns/my_node" },
        { "~/ping", "my_node", "/", "/my_node/ping" },
        { "~/ping", "my_node", "/my_ns", "/my_ns/my_node/ping" },
    };

    [Theory]
    [MemberData(nameof(RclExpansions))]
    public void Expand_RclCases_SameResult(string topic, string node, string ns, string expected) =>
        Assert.Equal(expected, RosNames.Expand(topic, node, ns));

    [Fact]
    public void Expand_CustomAndUnknownSubstitution_AsRcl()
    {
        Assert.Equal("/my_ns/pong", RosNames.Expand("{ping}", "my_node", "/my_ns", new Dictionary<string, string> { ["ping"] = "pong" }));
        Assert.Contains("unknown substitution", Assert.Throws<RosNameException>(() => RosNames.Expand("{doesnotexist}", "my_node", "/my_ns")).Message);
    }

    [Theory]
    [InlineData("white space", "my_node", "/my_ns")]
    [InlineData("{node}/chatter", "/invalid_node", "/my_ns")]
    [InlineData("{node}/chatter", "my_node", "white space")]
    [InlineData("a//b", "my_node", "/")]
    [InlineData("a/", "my_node", "/")]
    [InlineData("9lives", "my_node", "/")]
    [InlineData("a/~b", "my_node", "/")]
    [InlineData("~b", "my_node", "/")]
    [InlineData("{node", "my_node", "/")]
    [InlineData("a/1b", "my_node", "/")]
    public void Expand_InvalidInput_Throws(string topic, string node, string ns) =>
        Assert.Throws<RosNameException>(() => RosNames.Expand(topic, node, ns));

    [Fact]
    public void Resolve_ExpansionWithRepeatedSlash_RejectedAsRmwDoes() =>
        Assert.Throws<RosNameException>(() => RosNames.Resolve("/foo/{namespace}", "my_node", "/my_ns"));

    [Theory]
    [InlineData("anyrecon", true)]
    [InlineData("_private", true)]
    [InlineData("node2", true)]
    [InlineData("2node", false)]
    [InlineData("my-node", false)]
    [InlineData("", false)]
    [InlineData("ns/node", false)]
    public void ValidateNodeName_RmwRules(string name, bool valid)
    {
        if (valid) RosNames.ValidateNodeName(name);
        else Assert.Throws<RosNameException>(() => RosNames.ValidateNodeName(name));
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/robot1", true)]
    [InlineData("/a/b_c", true)]
    [InlineData("robot1", false)]
    [InlineData("/a/", false)]
    [InlineData("/a//b", false)]
    [InlineData("/1a", false)]
    public void ValidateNamespace_RmwRules(string ns, bool valid)
    {
        if (valid) RosNames.ValidateNamespace(ns);
        else Assert.Throws<RosNameException>(() => RosNames.ValidateNamespace(ns));
    }

    [Fact]
    public void DdsNames_AsRmwCycloneddsMapsThem()
    {
        Assert.Equal("rt/anyrecon/points", RosNames.DdsTopic(RosNames.Resolve("~/points", "anyrecon", "/")));
        Assert.Equal(("rq/anyrecon/save_mapRequest", "rr/anyrecon/save_mapReply"), RosNames.DdsServiceTopics("/anyrecon/save_map"));
        Assert.Equal("sensor_msgs::msg::dds_::PointCloud2_", RosNames.DdsTypeName("sensor_msgs/msg/PointCloud2"));
        Assert.Equal("std_srvs::srv::dds_::Trigger_Request_", RosNames.DdsTypeName("std_srvs/srv/Trigger_Request"));
        Assert.Throws<RosNameException>(() => RosNames.DdsTypeName("sensor_msgs/PointCloud2"));
        Assert.Throws<RosNameException>(() => RosNames.ValidateFullTopicName(new string('a', 1) .PadLeft(RosNames.MaxTopicNameLength + 1, 'a').Insert(0, "/")));
    }
}
