namespace AnyRecon.Ros.Messages.Cdr;

/// <summary>The 4-byte encapsulation header in front of every serialized ROS 2 message.</summary>
public static class CdrEncapsulation
{
    public const int HeaderSize = 4;

    /// <summary>Representation id of plain CDR (XCDR1), big endian.</summary>
    public const byte CdrBigEndian = 0x00;

    /// <summary>Representation id of plain CDR (XCDR1), little endian: what ROS 2 writes.</summary>
    public const byte CdrLittleEndian = 0x01;

    /// <summary>Reads the header; returns whether the payload is little endian. Throws on anything but XCDR1.</summary>
    public static bool ReadIsLittleEndian(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize) throw new CdrFormatException(0, $"message has {data.Length} bytes, fewer than the 4-byte encapsulation header");
        if (data[0] != 0) throw new CdrFormatException(0, $"unknown encapsulation 0x{data[0]:x2}{data[1]:x2}");
        return data[1] switch
        {
            CdrLittleEndian => true,
            CdrBigEndian => false,
            _ => throw new CdrFormatException(0, $"unknown encapsulation 0x{data[0]:x2}{data[1]:x2} (only XCDR1 plain CDR is read)"),
        };
    }
}
