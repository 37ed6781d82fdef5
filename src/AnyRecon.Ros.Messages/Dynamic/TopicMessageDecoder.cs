using AnyRecon.Ros.Messages.Cdr;
using AnyRecon.Ros.Messages.Definitions;

namespace AnyRecon.Ros.Messages.Dynamic;

/// <summary>
/// Decodes one topic's messages from the definitions a bag or peer carries, choosing the description that fits:
/// the carried definition of the topic's type (or, for a service event topic <c>pkg/srv/Name_Event</c>, of the
/// service <c>pkg/srv/Name</c>, as rosbag2 stores it), else the shipped one. Some recorders store placeholder
/// definitions; when the carried one leaves more than padding unread in the first message and the shipped one reads
/// it exactly, the shipped one is used from then on.
/// </summary>
public sealed class TopicMessageDecoder
{
    /// <summary>XCDR1 pads a sample to at most 8-byte alignment; more unread bytes mean the definition does not fit.</summary>
    private const int MaxTrailingPadding = 7;

    private readonly string _topicType;
    private DynamicMessageType _type;
    private DynamicMessageType? _fallback;
    private bool _checked;

    public TopicMessageDecoder(string topicType, IEnumerable<(string TopicType, string Encoding, string Text)> definitions, MessageSchemaResolver? resolver = null)
    {
        resolver ??= MessageSchemaResolver.Shared;
        _topicType = topicType;
        var carried = FindDefinition(topicType, definitions);
        if (carried is { } c && c.Text.Trim().Length > 0)
        {
            try
            {
                _type = resolver.Resolve(topicType, c.Encoding, c.Text);
            }
            catch (MessageDefinitionException) when (MessageTypeRegistry.TryGet(topicType, out _))
            {
                _type = resolver.Resolve(topicType);
                _checked = true;
            }
            if (!_checked && MessageTypeRegistry.TryGet(topicType, out _)) _fallback = resolver.Resolve(topicType);
        }
        else
        {
            _type = resolver.Resolve(topicType);
            _checked = true;
        }
    }

    /// <summary>The description in use.</summary>
    public DynamicMessageType Type => _type;

    public DynamicMessage Decode(ReadOnlySpan<byte> serialized)
    {
        if (_checked) return DynamicMessageCodec.Decode(_type, serialized);
        _checked = true;
        DynamicMessage? first = null;
        int unread = int.MaxValue;
        try
        {
            first = DynamicMessageCodec.Decode(_type, serialized, out int consumed);
            unread = serialized.Length - consumed;
        }
        catch (CdrFormatException) when (_fallback is not null)
        {
        }
        if (unread <= MaxTrailingPadding || _fallback is null) return first ?? DynamicMessageCodec.Decode(_type, serialized);
        try
        {
            var shipped = DynamicMessageCodec.Decode(_fallback, serialized, out int consumed);
            if (serialized.Length - consumed <= MaxTrailingPadding)
            {
                _type = _fallback;
                return shipped;
            }
        }
        catch (CdrFormatException)
        {
        }
        return first ?? DynamicMessageCodec.Decode(_type, serialized);
    }

    /// <summary>The carried definition for <paramref name="topicType"/>, accepting <c>pkg/Name</c> spellings and service event topics.</summary>
    public static (string TopicType, string Encoding, string Text)? FindDefinition(string topicType, IEnumerable<(string TopicType, string Encoding, string Text)> definitions)
    {
        string wanted = MessageDefinitionParser.NormalizeRoot(topicType);
        string? service = wanted.Contains("/srv/", StringComparison.Ordinal) && wanted.EndsWith("_Event", StringComparison.Ordinal) ? wanted[..^"_Event".Length] : null;
        (string, string, string)? serviceMatch = null;
        foreach (var d in definitions)
        {
            string name = MessageDefinitionParser.NormalizeRoot(d.TopicType);
            if (name == wanted) return d;
            if (service is not null && name == service) serviceMatch = d;
        }
        return serviceMatch;
    }

    public override string ToString() => $"{_topicType} via {_type.FullName}";
}
