using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages.Definitions;
using AnyRecon.Ros.Messages.Dynamic;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests;

/// <summary>Type hashes computed from the definitions rosbag2 (Iron and later) stored, against the hashes it stored beside them.</summary>
public sealed class TypeHashFixtureTests
{
    [Theory]
    [InlineData("rosbag2_fixtures/head/rosbag2_tests/mcap/bag_with_topics_and_service_events")]
    [InlineData("rosbag2_fixtures/head/rosbag2_tests/sqlite3/bag_with_topics_and_service_events")]
    [InlineData("rosbag2_fixtures/head/rosbag2_cpp/bags_no_metadata/topics_and_services.mcap")]
    [InlineData("rosbag2_fixtures/head/rosbag2_cpp/bags_no_metadata/topics_and_services.db3")]
    public void Compute_FromStoredDefinition_EqualsStoredTopicHash(string fixture)
    {
        using var reader = BagReader.Open(Fixtures.Require(fixture));
        var compared = new List<string>();
        foreach (var topic in reader.Topics.Where(t => t.TypeDescriptionHash.StartsWith("RIHS01_", StringComparison.Ordinal)))
        {
            var found = TopicMessageDecoder.FindDefinition(topic.Type, reader.MessageDefinitions.Select(d => (d.TopicType, d.Encoding, d.Text)));
            if (found is not { } definition || definition.Text.Trim().Length == 0 || definition.Encoding != "ros2msg") continue;
            var type = MessageSchemaResolver.Shared.Resolve(topic.Type, definition.Encoding, definition.Text);
            var specs = new Dictionary<string, MessageSpec>();
            Collect(type, specs);
            Assert.Equal(topic.TypeDescriptionHash, TypeDescriptionHash.Compute(type.Spec, n => specs.GetValueOrDefault(n)));
            compared.Add(topic.Type);
        }
        Assert.NotEmpty(compared);
        // Every one of these bags records a service: its event type (built from the .srv text) must hash as rosidl's.
        Assert.Contains(compared, t => t.EndsWith("_Event", StringComparison.Ordinal));
    }

    private static void Collect(DynamicMessageType type, Dictionary<string, MessageSpec> specs)
    {
        if (!specs.TryAdd(type.FullName, type.Spec)) return;
        foreach (var field in type.Fields)
            if (field.Nested is not null) Collect(field.Nested, specs);
    }
}
