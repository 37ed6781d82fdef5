using AnyRecon.Ros.Messages.Definitions;
using AnyRecon.Ros.Messages.Dynamic;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests;

public sealed class TypeDescriptionHashTests
{
    // Hashes that rosidl (Jazzy) generated into its C type support; independent of our code.
    [Theory]
    [InlineData("builtin_interfaces/msg/Time", "RIHS01_b106235e25a4c5ed35098aa0a61a3ee9c9b18d197f398b0e4206cea9acf9c197")]
    [InlineData("std_msgs/msg/Char", "RIHS01_3ad2d04dd29ba19d04b16659afa3ccaedd691914b02a64e82e252f2fa6a586a9")]
    [InlineData("std_msgs/msg/Header", "RIHS01_f49fb3ae2cf070f793645ff749683ac6b06203e41c891e17701b1cb597ce6a01")]
    public void Compute_ShippedType_MatchesRosidl(string type, string expected)
    {
        var shipped = MessageSchemaResolver.Shipped;
        Assert.Equal(expected, TypeDescriptionHash.Compute(shipped[type], n => shipped.GetValueOrDefault(n)));
    }

    [Fact]
    public void TypeInfo_GeneratedHash_EqualsRuntimeHash()
    {
        Assert.Equal("RIHS01_f49fb3ae2cf070f793645ff749683ac6b06203e41c891e17701b1cb597ce6a01", StdMsgs.Header.TypeInfo.TypeHash);
        var shipped = MessageSchemaResolver.Shipped;
        foreach (var info in MessageTypeRegistry.All)
            Assert.Equal(TypeDescriptionHash.Compute(shipped[info.RosName], n => shipped.GetValueOrDefault(n)), info.TypeHash);
    }
}
