using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages;

namespace AnyRecon.Ros.Transport;

/// <summary>Publishes messages of a type known at run time, as serialized CDR (bag play, topic pub).</summary>
public class RawPublisher : IRosEndpoint
{
    private readonly RosNode _node;
    private readonly RawCdrWriter _writer;
    private readonly CountedWarning _failures;

    internal RawPublisher(RosNode node, string topic, TopicType type, RawCdrWriter writer)
    {
        _node = node;
        _writer = writer;
        _failures = new CountedWarning($"publisher {topic}: DDS write failed", node.Log);
        Topic = topic;
        Type = type;
    }

    public string Topic { get; }

    public TopicType Type { get; }

    public QosProfile Qos => _writer.Qos;

    public byte[] Gid => _writer.Guid;

    public int MatchedSubscriptions => _writer.MatchedReaders;

    public long Published => _writer.Published;

    /// <summary>Messages lost because a reliable subscriber's history stayed full past the blocking time.</summary>
    public long Dropped => _writer.Dropped;

    IEnumerable<byte[]> IRosEndpoint.ReaderGids => [];

    IEnumerable<byte[]> IRosEndpoint.WriterGids => [_writer.Guid];

    /// <summary>Sends serialized CDR (encapsulation header included); false if it was dropped or DDS failed (logged).</summary>
    public bool PublishSerialized(ReadOnlySpan<byte> cdr)
    {
        try
        {
            return _writer.Write(cdr);
        }
        catch (DdsException e)
        {
            _failures.Report(e.Message);
            return false;
        }
    }

    /// <summary>Serializes <paramref name="message"/> straight into the outgoing sample; false if it was dropped or DDS failed (logged).</summary>
    public bool Publish(IRosMessage message)
    {
        try
        {
            return _writer.Write(message);
        }
        catch (DdsException e)
        {
            // A DDS error is reported, never fatal: the caller's pipeline keeps running.
            _failures.Report(e.Message);
            return false;
        }
    }

    /// <summary>Writes DDS refused (not counting reliable drops, see <see cref="Dropped"/>).</summary>
    public long Failures => _failures.Count;

    /// <summary>Waits until reliable subscribers acknowledged everything published; false on timeout.</summary>
    public bool WaitForAcknowledgements(TimeSpan timeout) => _writer.WaitForAcknowledgements(timeout);

    /// <summary>Waits until at least <paramref name="count"/> subscriptions are matched; false on timeout or cancellation.</summary>
    public bool WaitForSubscriptions(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SpinWait.SpinUntil(() => cancellationToken.IsCancellationRequested || MatchedSubscriptions >= count, timeout) && !cancellationToken.IsCancellationRequested;

    public void Dispose()
    {
        _writer.Dispose();
        _node.Unregister(this);
    }
}

/// <summary>Publishes <typeparamref name="T"/> on a ROS topic.</summary>
public sealed class Publisher<T> : RawPublisher where T : IRosMessage<T>
{
    internal Publisher(RosNode node, string topic, RawCdrWriter writer) : base(node, topic, TopicType.From(T.TypeInfo), writer)
    {
    }

    public bool Publish(T message) => base.Publish(message);
}
