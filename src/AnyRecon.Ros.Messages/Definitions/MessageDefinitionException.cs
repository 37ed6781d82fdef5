namespace AnyRecon.Ros.Messages.Definitions;

/// <summary>A .msg/.srv or ros2msg definition text could not be parsed or a type it names could not be found.</summary>
public sealed class MessageDefinitionException : Exception
{
    public MessageDefinitionException(string typeName, int line, string reason)
        : base(line > 0 ? $"{typeName}: line {line}: {reason}" : $"{typeName}: {reason}")
    {
        TypeName = typeName;
        Line = line;
    }

    public string TypeName { get; }

    /// <summary>1-based line in the definition text, or 0 when the problem is not tied to a line.</summary>
    public int Line { get; }
}
