using System.Threading.Channels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>What a full stage queue does with one more item.</summary>
public enum QueueFullPolicy
{
    /// <summary>The writer waits until there is room: nothing is lost (everything after the keyframe gate, and replay).</summary>
    Wait,
    /// <summary>The oldest queued item is dropped and counted: a robot wants the newest frame, not a backlog (live ingest).</summary>
    DropOldest,
    /// <summary>The newest item replaces the one waiting: completion requests, where only the latest target matters.</summary>
    KeepNewest,
}

/// <summary>Depth, capacity and drops of one queue, as reported on /diagnostics and in the replay report.</summary>
public readonly record struct QueueStatus(string Name, int Depth, int Capacity, long Enqueued, long Dropped, QueueFullPolicy Policy);

/// <summary>
/// A bounded queue between two stages (a <see cref="Channel{T}"/> with an explicit full policy) that counts what it
/// drops. Items that a drop discards are handed to an optional callback so pooled buffers can be returned.
/// </summary>
public sealed class StageQueue<T>
{
    private readonly Channel<T> _channel;
    private long _enqueued;
    private long _dropped;

    public StageQueue(string name, int capacity, QueueFullPolicy policy, Action<T>? onDropped = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Name = name;
        Capacity = capacity;
        Policy = policy;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = policy switch
            {
                QueueFullPolicy.Wait => BoundedChannelFullMode.Wait,
                QueueFullPolicy.DropOldest => BoundedChannelFullMode.DropOldest,
                _ => BoundedChannelFullMode.DropNewest,
            },
            SingleReader = true,
            // Continuations stay off the writer's thread so a slow consumer never runs inside the producer.
            AllowSynchronousContinuations = false,
        };
        _channel = policy == QueueFullPolicy.Wait
            ? Channel.CreateBounded<T>(options)
            : Channel.CreateBounded<T>(options, item => { Interlocked.Increment(ref _dropped); onDropped?.Invoke(item); });
        // KeepNewest: the channel's DropNewest drops the item *in* the queue that arrived last, then the new one goes in.
    }

    public string Name { get; }

    public int Capacity { get; }

    public QueueFullPolicy Policy { get; }

    public ChannelReader<T> Reader => _channel.Reader;

    public QueueStatus Status => new(Name, _channel.Reader.Count, Capacity, Interlocked.Read(ref _enqueued), Interlocked.Read(ref _dropped), Policy);

    /// <summary>Adds an item (waiting for room only under <see cref="QueueFullPolicy.Wait"/>).</summary>
    public async ValueTask WriteAsync(T item, CancellationToken cancellationToken = default)
    {
        await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _enqueued);
    }

    /// <summary>No more items will be written; the reader drains what is queued and then completes.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
