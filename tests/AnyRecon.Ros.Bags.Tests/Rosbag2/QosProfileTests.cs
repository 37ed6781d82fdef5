using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

public sealed class QosProfileTests
{
    public static TheoryData<string> FixtureQosStrings()
    {
        var rows = new TheoryData<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bag in FixtureInventory.Load(FixtureInventory.Rosbag2Suite).Where(b => b.Metadata is not null))
        {
            string path = Path.Combine(AnyRecon.Ros.Tests.Fixtures.Root, bag.RelativePath, "metadata.yaml");
            if (!File.Exists(path)) continue;
            foreach (var topic in MetadataYaml.ReadFile(path).TopicsWithMessageCount)
            {
                if (seen.Add(topic.Topic.OfferedQosProfiles)) rows.Add(topic.Topic.OfferedQosProfiles);
            }
        }
        if (rows.Count == 0) rows.Add("");
        return rows;
    }

    [Theory]
    [MemberData(nameof(FixtureQosStrings))]
    public void FormatList_ParsedFixtureText_ReproducesRosbag2TextExactly(string text)
    {
        Assert.Equal(text, QosProfile.FormatList(QosProfile.ParseList(text)));
    }

    [Fact]
    public void ParseList_TalkerRosout_ReadsEveryPolicy()
    {
        const string Text =
            "- history: 3\n  depth: 0\n  reliability: 1\n  durability: 1\n  deadline:\n    sec: 0\n    nsec: 0\n  lifespan:\n    sec: 10\n    nsec: 0\n" +
            "  liveliness: 1\n  liveliness_lease_duration:\n    sec: 0\n    nsec: 0\n  avoid_ros_namespace_conventions: false";
        var profile = Assert.Single(QosProfile.ParseList(Text));
        Assert.Equal(
            new QosProfile(QosHistory.Unknown, 0, QosReliability.Reliable, QosDurability.TransientLocal, new QosTime(0, 0), new QosTime(10, 0),
                QosLiveliness.Automatic, new QosTime(0, 0), false),
            profile);
    }

    [Fact]
    public void ParseList_Version9Names_MapToRmwPolicies()
    {
        const string Text =
            "- history: keep_all\n  depth: 0\n  reliability: best_available\n  durability: volatile\n  deadline:\n    sec: 1\n    nsec: 2\n" +
            "  lifespan:\n    sec: 3\n    nsec: 4\n  liveliness: manual_by_topic\n  liveliness_lease_duration:\n    sec: 5\n    nsec: 6\n" +
            "  avoid_ros_namespace_conventions: true\n- history: system_default\n  depth: 1\n  reliability: something_new\n  durability: transient_local\n" +
            "  deadline:\n    sec: 0\n    nsec: 0\n  lifespan:\n    sec: 0\n    nsec: 0\n  liveliness: system_default\n  liveliness_lease_duration:\n" +
            "    sec: 0\n    nsec: 0\n  avoid_ros_namespace_conventions: false";
        var profiles = QosProfile.ParseList(Text);
        Assert.Equal(2, profiles.Count);
        Assert.Equal(QosHistory.KeepAll, profiles[0].History);
        Assert.Equal(QosReliability.BestAvailable, profiles[0].Reliability);
        Assert.Equal(QosLiveliness.ManualByTopic, profiles[0].Liveliness);
        Assert.Equal(new QosTime(5, 6), profiles[0].LivelinessLeaseDuration);
        Assert.True(profiles[0].AvoidRosNamespaceConventions);
        Assert.Equal(QosReliability.Unknown, profiles[1].Reliability);
        // Names and numbers describe the same profile.
        Assert.Equal(profiles, QosProfile.ParseList(QosProfile.FormatList(profiles)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("  ")]
    public void ParseList_EmptyText_NoProfiles(string text) => Assert.Empty(QosProfile.ParseList(text));

    [Theory]
    [InlineData("history: 1")]
    [InlineData("- history: 1\n  depth: -1")]
    [InlineData("- [1, 2]")]
    [InlineData("- history: 1\n  depth: 1\n  reliability: 1\n  durability: 1\n  deadline: 5")]
    [InlineData("- {history: 1")]
    public void ParseList_NotAProfileList_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => QosProfile.ParseList(text));
}
