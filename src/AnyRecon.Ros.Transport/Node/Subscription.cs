using System.Threading.Channels;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Cdr;

namespace AnyRecon.Ros.Transport;

/// <summary>When a message was sent and received, and by whom.</summary>
public readonly record struct MessageInfo(long SourceTimestampNs, long ReceivedTimestampNs, ulong PublicationHandle);

/// <summary>
/// Receives serialized messages. Cyclone's receive thread only queues each sample (native memory, not copied) in a
/// bounded queue as deep as the QoS history; when the callback falls behind, the oldest queued samples are dropped and
/// counted, as a keep_last subscriber loses them in ROS. The callback runs on the subscription's own task, so a slow
/// callback never blocks the network.
/// </summary>
public class RawSubscription : IRosEndpoint
{
    private readonly RosNode _node;
    private readonly Channel<ReceivedSample> _queue;
    private readonly RawCdrReader _reader;
    private readonly Task _dispatcher;
    private readonly Action<ReceivedSample, MessageInfo> _callback;
    private long _dropped, _delivered;
    private readonly CountedWarning _callbackFailures;

    internal RawSubscription(RosNode node, string topic, string ddsType, string? typeHash, QosProfile qos, Action<ReceivedSample, MessageInfo> callback,
        string? ddsTopic = null, byte[]? userData = null)
    {
        _node = node;
        _callback = callback;
        Topic = topic;
        int depth = qos.History == QosHistory.KeepAll ? 1000 : (int)Math.Clamp(qos.Depth, 1, 100_000);
        _queue = Channel.CreateBounded<ReceivedSample>(
            new BoundedChannelOptions(depth) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                dropped.Dispose();
            });
        _callbackFailures = new CountedWarning($"subscription {topic}: callback failed", node.Log);
        _reader = node.Context.Participant.CreateReader(ddsTopic ?? RosNames.DdsTopic(topic), ddsType, qos, Enqueue, userData ?? node.EndpointUserData(typeHash));
        _dispatcher = Task.Run(DispatchAsync);
    }

    public string Topic { get; }

    public QosProfile Qos => _reader.Qos;

    public byte[] Gid => _reader.Guid;

    public int MatchedPublishers => _reader.MatchedWriters;

    /// <summary>Samples received from DDS.</summary>
    public long Received => _reader.Received;

    /// <summary>Samples handed to the callback.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Samples dropped because the callback fell more than a history depth behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    IEnumerable<byte[]> IRosEndpoint.ReaderGids => [_reader.Guid];

    IEnumerable<byte[]> IRosEndpoint.WriterGids => [];

    /// <summary>Waits until at least <paramref name="count"/> publishers are matched; false on timeout or cancellation.</summary>
    public bool WaitForPublishers(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SpinWait.SpinUntil(() => cancellationToken.IsCancellationRequested || MatchedPublishers >= count, timeout) && !cancellationToken.IsCancellationRequested;

    private void Enqueue(ReceivedSample sample)
    {
        if (!_queue.Writer.TryWrite(sample)) sample.Dispose();
    }

    private async Task DispatchAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var sample))
            {
                using (sample)
                {
                    try
                    {
                        _callback(sample, new MessageInfo(sample.SourceTimestampNs, sample.ReceivedTimestampNs, sample.PublicationHandle));
                        Interlocked.Increment(ref _delivered);
                    }
                    catch (Exception e)
                    {
                        _callbackFailures.Report(e.Message);
                    }
                }
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _queue.Writer.TryComplete();
        _dispatcher.Wait(TimeSpan.FromSeconds(5));
        while (_queue.Reader.TryRead(out var left)) left.Dispose();
        _node.Unregister(this);
    }
}

/// <summary>
/// Receives <typeparamref name="T"/>. Bytes that do not decode as <typeparamref name="T"/> (malformed CDR, a publisher
/// of another type under the same name) are counted in <see cref="Malformed"/> and reported at most every few seconds;
/// the subscription keeps going.
/// </summary>
public sealed class Subscription<T> : RawSubscription where T : IRosMessage<T>
{
    private readonly CountedWarning _malformed;

    internal Subscription(RosNode node, string topic, string ddsType, string? typeHash, QosProfile qos, Action<T, MessageInfo> callback)
        : this(node, topic, ddsType, typeHash, qos, callback, new CountedWarning($"subscription {topic}: malformed {T.RosName}", node.Log))
    {
    }

    private Subscription(RosNode node, string topic, string ddsType, string? typeHash, QosProfile qos, Action<T, MessageInfo> callback, CountedWarning malformed)
        : base(node, topic, ddsType, typeHash, qos, (sample, info) =>
        {
            T message;
            try
            {
                message = CdrSerializer.Deserialize<T>(sample.Cdr);
            }
            catch (CdrFormatException e)
            {
                malformed.Report(e.Message);
                return;
            }
            callback(message, info);
        })
    {
        _malformed = malformed;
    }

    /// <summary>Samples that did not decode as <typeparamref name="T"/>.</summary>
    public long Malformed => _malformed.Count;
}
