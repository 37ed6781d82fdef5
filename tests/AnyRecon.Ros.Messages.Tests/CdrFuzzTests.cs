using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Dynamic;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests;

/// <summary>
/// Throws mutated messages at both decoders (generated and dynamic). The only acceptable outcomes are a decoded
/// message or <see cref="CdrFormatException"/>: no other exception, no out-of-memory, no hang.
/// </summary>
public sealed class CdrFuzzTests
{
    private static readonly string[] s_types =
    [
        "sensor_msgs/msg/Image", "sensor_msgs/msg/CameraInfo", "sensor_msgs/msg/PointCloud2", "sensor_msgs/msg/CompressedImage",
        "tf2_msgs/msg/TFMessage", "nav_msgs/msg/Odometry", "rcl_interfaces/msg/ParameterEvent", "rcl_interfaces/msg/Log",
        "visualization_msgs/msg/MarkerArray", "diagnostic_msgs/msg/DiagnosticArray", "rmw_dds_common/msg/ParticipantEntitiesInfo",
        "sensor_msgs/msg/JointState", "std_msgs/msg/Float64MultiArray", "anyrecon/msg/MapUpdate",
    ];

    public const int MutationsPerType = 7500; // 14 types x 7500 = 105,000 mutated messages

    public static TheoryData<string> Types() => new(s_types);

    [Theory]
    [MemberData(nameof(Types))]
    public void Decode_MutatedMessages_OnlyCdrFormatException(string rosName)
    {
        Assert.True(MessageTypeRegistry.TryGet(rosName, out var info));
        var dynamicType = MessageSchemaResolver.Shared.Resolve(rosName);
        var random = new Random(rosName.GetHashCode(StringComparison.Ordinal) ^ 12345);
        var seeds = Enumerable.Range(0, 8).Select(s => DynamicMessageCodec.Encode(new RandomMessages(s, maxSequence: 4).Create(dynamicType))).ToArray();
        int decoded = 0, rejected = 0;
        var buffer = new byte[4096];
        for (int i = 0; i < MutationsPerType; i++)
        {
            byte[] seed = seeds[i % seeds.Length];
            int length = Mutate(random, seed, ref buffer);
            bool generatedOk = TryDecode(() => CdrSerializer.Deserialize(info, buffer.AsSpan(0, length)));
            bool dynamicOk = TryDecode(() => DynamicMessageCodec.Decode(dynamicType, buffer.AsSpan(0, length)));
            // Two independent decoders of the same definition must agree on what is valid.
            Assert.Equal(generatedOk, dynamicOk);
            if (generatedOk) decoded++; else rejected++;
        }
        Assert.Equal(MutationsPerType, decoded + rejected);
        Assert.True(rejected > 0, "no mutation was rejected: the mutator is not exercising the decoder");
    }

    private static bool TryDecode(Action decode)
    {
        try
        {
            decode();
            return true;
        }
        catch (CdrFormatException)
        {
            return false;
        }
    }

    private static int Mutate(Random random, byte[] seed, ref byte[] buffer)
    {
        if (buffer.Length < seed.Length + 64) buffer = new byte[seed.Length + 64];
        seed.CopyTo(buffer, 0);
        int length = seed.Length;
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            switch (random.Next(7))
            {
                case 0: // flip a bit
                    buffer[random.Next(length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // an interesting byte
                    buffer[random.Next(length)] = (byte)(random.Next(3) switch { 0 => 0xFF, 1 => 0x00, _ => 0x80 });
                    break;
                case 2: // a huge or negative 32-bit count somewhere aligned
                {
                    int at = 4 + (random.Next(Math.Max(1, (length - 8) / 4)) * 4);
                    if (at + 4 <= length) BitConverter.TryWriteBytes(buffer.AsSpan(at), random.Next(3) switch { 0 => int.MaxValue, 1 => -1, _ => random.Next(1 << 20) });
                    break;
                }
                case 3: // truncate
                    length = random.Next(length + 1);
                    break;
                case 4: // append garbage (trailing bytes must be ignored)
                {
                    int extra = random.Next(1, 32);
                    random.NextBytes(buffer.AsSpan(length, extra));
                    length += extra;
                    break;
                }
                case 5: // random block overwrite
                {
                    if (length == 0) break;
                    int at = random.Next(length);
                    int n = Math.Min(length - at, random.Next(1, 9));
                    random.NextBytes(buffer.AsSpan(at, n));
                    break;
                }
                default: // encapsulation byte
                    if (length > 1) buffer[random.Next(2)] = (byte)random.Next(4);
                    break;
            }
            if (length == 0) break;
        }
        return length;
    }
}
