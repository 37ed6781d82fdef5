using AnyRecon.Ros.Messages.Cdr;

namespace AnyRecon.Ros.Messages;

/// <summary>A generated ROS 2 message: serializes itself as XCDR1.</summary>
public interface IRosMessage
{
    /// <summary>Writes the message body (the caller has written the encapsulation header).</summary>
    void Serialize(ref CdrWriter writer);

    /// <summary>Adds the message body's size to <paramref name="sizer"/>, exactly as <see cref="Serialize"/> writes it.</summary>
    void Measure(ref CdrSizer sizer);

    /// <summary>Names and definition of this message's type.</summary>
    MessageTypeInfo Type { get; }
}

/// <summary>A generated ROS 2 message type with its names and full definition known statically.</summary>
public interface IRosMessage<TSelf> : IRosMessage where TSelf : IRosMessage<TSelf>
{
    /// <summary>ROS name, e.g. <c>sensor_msgs/msg/Image</c>.</summary>
    static abstract string RosName { get; }

    /// <summary>DDS type name, e.g. <c>sensor_msgs::msg::dds_::Image_</c>.</summary>
    static abstract string DdsName { get; }

    /// <summary>Full ros2msg definition as rosbag2 and MCAP store it.</summary>
    static abstract string Definition { get; }

    static abstract MessageTypeInfo TypeInfo { get; }

    /// <summary>Reads the message body (the reader has consumed the encapsulation header).</summary>
    static abstract TSelf Deserialize(ref CdrReader reader);
}

/// <summary>Reads a message body from a CDR reader, for code that only knows a type at run time.</summary>
public delegate IRosMessage MessageDeserializer(ref CdrReader reader);

/// <summary>Names, definition and decoder of one generated message type.</summary>
public sealed class MessageTypeInfo
{
    public MessageTypeInfo(string rosName, string ddsName, string definition, string typeHash, Type clrType, MessageDeserializer deserializer)
    {
        TypeHash = typeHash;
        RosName = rosName;
        DdsName = ddsName;
        Definition = definition;
        ClrType = clrType;
        Deserializer = deserializer;
    }

    public string RosName { get; }

    public string DdsName { get; }

    public string Definition { get; }

    /// <summary>REP 2011 type description hash, <c>RIHS01_</c> + 64 hex digits.</summary>
    public string TypeHash { get; }

    public Type ClrType { get; }

    public MessageDeserializer Deserializer { get; }

    public override string ToString() => RosName;
}
