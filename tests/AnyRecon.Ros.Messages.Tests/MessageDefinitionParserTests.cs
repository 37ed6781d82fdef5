using AnyRecon.Ros.Messages.Definitions;
using Xunit;

namespace AnyRecon.Ros.Messages.Tests;

public sealed class MessageDefinitionParserTests
{
    private const string Grammar = """
        # A comment line, then every form the interface language has.
        bool a_bool true          # trailing comment
        byte a_byte 255
        char a_char 65
        int8 i8 -128
        uint8 u8 0xff
        int16 i16 -32768
        uint16 u16 65535
        int32 i32 -2147483648
        uint32 u32 4294967295
        int64 i64 -9223372036854775808
        uint64 u64 18446744073709551615
        float32 f32 1.5
        float64 f64 -2.25e-3
        string s "hello # not a comment"
        wstring ws 'wide'
        string<=5 bounded_s "abc"
        int32[3] fixed [1, 2, 3]
        float64[<=4] bounded_seq [0.5]
        string[] unbounded_strings ["x", 'y, z']
        string<=3[<=2] bounded_strings_bounded
        geometry_msgs/Point point
        geometry_msgs/msg/Pose[] poses
        Local local
        int32 INT_CONST=-7
        string STR_CONST=value with # hash kept
        float64 PI = 3.14159 # comment after a constant
        """;

    [Fact]
    public void ParseMessage_EveryGrammarForm_FieldsTypesAndDefaultsAsWritten()
    {
        var spec = MessageDefinitionParser.ParseMessage("my_pkg/msg/All", Grammar);

        Assert.Equal(23, spec.Fields.Count);
        Assert.Equal(3, spec.Constants.Count);
        Assert.Equal(["a_bool", "a_byte", "a_char", "i8", "u8"], spec.Fields.Take(5).Select(f => f.Name));

        var byName = spec.Fields.ToDictionary(f => f.Name);
        Assert.Equal(PrimitiveKind.Bool, byName["a_bool"].Type.Kind);
        Assert.Equal("true", byName["a_bool"].DefaultText);
        Assert.Equal(PrimitiveKind.Char, byName["a_char"].Type.Kind);
        Assert.Equal("\"hello # not a comment\"", byName["s"].DefaultText);
        Assert.Equal(PrimitiveKind.WString, byName["ws"].Type.Kind);
        Assert.Equal(5, byName["bounded_s"].Type.StringBound);
        Assert.Equal(new FieldType(PrimitiveKind.Int32, null, 0, ArrayKind.Fixed, 3), byName["fixed"].Type);
        Assert.Equal(new FieldType(PrimitiveKind.Float64, null, 0, ArrayKind.BoundedSequence, 4), byName["bounded_seq"].Type);
        Assert.Equal(ArrayKind.UnboundedSequence, byName["unbounded_strings"].Type.Array);
        Assert.Equal(new FieldType(PrimitiveKind.String, null, 3, ArrayKind.BoundedSequence, 2), byName["bounded_strings_bounded"].Type);
        Assert.Equal("geometry_msgs/msg/Point", byName["point"].Type.NestedType);
        Assert.Equal("geometry_msgs/msg/Pose", byName["poses"].Type.NestedType);
        Assert.Equal("my_pkg/msg/Local", byName["local"].Type.NestedType);

        Assert.Equal(new ConstantSpec("INT_CONST", new FieldType(PrimitiveKind.Int32, null, 0, ArrayKind.None, 0), "-7"), spec.Constants[0]);
        Assert.Equal("value with # hash kept", spec.Constants[1].ValueText);
        Assert.Equal("3.14159", spec.Constants[2].ValueText);
    }

    [Fact]
    public void RosLiteral_DefaultsOfEveryKind_ParseToTheirValues()
    {
        var spec = MessageDefinitionParser.ParseMessage("my_pkg/msg/All", Grammar);
        var byName = spec.Fields.ToDictionary(f => f.Name);
        object Value(string name) => RosLiteral.ParseScalar(byName[name].Type.Kind, byName[name].DefaultText!);

        Assert.Equal(true, Value("a_bool"));
        Assert.Equal(255UL, Value("a_byte"));
        Assert.Equal(-128L, Value("i8"));
        Assert.Equal(255UL, Value("u8"));
        Assert.Equal(long.MinValue, Value("i64"));
        Assert.Equal(ulong.MaxValue, Value("u64"));
        Assert.Equal(-2.25e-3, Value("f64"));
        Assert.Equal("hello # not a comment", Value("s"));
        Assert.Equal("wide", Value("ws"));
        Assert.Equal([1L, 2L, 3L], RosLiteral.ParseArray(PrimitiveKind.Int32, byName["fixed"].DefaultText!));
        Assert.Equal(["x", "y, z"], RosLiteral.ParseArray(PrimitiveKind.String, byName["unbounded_strings"].DefaultText!));
        Assert.Throws<FormatException>(() => RosLiteral.ParseScalar(PrimitiveKind.Int8, "128"));
        Assert.Throws<FormatException>(() => RosLiteral.ParseScalar(PrimitiveKind.UInt8, "-1"));
    }

    [Theory]
    [InlineData("int32", 1, "has no field name")]
    [InlineData("int32 x\nint32 x", 0, "appears twice")]
    [InlineData("int32[<=0] x", 1, "positive integer")]
    [InlineData("int32<=3 x", 1, "only strings")]
    [InlineData("geometry_msgs/Point p 3", 1, "cannot have a default")]
    [InlineData("int32[] X=[1]", 1, "primitive or string")]
    [InlineData("int32 1bad", 1, "valid field name")]
    public void ParseMessage_BadLine_ThrowsWithLine(string text, int line, string reason)
    {
        var e = Assert.Throws<MessageDefinitionException>(() => MessageDefinitionParser.ParseMessage("p/msg/T", text));
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message);
        Assert.Contains("p/msg/T", e.Message);
    }

    [Fact]
    public void ParseService_RequestAndResponse_SplitAtDashes()
    {
        var (req, resp) = MessageDefinitionParser.ParseService("std_srvs/srv/SetBool", "bool data\n---\nbool success\nstring message\n");
        Assert.Equal("std_srvs/srv/SetBool_Request", req.FullName);
        Assert.Equal("std_srvs::srv::dds_::SetBool_Request_", req.DdsName);
        Assert.Equal(["data"], req.Fields.Select(f => f.Name));
        Assert.Equal(["success", "message"], resp.Fields.Select(f => f.Name));
    }

    [Fact]
    public void ParseFullDefinition_BlocksWithMsgHeaders_DefineEveryDependency()
    {
        string text = "std_msgs/Header header\nPoint p\n" + new string('=', 80) + "\nMSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n"
            + new string('=', 80) + "\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n"
            + new string('=', 80) + "\nMSG: my_pkg/Point\nfloat64 x\n";
        var specs = MessageDefinitionParser.ParseFullDefinition("my_pkg/msg/Thing", text);
        Assert.Equal(["my_pkg/msg/Thing", "std_msgs/msg/Header", "builtin_interfaces/msg/Time", "my_pkg/msg/Point"], specs.Keys);
        Assert.Equal("my_pkg/msg/Point", specs["my_pkg/msg/Thing"].Fields[1].Type.NestedType);
    }

    [Fact]
    public void ParseFullDefinition_ServiceEventRoot_BuildsEventRequestAndResponse()
    {
        // rosbag2 records a service's event topic with the .srv text as its definition.
        var specs = MessageDefinitionParser.ParseFullDefinition("example_interfaces/srv/AddTwoInts_Event", "int64 a\nint64 b\n---\nint64 sum\n");
        var evt = specs["example_interfaces/srv/AddTwoInts_Event"];
        Assert.Equal(["info", "request", "response"], evt.Fields.Select(f => f.Name));
        Assert.Equal(new FieldType(PrimitiveKind.Nested, "example_interfaces/srv/AddTwoInts_Request", 0, ArrayKind.BoundedSequence, 1), evt.Fields[1].Type);
        Assert.Equal(["a", "b"], specs["example_interfaces/srv/AddTwoInts_Request"].Fields.Select(f => f.Name));
    }
}
