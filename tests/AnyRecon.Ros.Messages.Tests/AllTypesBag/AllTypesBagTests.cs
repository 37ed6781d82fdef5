using System.Diagnostics;
using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Definitions;
using AnyRecon.Ros.Messages.Dynamic;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests.AllTypesBag;

/// <summary>
/// The rosbags-rs fixture: 94 message types x 2 messages, written by the Python rosbags library (ROS 2 Humble types)
/// in sqlite3 and MCAP. The values come from the fixture's own generator script, run through expected_values.py.
/// </summary>
public sealed class AllTypesBagTests
{
    private const string FixtureFolder = "rosbags_rs_all_types_bag";
    private const long ClockToleranceNs = 30_000_000_000; // header stamps are time.time() while writing

    private static readonly Lazy<JsonElement> s_expected = new(RunGeneratorHarness);

    public static TheoryData<string> Storages() => new("test_bag_sqlite3", "test_bag_mcap");

    [Theory]
    [MemberData(nameof(Storages))]
    public void Decode_EveryMessage_HasTheValuesTheGeneratorWrote(string bag)
    {
        string path = Fixtures.Require(Path.Combine(FixtureFolder, bag));
        var expected = Expected();
        using var reader = BagReader.Open(path);
        var byTopic = reader.Topics.ToDictionary(t => t.Name);
        int messages = 0;
        var seenTopics = new HashSet<string>();
        foreach (var message in reader.ReadMessages())
        {
            var type = Resolve(reader, byTopic[message.Topic.Name]);
            var decoded = DynamicMessageCodec.Decode(type, message.Data.Span);
            var fields = expected.GetProperty("topics").GetProperty(message.Topic.Name).GetProperty("fields");
            AssertMatches(fields, decoded, message.Topic.Name, message.TimestampNs);
            seenTopics.Add(message.Topic.Name);
            messages++;
        }
        Assert.Equal(188, messages);
        Assert.Equal(94, seenTopics.Count);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void ReEncode_EveryMessage_GivesIdenticalBytes(string bag)
    {
        string path = Fixtures.Require(Path.Combine(FixtureFolder, bag));
        using var reader = BagReader.Open(path);
        var byTopic = reader.Topics.ToDictionary(t => t.Name);
        int generatedChecked = 0;
        foreach (var message in reader.ReadMessages())
        {
            var topic = byTopic[message.Topic.Name];
            var type = Resolve(reader, topic);
            var original = message.Data.ToArray();
            var decoded = DynamicMessageCodec.Decode(type, original);
            Assert.Equal(original, DynamicMessageCodec.Encode(decoded));

            // Where our shipped (Jazzy) definition describes the same fields as the bag's (Humble), the generated type must agree too.
            if (SameFields(type, MessageSchemaResolver.Shared.Resolve(topic.Type)) && MessageTypeRegistry.TryGet(topic.Type, out var info))
            {
                var generated = CdrSerializer.Deserialize(info, original);
                Assert.Equal(original, CdrSerializer.Serialize(generated));
                generatedChecked++;
            }
        }
        // All but sensor_msgs/Range (Iron added `variance`) are shared by Humble and Jazzy.
        Assert.Equal(186, generatedChecked);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void ShippedDefinitions_AgainstTheBags_DifferOnlyWhereJazzyChangedTheType(string bag)
    {
        string path = Fixtures.Require(Path.Combine(FixtureFolder, bag));
        using var reader = BagReader.Open(path);
        var differing = reader.Topics
            .Where(t => !SameFields(Resolve(reader, t), MessageSchemaResolver.Shared.Resolve(t.Type)))
            .Select(t => t.Type)
            .ToArray();
        Assert.Equal(["sensor_msgs/msg/Range"], differing);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Image_DataShorterThanStepTimesHeight_DecodesAndIsDetectable(string bag)
    {
        // The generator claims 640x480 rgb8 (step 1920) but carries 30 bytes: CDR is fine, the image is not.
        string path = Fixtures.Require(Path.Combine(FixtureFolder, bag));
        using var reader = BagReader.Open(path);
        var image = reader.ReadMessages(new MessageFilter { Topics = ["/test/sensor_msgs/image"] })
            .Select(m => CdrSerializer.Deserialize<SensorMsgs.Image>(m.Data.Span)).First();
        Assert.Equal((640u, 480u, 1920u), (image.Width, image.Height, image.Step));
        Assert.Equal(30, image.Data.Length);
        Assert.True(image.Data.Length < image.Step * image.Height);
    }

    [Fact]
    public void TypeHash_OfEveryBagDefinition_EqualsTheHashTheBagStores()
    {
        // The sqlite3 twin stores RIHS01 hashes that the rosbags library computed; ours must agree for every type.
        string path = Fixtures.Require(Path.Combine(FixtureFolder, "test_bag_sqlite3"));
        using var reader = BagReader.Open(path);
        int shippedAgree = 0;
        foreach (var definition in reader.MessageDefinitions)
        {
            Assert.StartsWith("RIHS01_", definition.TypeDescriptionHash);
            // rosbags hashes .msg `char` as FIELD_TYPE_CHAR; rosidl maps it to uint8 (see TypeDescriptionHashTests), as we do.
            if (definition.TopicType == "std_msgs/msg/Char") continue;
            var carried = MessageDefinitionParser.ParseFullDefinition(definition.TopicType, definition.Text);
            var shipped = MessageSchemaResolver.Shipped;
            MessageSpec? Lookup(string n) => carried.TryGetValue(n, out var spec) ? spec : shipped.GetValueOrDefault(n);
            Assert.Equal(definition.TypeDescriptionHash, TypeDescriptionHash.Compute(Lookup(definition.TopicType)!, Lookup));
            if (MessageTypeRegistry.TryGet(definition.TopicType, out var info) && info.TypeHash == definition.TypeDescriptionHash) shippedAgree++;
        }
        Assert.Equal(94, reader.MessageDefinitions.Count);
        Assert.Equal(92, shippedAgree); // all but Range (changed after Humble) and Char (rosbags' hash differs from rosidl's)
    }

    internal static DynamicMessageType Resolve(BagReader reader, TopicMetadata topic)
    {
        var definition = reader.MessageDefinitions.FirstOrDefault(d => d.TopicType == topic.Type);
        Assert.NotNull(definition); // both storages of this bag carry their definitions
        return MessageSchemaResolver.Shared.Resolve(topic.Type, definition.Encoding, definition.Text);
    }

    private static bool SameFields(DynamicMessageType a, DynamicMessageType b)
    {
        if (a.FullName != b.FullName || a.Fields.Count != b.Fields.Count) return false;
        for (int i = 0; i < a.Fields.Count; i++)
        {
            var (fa, fb) = (a.Fields[i], b.Fields[i]);
            if (fa.Name != fb.Name || fa.Type != fb.Type) return false;
            if (fa.Nested is not null && !SameFields(fa.Nested, fb.Nested!)) return false;
        }
        return true;
    }

    private static void AssertMatches(JsonElement expected, DynamicMessage actual, string path, long logTimeNs)
    {
        Assert.Equal(expected.GetProperty("__type__").GetString(), actual.Type.FullName);
        foreach (var property in expected.EnumerateObject())
        {
            if (property.Name == "__type__") continue;
            string where = $"{path}.{property.Name}";
            var field = actual.Type.Fields.FirstOrDefault(f => f.Name == property.Name)
                ?? throw new Xunit.Sdk.XunitException($"{where}: the decoded message has no such field");
            AssertValue(property.Value, actual[property.Name], field, where, logTimeNs);
        }
    }

    private static void AssertValue(JsonElement expected, object? actual, DynamicField field, string where, long logTimeNs)
    {
        if (expected.ValueKind == JsonValueKind.Object)
        {
            var nested = Assert.IsType<DynamicMessage>(actual);
            if (nested.Type.FullName == "builtin_interfaces/msg/Time" && expected.GetProperty("sec").GetInt64() == 4_000_000_000)
            {
                // The generator stamped headers with the wall clock at writing time; the harness marks those.
                long stampNs = System.Convert.ToInt64(nested["sec"]) * 1_000_000_000 + System.Convert.ToInt64(nested["nanosec"]);
                Assert.InRange(stampNs, logTimeNs - ClockToleranceNs, logTimeNs + ClockToleranceNs);
                return;
            }
            AssertMatches(expected, nested, where, logTimeNs);
            return;
        }
        if (expected.ValueKind == JsonValueKind.Array)
        {
            var array = Assert.IsAssignableFrom<Array>(actual);
            var items = expected.EnumerateArray().ToArray();
            Assert.True(items.Length == array.Length, $"{where}: expected {items.Length} elements, decoded {array.Length}");
            for (int i = 0; i < items.Length; i++) AssertValue(items[i], array.GetValue(i), field, $"{where}[{i}]", logTimeNs);
            return;
        }
        switch (field.Type.Kind)
        {
            case PrimitiveKind.Float32:
                Assert.True((float)expected.GetDouble() == (float)actual!, $"{where}: expected {expected.GetDouble()}, decoded {actual}");
                break;
            case PrimitiveKind.Float64:
                Assert.True(expected.GetDouble() == (double)actual!, $"{where}: expected {expected.GetDouble()}, decoded {actual}");
                break;
            case PrimitiveKind.Bool:
                Assert.True(expected.ValueKind == JsonValueKind.True ? (bool)actual! : expected.ValueKind == JsonValueKind.False ? !(bool)actual! : expected.GetInt32() == ((bool)actual! ? 1 : 0), where);
                break;
            case PrimitiveKind.String or PrimitiveKind.WString:
                Assert.True(expected.GetString() == (string)actual!, $"{where}: expected '{expected.GetString()}', decoded '{actual}'");
                break;
            case PrimitiveKind.UInt64:
                Assert.True(expected.GetUInt64() == (ulong)actual!, $"{where}: expected {expected}, decoded {actual}");
                break;
            default:
                Assert.True(expected.GetInt64() == System.Convert.ToInt64(actual), $"{where}: expected {expected}, decoded {actual}");
                break;
        }
    }

    private static JsonElement Expected() => s_expected.Value;

    private static JsonElement RunGeneratorHarness()
    {
        string script = Fixtures.Require(Path.Combine(FixtureFolder, "generate_test_bags.py"));
        string harness = Path.Combine(Fixtures.RepoRoot, "tests", "AnyRecon.Ros.Messages.Tests", "AllTypesBag", "expected_values.py");
        const string python = "/usr/bin/python3"; // Debian's interpreter; the harness needs nothing beyond its standard library
        if (!File.Exists(python))
        {
            Fixtures.Unavailable($"fixture suite '{FixtureFolder}' could not run: {python} not found (.ci/setup installs it)");
        }
        var start = new ProcessStartInfo(python, [harness, script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"expected_values.py failed: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
