using System.Diagnostics;

namespace AnyRecon.Ros.Geometry;

/// <summary>
/// The time-stamped parent-from-child samples of one dynamic frame, oldest first, in a ring that grows up to a cap.
/// Not thread-safe: <see cref="TransformBuffer"/> holds its lock around every call.
/// </summary>
internal sealed class TransformCache
{
    private long[] _times = new long[16];
    private RigidTransform[] _values = new RigidTransform[16];
    private int _start;
    private int _count;

    public int Count => _count;

    public long OldestNs => _times[_start];

    public long NewestNs => _times[Wrap(_start + _count - 1)];

    public void Clear()
    {
        _start = 0;
        _count = 0;
    }

    /// <summary>Inserts in time order (replacing an equal stamp), then drops samples older than the window or the cap.</summary>
    public void Insert(long timeNs, RigidTransform value, long windowNs, int maxSamples)
    {
        if (_count > 0 && timeNs <= NewestNs)
        {
            int index = LowerBound(timeNs);
            if (index < _count && TimeAt(index) == timeNs)
            {
                _values[Wrap(_start + index)] = value;
                return;
            }
            if (_count == maxSamples && index == 0) return; // older than everything in a full cache: it would be dropped at once
            EnsureCapacity(maxSamples);
            // Rare (out-of-order within the tolerance): shift the newer samples up by one.
            for (int i = _count; i > index; i--)
            {
                _times[Wrap(_start + i)] = _times[Wrap(_start + i - 1)];
                _values[Wrap(_start + i)] = _values[Wrap(_start + i - 1)];
            }
            _times[Wrap(_start + index)] = timeNs;
            _values[Wrap(_start + index)] = value;
            _count++;
        }
        else
        {
            EnsureCapacity(maxSamples);
            _times[Wrap(_start + _count)] = timeNs;
            _values[Wrap(_start + _count)] = value;
            _count++;
        }

        long newest = NewestNs;
        while (_count > 1 && (newest - OldestNs > windowNs || _count > maxSamples))
        {
            _start = Wrap(_start + 1);
            _count--;
        }
        AssertInvariants();
    }

    /// <summary>
    /// The sample at <paramref name="timeNs"/>, interpolated between its two neighbours; within
    /// <paramref name="toleranceNs"/> outside the cached span the nearest end sample. Returns
    /// −1 (before the oldest), +1 (after the newest) or 0 (found).
    /// </summary>
    public int TryGet(long timeNs, long toleranceNs, out RigidTransform value)
    {
        Debug.Assert(_count > 0);
        long oldest = OldestNs, newest = NewestNs;
        if (timeNs <= oldest)
        {
            value = _values[_start];
            return oldest - timeNs <= toleranceNs ? 0 : -1;
        }
        if (timeNs >= newest)
        {
            value = _values[Wrap(_start + _count - 1)];
            return timeNs - newest <= toleranceNs ? 0 : 1;
        }
        int upper = LowerBound(timeNs); // first sample ≥ time; 1 ≤ upper < count here
        long t1 = TimeAt(upper);
        var b = _values[Wrap(_start + upper)];
        if (t1 == timeNs)
        {
            value = b;
            return 0;
        }
        long t0 = TimeAt(upper - 1);
        var a = _values[Wrap(_start + upper - 1)];
        value = RigidTransform.Interpolate(a, b, (double)(timeNs - t0) / (t1 - t0));
        return 0;
    }

    private long TimeAt(int index) => _times[Wrap(_start + index)];

    private int Wrap(int index) => index >= _times.Length ? index - _times.Length : index;

    private int LowerBound(long timeNs)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (TimeAt(mid) < timeNs) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void EnsureCapacity(int maxSamples)
    {
        // One spare slot above the cap: an insert may exceed it briefly before the oldest sample is dropped.
        if (_count < _times.Length) return;
        int capacity = Math.Min(_times.Length * 2, maxSamples + 1);
        if (capacity <= _times.Length) capacity = _times.Length + 1;
        var times = new long[capacity];
        var values = new RigidTransform[capacity];
        for (int i = 0; i < _count; i++)
        {
            times[i] = _times[Wrap(_start + i)];
            values[i] = _values[Wrap(_start + i)];
        }
        _times = times;
        _values = values;
        _start = 0;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        for (int i = 1; i < _count; i++) Debug.Assert(TimeAt(i - 1) < TimeAt(i), "samples strictly increase in time");
    }
}
