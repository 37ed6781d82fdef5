using System.Collections.Concurrent;
using System.Diagnostics;

namespace AnyRecon.Ros.Pipeline;

/// <summary>One stage's figures: items processed, latency p50/p95, and rejected items by reason.</summary>
public sealed record StageStatus(string Name, long Processed, double LatencyP50Ms, double LatencyP95Ms, IReadOnlyDictionary<string, long> Rejected);

/// <summary>
/// Runs one stage: reads its input queue to the end, times each item, and counts items the stage rejects (bad input
/// raises <see cref="RejectedItemException"/> with a reason; the stage goes on with the next item).
/// </summary>
public sealed class PipelineStage<TIn>
{
    private readonly Func<TIn, CancellationToken, ValueTask> _process;
    private readonly ConcurrentDictionary<string, long> _rejected = new();
    private long _processed;

    public PipelineStage(string name, StageQueue<TIn> input, Func<TIn, CancellationToken, ValueTask> process)
    {
        Name = name;
        Input = input;
        _process = process;
    }

    public string Name { get; }

    public StageQueue<TIn> Input { get; }

    public LatencyRecorder Latency { get; } = new();

    public StageStatus Status => new(Name, Interlocked.Read(ref _processed), Latency.Percentile(0.5), Latency.Percentile(0.95),
        new Dictionary<string, long>(_rejected));

    /// <summary>Counts a rejection found outside <see cref="RunAsync"/>'s own processing (e.g. by a helper the stage calls).</summary>
    public void Reject(string reason) => _rejected.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var item in Input.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                await _process(item, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _processed);
            }
            catch (RejectedItemException e)
            {
                Reject(e.Reason);
            }
            Latency.Record(Stopwatch.GetElapsedTime(start));
        }
    }
}

/// <summary>A stage could not use one item (bad input); the reason is counted, the stage goes on.</summary>
public sealed class RejectedItemException(string reason, string? detail = null) : Exception(detail is null ? reason : $"{reason}: {detail}")
{
    public string Reason { get; } = reason;
}
