using System.Threading.Channels;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Transport;

namespace AnyRecon.Ros.Node;

/// <summary>
/// Publishes one output topic from its own task, so the thread that owns the map never waits on the network: a
/// reliable subscriber that stalls or dies (until its lease runs out) blocks only this topic's writes. At most
/// <c>capacity</c> messages wait; beyond that the oldest is dropped and counted (a map update dropped leaves a
/// sequence gap, which tells consumers to fetch the full map).
/// </summary>
internal sealed class OutputQueue : IDisposable
{
    private readonly RawPublisher _publisher;
    private readonly Channel<object> _queue;
    private readonly Task _sender;
    private long _dropped;

    public OutputQueue(RawPublisher publisher, int capacity)
    {
        _publisher = publisher;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _sender = Task.Run(SendAsync);
    }

    public RawPublisher Publisher => _publisher;

    /// <summary>Messages dropped because this topic's writes fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int MatchedSubscriptions => _publisher.MatchedSubscriptions;

    /// <summary>Queues a message object (serialized on the sending task).</summary>
    public void Enqueue(IRosMessage message) => _queue.Writer.TryWrite(message);

    /// <summary>Queues serialized CDR.</summary>
    public void Enqueue(byte[] cdr) => _queue.Writer.TryWrite(cdr);

    private async Task SendAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (item is byte[] cdr) _publisher.PublishSerialized(cdr);
            else _publisher.Publish((IRosMessage)item);
        }
    }

    /// <summary>Sends what is queued (waiting up to <paramref name="acknowledged"/> for reliable subscribers), then leaves the graph.</summary>
    public void Dispose(TimeSpan acknowledged)
    {
        _queue.Writer.TryComplete();
        _sender.Wait(acknowledged);
        _publisher.WaitForAcknowledgements(acknowledged);
        _publisher.Dispose();
    }

    public void Dispose() => Dispose(TimeSpan.FromSeconds(1));
}
