using System.Diagnostics;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>
/// Least-recently-used decoded keyframes within a byte budget. One lock guards the map, the recency list and the
/// counters; decoding happens outside it (in the cache), so a slow miss never blocks hits.
/// </summary>
internal sealed class DecodedKeyframeLru(long budgetBytes)
{
    private readonly object _sync = new();
    private readonly Dictionary<long, LinkedListNode<Keyframe>> _byId = [];
    private readonly LinkedList<Keyframe> _recency = new(); // most recent first
    private long _bytes;
    private long _hits, _misses, _evictions;

    public static long SizeOf(Keyframe keyframe) => keyframe.Color.Rgb.LongLength + keyframe.Depth.Metres.LongLength * sizeof(float);

    public bool TryGet(long id, out Keyframe keyframe)
    {
        lock (_sync)
        {
            if (_byId.TryGetValue(id, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                _hits++;
                keyframe = node.Value;
                return true;
            }
            _misses++;
            keyframe = null!;
            return false;
        }
    }

    /// <summary>Keeps a freshly decoded keyframe; returns the one to hand out (an equal one another reader decoded first wins).</summary>
    public Keyframe Add(Keyframe keyframe)
    {
        long size = SizeOf(keyframe);
        lock (_sync)
        {
            if (_byId.TryGetValue(keyframe.Id, out var existing)) return existing.Value;
            if (size > budgetBytes) return keyframe;
            while (_bytes + size > budgetBytes)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byId.Remove(last.Value.Id);
                _bytes -= SizeOf(last.Value);
                _evictions++;
            }
            _byId.Add(keyframe.Id, _recency.AddFirst(keyframe));
            _bytes += size;
            AssertInvariants();
            return keyframe;
        }
    }

    public (long Bytes, int Count, long Hits, long Misses, long Evictions) Snapshot()
    {
        lock (_sync) return (_bytes, _byId.Count, _hits, _misses, _evictions);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_bytes <= budgetBytes);
        Debug.Assert(_byId.Count == _recency.Count);
    }
}
