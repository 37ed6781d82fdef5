using System.Diagnostics;
using System.Globalization;

namespace AnyRecon.Ros.Geometry;

/// <summary>
/// A tf2-style transform buffer: frames form a tree (each child has one parent), edges are static (/tf_static, valid
/// at any time) or dynamic (/tf, a bounded time cache per frame). Lookups walk both frames up to their common ancestor
/// and compose the edges, interpolating each dynamic edge between its two bracketing samples (linear translation,
/// slerp rotation). Times are nanoseconds (builtin_interfaces/Time as sec·10⁹ + nanosec).
/// </summary>
/// <remarks>Thread-safe with one lock; lookups allocate nothing unless they fail (the error message).</remarks>
public sealed class TransformBuffer
{
    private readonly Lock _sync = new();
    private readonly TransformBufferOptions _options;
    private readonly Dictionary<string, int> _frameIds = new(StringComparer.Ordinal);
    private readonly List<Frame> _frames = [];
    private long _inserted, _rejectedNonFinite, _rejectedNonUnit, _rejectedFrameId, _rejectedCycle, _timeResets, _parentChanges;

    /// <summary>Creates an empty buffer.</summary>
    public TransformBuffer(TransformBufferOptions? options = null)
    {
        var source = options ?? new TransformBufferOptions();
        // Copied so later changes to the caller's options object cannot race with lookups.
        _options = new TransformBufferOptions
        {
            CacheDurationNanoseconds = source.CacheDurationNanoseconds,
            ExtrapolationToleranceNanoseconds = source.ExtrapolationToleranceNanoseconds,
            OutOfOrderToleranceNanoseconds = source.OutOfOrderToleranceNanoseconds,
            MaxSamplesPerFrame = source.MaxSamplesPerFrame,
        };
    }

    /// <summary>A snapshot of the insertion counts.</summary>
    public TransformBufferStatistics Statistics
    {
        get
        {
            lock (_sync)
            {
                return new TransformBufferStatistics(_inserted, _rejectedNonFinite, _rejectedNonUnit, _rejectedFrameId,
                    _rejectedCycle, _timeResets, _parentChanges);
            }
        }
    }

    /// <summary>
    /// Inserts <paramref name="parentFromChild"/> (geometry_msgs/TransformStamped: header.frame_id = parent,
    /// child_frame_id = child). Static transforms ignore the time. Returns the reason when rejected (and counts it);
    /// a leading '/' on frame ids is dropped, as ROS 1 bags carry it.
    /// </summary>
    public TransformRejection SetTransform(string parentFrame, string childFrame, long timeNs, RigidTransform parentFromChild, bool isStatic = false)
    {
        ArgumentNullException.ThrowIfNull(parentFrame);
        ArgumentNullException.ThrowIfNull(childFrame);
        parentFrame = StripSlash(parentFrame);
        childFrame = StripSlash(childFrame);
        lock (_sync)
        {
            if (parentFrame.Length == 0 || childFrame.Length == 0 || parentFrame == childFrame)
            {
                _rejectedFrameId++;
                return TransformRejection.InvalidFrameId;
            }
            if (!parentFromChild.IsFinite)
            {
                _rejectedNonFinite++;
                return TransformRejection.NonFinite;
            }
            double norm = parentFromChild.Rotation.Norm;
            if (Math.Abs(norm - 1) > TransformBufferOptions.UnitQuaternionTolerance)
            {
                _rejectedNonUnit++;
                return TransformRejection.NonUnitQuaternion;
            }
            var value = parentFromChild with { Rotation = parentFromChild.Rotation.Normalized() };

            int parent = GetOrAddFrame(parentFrame);
            int child = GetOrAddFrame(childFrame);
            var frame = _frames[child];
            if (frame.Parent != parent && IsAncestorOrSelf(child, parent))
            {
                _rejectedCycle++;
                return TransformRejection.WouldCreateCycle;
            }
            if (frame.Parent != parent || frame.IsStatic != isStatic)
            {
                if (frame.Parent >= 0) _parentChanges++;
                frame.Parent = parent;
                frame.IsStatic = isStatic;
                frame.Cache.Clear();
            }

            if (isStatic)
            {
                frame.StaticValue = value;
            }
            else
            {
                if (frame.Cache.Count > 0 && timeNs < frame.Cache.NewestNs - _options.OutOfOrderToleranceNanoseconds)
                {
                    frame.Cache.Clear();
                    _timeResets++;
                }
                frame.Cache.Insert(timeNs, value, _options.CacheDurationNanoseconds, _options.MaxSamplesPerFrame);
            }
            _inserted++;
            AssertInvariants();
            return TransformRejection.None;
        }
    }

    /// <summary>Whether a frame of that name has been seen, as parent or child.</summary>
    public bool HasFrame(string frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        lock (_sync)
        {
            return _frameIds.ContainsKey(StripSlash(frame));
        }
    }

    /// <summary>
    /// Looks up <paramref name="targetFromSource"/>, which maps points in <paramref name="sourceFrame"/> into
    /// <paramref name="targetFrame"/> at <paramref name="timeNs"/> (0 = the latest time all edges on the path share),
    /// as tf2's lookupTransform(target, source, time). False with a tf2-like message when a frame is unknown, the frames
    /// are in different trees, or the time lies outside a dynamic edge's cache (beyond the extrapolation tolerance).
    /// </summary>
    public bool TryLookup(string targetFrame, string sourceFrame, long timeNs, out RigidTransform targetFromSource, out string? error) =>
        TryLookup(targetFrame, sourceFrame, timeNs, out targetFromSource, out error, out _);

    /// <summary><see cref="TryLookup(string, string, long, out RigidTransform, out string?)"/> that also says why it failed.</summary>
    internal bool TryLookup(string targetFrame, string sourceFrame, long timeNs, out RigidTransform targetFromSource, out string? error, out LookupFailure failure)
    {
        ArgumentNullException.ThrowIfNull(targetFrame);
        ArgumentNullException.ThrowIfNull(sourceFrame);
        targetFrame = StripSlash(targetFrame);
        sourceFrame = StripSlash(sourceFrame);
        targetFromSource = RigidTransform.Identity;
        lock (_sync)
        {
            if (!_frameIds.TryGetValue(targetFrame, out int target))
            {
                error = $"\"{targetFrame}\" passed to lookupTransform argument target_frame does not exist.";
                failure = LookupFailure.UnknownFrame;
                return false;
            }
            if (!_frameIds.TryGetValue(sourceFrame, out int source))
            {
                error = $"\"{sourceFrame}\" passed to lookupTransform argument source_frame does not exist.";
                failure = LookupFailure.UnknownFrame;
                return false;
            }
            failure = LookupFailure.None;
            if (target == source)
            {
                error = null;
                return true;
            }

            int ancestor = CommonAncestor(target, source);
            if (ancestor < 0)
            {
                error = $"Could not find a connection between '{targetFrame}' and '{sourceFrame}' because they are not part of the same tree. Tf has two or more unconnected trees.";
                failure = LookupFailure.Unconnected;
                return false;
            }

            if (timeNs == 0) timeNs = LatestCommonTime(target, source, ancestor);

            if (!TryChain(source, ancestor, timeNs, targetFrame, sourceFrame, out var ancestorFromSource, out error, out failure)
                || !TryChain(target, ancestor, timeNs, targetFrame, sourceFrame, out var ancestorFromTarget, out error, out failure))
                return false;
            targetFromSource = ancestorFromTarget.Inverse() * ancestorFromSource;
            error = null;
            return true;
        }
    }

    /// <summary>Forgets every frame and sample (the counts stay).</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _frames.Clear();
            _frameIds.Clear();
        }
    }

    // ancestorFromFrame: the product of parentFromChild edges walking up from frame to ancestor.
    private bool TryChain(int frame, int ancestor, long timeNs, string targetName, string sourceName, out RigidTransform ancestorFromFrame,
        out string? error, out LookupFailure failure)
    {
        ancestorFromFrame = RigidTransform.Identity;
        for (int current = frame; current != ancestor; current = _frames[current].Parent)
        {
            var node = _frames[current];
            RigidTransform parentFromCurrent;
            if (node.IsStatic)
            {
                parentFromCurrent = node.StaticValue;
            }
            else
            {
                int result = node.Cache.TryGet(timeNs, _options.ExtrapolationToleranceNanoseconds, out parentFromCurrent);
                if (result != 0)
                {
                    failure = result > 0 ? LookupFailure.FutureExtrapolation : LookupFailure.PastExtrapolation;
                    error = result > 0
                        ? $"Lookup would require extrapolation into the future.  Requested time {Seconds(timeNs)} but the latest data is at time {Seconds(node.Cache.NewestNs)}, when looking up transform from frame [{sourceName}] to frame [{targetName}]"
                        : $"Lookup would require extrapolation into the past.  Requested time {Seconds(timeNs)} but the earliest data is at time {Seconds(node.Cache.OldestNs)}, when looking up transform from frame [{sourceName}] to frame [{targetName}]";
                    return false;
                }
            }
            ancestorFromFrame = parentFromCurrent * ancestorFromFrame;
        }
        failure = LookupFailure.None;
        error = null;
        return true;
    }

    // tf2's getLatestCommonTime: the oldest of the newest samples of every dynamic edge on both paths.
    private long LatestCommonTime(int target, int source, int ancestor)
    {
        long latest = long.MaxValue;
        foreach (int start in (ReadOnlySpan<int>)[target, source])
        {
            for (int current = start; current != ancestor; current = _frames[current].Parent)
            {
                var node = _frames[current];
                if (!node.IsStatic) latest = Math.Min(latest, node.Cache.NewestNs);
            }
        }
        // Only static edges: any time works; 0 keeps the request's meaning.
        return latest == long.MaxValue ? 0 : latest;
    }

    private int CommonAncestor(int a, int b)
    {
        int depthA = Depth(a), depthB = Depth(b);
        while (depthA > depthB) { a = _frames[a].Parent; depthA--; }
        while (depthB > depthA) { b = _frames[b].Parent; depthB--; }
        while (a != b)
        {
            a = _frames[a].Parent;
            b = _frames[b].Parent;
            if (a < 0 || b < 0) return -1;
        }
        return a;
    }

    private int Depth(int frame)
    {
        int depth = 0;
        for (int current = _frames[frame].Parent; current >= 0; current = _frames[current].Parent) depth++;
        return depth;
    }

    private bool IsAncestorOrSelf(int candidate, int frame)
    {
        for (int current = frame; current >= 0; current = _frames[current].Parent)
        {
            if (current == candidate) return true;
        }
        return false;
    }

    private int GetOrAddFrame(string name)
    {
        if (_frameIds.TryGetValue(name, out int id)) return id;
        id = _frames.Count;
        _frames.Add(new Frame());
        _frameIds.Add(name, id);
        return id;
    }

    private static string StripSlash(string frame) => frame.Length > 0 && frame[0] == '/' ? frame[1..] : frame;

    private static string Seconds(long timeNs) => (timeNs / 1e9).ToString("F9", CultureInfo.InvariantCulture);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_frames.Count == _frameIds.Count, "one id per frame name");
        for (int i = 0; i < _frames.Count; i++)
        {
            // Walking up from any frame ends at a root within as many steps as there are frames: no cycles.
            int steps = 0;
            for (int current = _frames[i].Parent; current >= 0; current = _frames[current].Parent)
                Debug.Assert(++steps <= _frames.Count, "frames form a tree");
            Debug.Assert(_frames[i].IsStatic || _frames[i].Parent < 0 || _frames[i].Cache.Count > 0, "a dynamic edge has samples");
        }
    }

    private sealed class Frame
    {
        /// <summary>Parent frame id, −1 for a root or a frame only seen as someone's parent.</summary>
        public int Parent = -1;

        public bool IsStatic;

        public RigidTransform StaticValue;

        public readonly TransformCache Cache = new();
    }
}

/// <summary>Why a <see cref="TransformBuffer"/> lookup failed.</summary>
internal enum LookupFailure
{
    None,
    UnknownFrame,
    Unconnected,
    PastExtrapolation,
    FutureExtrapolation,
}
