namespace AnyRecon.Ros.Messages.Cdr;

/// <summary>
/// The one error a CDR decoder raises for bad input: truncated data, lengths past the buffer, counts that cannot fit,
/// invalid UTF-8 or bool values, bounds exceeded, or an encapsulation we do not read. <see cref="Offset"/> is the byte
/// position in the serialized message (encapsulation header included).
/// </summary>
public sealed class CdrFormatException : Exception
{
    public CdrFormatException(int offset, string reason, string? typeName = null)
        : base(typeName is null ? $"CDR at byte {offset}: {reason}" : $"{typeName}: CDR at byte {offset}: {reason}")
    {
        Offset = offset;
        Reason = reason;
        TypeName = typeName;
    }

    public int Offset { get; }

    public string Reason { get; }

    public string? TypeName { get; }

    /// <summary>The same error with the message type it happened in.</summary>
    public CdrFormatException WithType(string typeName) => TypeName is null ? new CdrFormatException(Offset, Reason, typeName) : this;
}
