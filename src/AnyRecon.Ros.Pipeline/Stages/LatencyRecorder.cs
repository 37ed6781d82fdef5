namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Percentiles of stage latencies with constant memory: a log-scale histogram (8 buckets per doubling from 1 µs),
/// so p50/p95 are exact to within ~9% whatever the run length. Thread-safe.
/// </summary>
public sealed class LatencyRecorder
{
    private const int BucketsPerDoubling = 8;
    private const int Doublings = 40; // 1 µs .. ~12 days
    private readonly long[] _buckets = new long[BucketsPerDoubling * Doublings + 1];
    private readonly object _lock = new();
    private long _count;
    private double _maxMs;

    public long Count { get { lock (_lock) return _count; } }

    /// <summary>The longest latency recorded (ms).</summary>
    public double MaxMilliseconds { get { lock (_lock) return _maxMs; } }

    public void Record(TimeSpan elapsed) => RecordMilliseconds(elapsed.TotalMilliseconds);

    public void RecordMilliseconds(double ms)
    {
        if (!(ms >= 0)) ms = 0;
        int bucket = ms < 0.001 ? 0 : Math.Min(_buckets.Length - 1, 1 + (int)(Math.Log2(ms * 1000) * BucketsPerDoubling));
        lock (_lock)
        {
            _buckets[bucket]++;
            _count++;
            if (ms > _maxMs) _maxMs = ms;
        }
    }

    /// <summary>Forgets every sample (a benchmark starts counting after its warm-up).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Array.Clear(_buckets);
            _count = 0;
            _maxMs = 0;
        }
    }

    /// <summary>The <paramref name="quantile"/> (0..1) in milliseconds, or 0 with no samples. Reports the bucket's upper edge.</summary>
    public double Percentile(double quantile)
    {
        lock (_lock)
        {
            if (_count == 0) return 0;
            long rank = (long)Math.Ceiling(quantile * _count);
            long seen = 0;
            for (int i = 0; i < _buckets.Length; i++)
            {
                seen += _buckets[i];
                if (seen >= Math.Max(1, rank)) return Math.Min(_maxMs, UpperEdgeMs(i));
            }
            return _maxMs;
        }
    }

    private static double UpperEdgeMs(int bucket) => bucket == 0 ? 0.001 : Math.Pow(2, (double)bucket / BucketsPerDoubling) / 1000;
}
