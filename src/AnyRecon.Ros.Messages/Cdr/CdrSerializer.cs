namespace AnyRecon.Ros.Messages.Cdr;

/// <summary>Whole-message entry points: serialize with one exact-size allocation, deserialize with the type named in errors.</summary>
public static class CdrSerializer
{
    public static int GetSerializedSize(IRosMessage message)
    {
        var sizer = new CdrSizer();
        message.Measure(ref sizer);
        return sizer.Position;
    }

    /// <summary>Serializes to a new array holding the encapsulation header and the body.</summary>
    public static byte[] Serialize(IRosMessage message)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(GetSerializedSize(message));
        var writer = new CdrWriter(buffer);
        message.Serialize(ref writer);
        return buffer;
    }

    /// <summary>Serializes into <paramref name="destination"/>; returns the bytes written. Throws if it is too small.</summary>
    public static int Serialize(IRosMessage message, Span<byte> destination)
    {
        int size = GetSerializedSize(message);
        if (destination.Length < size) throw new ArgumentException($"destination holds {destination.Length} bytes, the message needs {size}", nameof(destination));
        var writer = new CdrWriter(destination[..size]);
        message.Serialize(ref writer);
        return size;
    }

    /// <summary>Deserializes a whole message (header included); trailing bytes are ignored.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> serialized) where T : IRosMessage<T>
    {
        try
        {
            var reader = new CdrReader(serialized);
            return T.Deserialize(ref reader);
        }
        catch (CdrFormatException e)
        {
            throw e.WithType(T.RosName);
        }
    }

    /// <summary>Deserializes a message whose type is known only at run time.</summary>
    public static IRosMessage Deserialize(MessageTypeInfo type, ReadOnlySpan<byte> serialized)
    {
        try
        {
            var reader = new CdrReader(serialized);
            return type.Deserializer(ref reader);
        }
        catch (CdrFormatException e)
        {
            throw e.WithType(type.RosName);
        }
    }
}
