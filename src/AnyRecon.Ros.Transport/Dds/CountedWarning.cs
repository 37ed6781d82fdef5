using System.Diagnostics;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// A kind of problem that is counted every time and reported at most once per interval (with the count since the
/// last report), so a flood of bad samples cannot flood the log.
/// </summary>
public sealed class CountedWarning(string what, Action<string>? log, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(5);
    private readonly Lock _lock = new();
    private long _count, _reportedCount, _lastReport = long.MinValue;

    public long Count => Interlocked.Read(ref _count);

    public void Report(string detail)
    {
        Interlocked.Increment(ref _count);
        if (log is null) return;
        long now = Stopwatch.GetTimestamp();
        string? line = null;
        lock (_lock)
        {
            if (_lastReport == long.MinValue || Stopwatch.GetElapsedTime(_lastReport, now) >= _interval)
            {
                long since = Count - _reportedCount;
                _reportedCount = Count;
                _lastReport = now;
                line = since > 1 ? $"{what}: {detail} ({since} since the last report, {Count} in all)" : $"{what}: {detail}";
            }
        }
        if (line is not null) log(line);
    }
}
