using System.Diagnostics;

namespace AnyRecon.Ros.Geometry;

/// <summary>
/// Pairs color and depth frames whose stamps differ by at most the tolerance and attaches the camera pose at the depth
/// stamp, from a <see cref="TransformBuffer"/> or from pose samples (PoseStamped/Odometry) added with
/// <see cref="AddPose"/>. Every frame ends up matched or counted with its reason; none is silently dropped.
/// </summary>
/// <remarks>
/// Deterministic and single-threaded (no threads or clocks inside): the same input order gives the same output. A pair
/// is committed when each frame is the other's nearest, which needs one frame of look-ahead on a stream unless the
/// stamps are equal. Each stream must be in stamp order; a stamp going backwards (a bag loop) resets all state.
/// Call <see cref="Flush"/> at the end of a stream. Not thread-safe: one pipeline stage owns it.
/// </remarks>
public sealed class ApproximateTimeSynchronizer<TColor, TDepth>
{
    private readonly SynchronizerOptions _options;
    private readonly TransformBuffer? _transforms;
    private readonly string _worldFrame = "";
    private readonly string _cameraFrame = "";

    private readonly RingQueue<(long Stamp, TColor Payload)> _colors;
    private readonly RingQueue<(long Stamp, TDepth Payload)> _depths;
    private readonly RingQueue<(long Stamp, long ColorStamp, TColor Color, TDepth Depth)> _pendingPose;
    private readonly RingQueue<(long Stamp, RigidTransform WorldFromCamera)> _poses;
    private readonly RingQueue<SynchronizedFrame<TColor, TDepth>> _output = new(8);

    private long _lastColor = long.MinValue, _lastDepth = long.MinValue, _lastPose = long.MinValue;
    private long _matched, _colorNoPartner, _depthNoPartner, _colorOverflow, _depthOverflow, _poseUnavailable,
        _pendingOverflow, _colorReset, _depthReset, _duplicates, _resets;

    /// <summary>Synchronizer whose poses come from <paramref name="transforms"/>: worldFromCamera = lookup(world, camera, depth stamp).</summary>
    /// <param name="options">Tolerance and queue sizes; copied.</param>
    /// <param name="transforms">The TF buffer, filled by the caller from /tf and /tf_static.</param>
    /// <param name="worldFrame">The fixed frame the map is built in (e.g. "map" or "odom").</param>
    /// <param name="cameraFrame">The depth image's optical frame (its header.frame_id).</param>
    public ApproximateTimeSynchronizer(SynchronizerOptions options, TransformBuffer transforms, string worldFrame, string cameraFrame)
        : this(options)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        ArgumentException.ThrowIfNullOrEmpty(worldFrame);
        ArgumentException.ThrowIfNullOrEmpty(cameraFrame);
        _transforms = transforms;
        _worldFrame = worldFrame;
        _cameraFrame = cameraFrame;
    }

    /// <summary>Synchronizer whose poses come from <see cref="AddPose"/> (worldFromCamera samples).</summary>
    public ApproximateTimeSynchronizer(SynchronizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _colors = new(_options.ColorQueueSize);
        _depths = new(_options.DepthQueueSize);
        _pendingPose = new(_options.PendingPoseQueueSize);
        _poses = new(Math.Min(_options.PoseQueueSize, 64));
    }

    /// <summary>Called with each color payload that leaves unmatched (e.g. to return a pooled buffer).</summary>
    public Action<TColor, SynchronizationDropReason>? ColorDropped { get; init; }

    /// <summary>Called with each depth payload that leaves unmatched (e.g. to return a pooled buffer).</summary>
    public Action<TDepth, SynchronizationDropReason>? DepthDropped { get; init; }

    /// <summary>The last pose lookup error (a tf2-like message), for reports; null until one happens.</summary>
    public string? LastPoseError { get; private set; }

    /// <summary>A snapshot of the counts.</summary>
    public SynchronizerStatistics Statistics => new(_matched, _colorNoPartner, _depthNoPartner, _colorOverflow, _depthOverflow,
        _poseUnavailable, _pendingOverflow, _colorReset, _depthReset, _duplicates, _resets, _colors.Count, _depths.Count, _pendingPose.Count);

    /// <summary>Adds a color frame with its header stamp; matched frames become available from <see cref="TryTake"/>.</summary>
    public void AddColor(long stampNs, TColor color)
    {
        if (stampNs < _lastColor) Reset();
        else if (stampNs == _lastColor)
        {
            _duplicates++;
            ColorDropped?.Invoke(color, SynchronizationDropReason.DuplicateStamp);
            return;
        }
        _lastColor = stampNs;
        if (_colors.Count == _options.ColorQueueSize)
        {
            _colorOverflow++;
            ReleaseColor(_colors.Dequeue().Payload, SynchronizationDropReason.QueueOverflow);
        }
        _colors.Enqueue((stampNs, color));
        Process(flushing: false);
    }

    /// <summary>Adds a depth frame with its header stamp; matched frames become available from <see cref="TryTake"/>.</summary>
    public void AddDepth(long stampNs, TDepth depth)
    {
        if (stampNs < _lastDepth) Reset();
        else if (stampNs == _lastDepth)
        {
            _duplicates++;
            DepthDropped?.Invoke(depth, SynchronizationDropReason.DuplicateStamp);
            return;
        }
        _lastDepth = stampNs;
        if (_depths.Count == _options.DepthQueueSize)
        {
            _depthOverflow++;
            ReleaseDepth(_depths.Dequeue().Payload, SynchronizationDropReason.QueueOverflow);
        }
        _depths.Enqueue((stampNs, depth));
        Process(flushing: false);
    }

    /// <summary>
    /// Adds a pose sample (pose-topic mode only): the camera's optical frame in the world frame at <paramref name="stampNs"/>.
    /// A frame gets the pose interpolated between the two samples around its stamp when both are within the tolerance,
    /// otherwise the nearest one within the tolerance.
    /// </summary>
    public void AddPose(long stampNs, RigidTransform worldFromCamera)
    {
        if (_transforms is not null)
            throw new InvalidOperationException("This synchronizer takes its poses from a TransformBuffer.");
        if (stampNs < _lastPose) Reset();
        _lastPose = stampNs;
        if (_poses.Count > 0 && _poses[_poses.Count - 1].Stamp == stampNs) return; // keep the first of equal stamps
        if (_poses.Count == _options.PoseQueueSize) _poses.Dequeue();
        _poses.Enqueue((stampNs, worldFromCamera));
        Process(flushing: false);
    }

    /// <summary>Retries pairs waiting for their pose (call after adding transforms to the TF buffer).</summary>
    public void Poll() => Process(flushing: false);

    /// <summary>End of input: decides every waiting frame with what has arrived (no more look-ahead or pose waiting).</summary>
    public void Flush() => Process(flushing: true);

    /// <summary>Takes the next matched frame, in stamp order. Drain after each Add: the output is not bounded.</summary>
    public bool TryTake(out SynchronizedFrame<TColor, TDepth> frame)
    {
        if (_output.Count == 0)
        {
            frame = default;
            return false;
        }
        frame = _output.Dequeue();
        return true;
    }

    private void Process(bool flushing)
    {
        while (TryPairFront(flushing)) { }
        ResolvePoses(flushing);
        AssertInvariants();
    }

    // Decides the earliest waiting color or depth frame, if it can be decided yet; true when something changed.
    private bool TryPairFront(bool flushing)
    {
        long tolerance = _options.ToleranceNanoseconds;
        if (_colors.Count == 0 || _depths.Count == 0)
        {
            // A stream in order cannot bring back a partner for a frame it has already passed by more than the tolerance.
            if (_colors.Count > 0 && (flushing || Passed(_lastDepth, _colors[0].Stamp, tolerance)))
            {
                DropColorNoPartner();
                return true;
            }
            if (_depths.Count > 0 && (flushing || Passed(_lastColor, _depths[0].Stamp, tolerance)))
            {
                DropDepthNoPartner();
                return true;
            }
            return false;
        }

        long tc = _colors[0].Stamp, td = _depths[0].Stamp;
        if (tc <= td)
        {
            if (td - tc > tolerance) { DropColorNoPartner(); return true; }
            // The depth front is the color front's nearest (later depths are further); is the color its nearest too?
            switch (Prefers(td - tc, _colors, _depths, td, flushing))
            {
                case Preference.Wait: return false;
                case Preference.Other: DropColorNoPartner(); return true;
            }
        }
        else
        {
            if (tc - td > tolerance) { DropDepthNoPartner(); return true; }
            switch (Prefers(tc - td, _depths, _colors, tc, flushing))
            {
                case Preference.Wait: return false;
                case Preference.Other: DropDepthNoPartner(); return true;
            }
        }

        var color = _colors.Dequeue();
        var depth = _depths.Dequeue();
        if (_pendingPose.Count == _options.PendingPoseQueueSize)
        {
            var oldest = _pendingPose.Dequeue();
            _pendingOverflow++;
            ColorDropped?.Invoke(oldest.Color, SynchronizationDropReason.QueueOverflow);
            DepthDropped?.Invoke(oldest.Depth, SynchronizationDropReason.QueueOverflow);
        }
        _pendingPose.Enqueue((depth.Stamp, color.Stamp, color.Payload, depth.Payload));
        return true;
    }

    // Whether a stream whose newest stamp is `last` is more than the tolerance past `stamp` (never, before its first frame).
    private static bool Passed(long last, long stamp, long tolerance) => last != long.MinValue && last - stamp > tolerance;

    private enum Preference { Front, Other, Wait }

    // The early stream's front E (stamp tE) and the late stream's front L (stamp tL ≥ tE, gap = tL − tE) are candidates.
    // L prefers E unless the early stream's next frame E1 is strictly closer to L; even then E keeps L when E1 prefers
    // the late stream's next frame L1. Ties go to the earlier frame, so results do not depend on arrival order.
    private static Preference Prefers<TEarly, TLate>(long gap, RingQueue<(long Stamp, TEarly Payload)> early,
        RingQueue<(long Stamp, TLate Payload)> late, long tL, bool flushing)
    {
        if (gap == 0) return Preference.Front;
        if (early.Count < 2) return flushing ? Preference.Front : Preference.Wait;
        long gapNext = early[1].Stamp - tL; // E1 − L, may be negative when E1 is before L
        if (Math.Abs(gapNext) >= gap) return Preference.Front;
        if (late.Count < 2) return flushing ? Preference.Other : Preference.Wait;
        long e1 = early[1].Stamp;
        return Math.Abs(late[1].Stamp - e1) < Math.Abs(e1 - tL) ? Preference.Front : Preference.Other;
    }

    private void ResolvePoses(bool flushing)
    {
        long newestImage = Math.Max(_lastColor, _lastDepth);
        while (_pendingPose.Count > 0)
        {
            ref readonly var pending = ref _pendingPose[0];
            bool mayWait = !flushing && newestImage - pending.Stamp <= _options.PoseWaitNanoseconds;
            PoseResult result = _transforms is not null
                ? LookupTransform(pending.Stamp, mayWait, out var worldFromCamera)
                : LookupPoseSample(pending.Stamp, mayWait, out worldFromCamera);
            if (result == PoseResult.Wait) return;
            var entry = _pendingPose.Dequeue();
            if (result == PoseResult.Found)
            {
                _matched++;
                _output.Enqueue(new SynchronizedFrame<TColor, TDepth>(entry.Stamp, entry.ColorStamp, entry.Color, entry.Depth, worldFromCamera));
            }
            else
            {
                _poseUnavailable++;
                ColorDropped?.Invoke(entry.Color, SynchronizationDropReason.PoseUnavailable);
                DepthDropped?.Invoke(entry.Depth, SynchronizationDropReason.PoseUnavailable);
            }
        }
    }

    private enum PoseResult { Found, Unavailable, Wait }

    private PoseResult LookupTransform(long stampNs, bool mayWait, out RigidTransform worldFromCamera)
    {
        if (_transforms!.TryLookup(_worldFrame, _cameraFrame, stampNs, out worldFromCamera, out string? error, out var failure))
            return PoseResult.Found;
        // TF that has not arrived yet (future, or frames not yet seen) may still come; the past never will.
        if (mayWait && failure != LookupFailure.PastExtrapolation) return PoseResult.Wait;
        LastPoseError = error;
        return PoseResult.Unavailable;
    }

    private PoseResult LookupPoseSample(long stampNs, bool mayWait, out RigidTransform worldFromCamera)
    {
        worldFromCamera = RigidTransform.Identity;
        long tolerance = _options.ToleranceNanoseconds;
        int count = _poses.Count;
        int upper = 0; // first sample at or after the stamp
        while (upper < count && _poses[upper].Stamp < stampNs) upper++;

        if (upper == count && mayWait)
            return PoseResult.Wait; // all samples are older: a closer one may still arrive
        // Samples before the lower neighbour can serve no later frame (frames come in stamp order).
        if (upper > 1) { _poses.RemoveFirst(upper - 1); count -= upper - 1; upper = 1; }

        bool hasBefore = upper > 0, hasAfter = upper < count;
        long before = hasBefore ? stampNs - _poses[upper - 1].Stamp : long.MaxValue;
        long after = hasAfter ? _poses[upper].Stamp - stampNs : long.MaxValue;
        if (hasBefore && hasAfter && before <= tolerance && after <= tolerance)
        {
            var a = _poses[upper - 1];
            var b = _poses[upper];
            worldFromCamera = after == 0 ? b.WorldFromCamera
                : RigidTransform.Interpolate(a.WorldFromCamera, b.WorldFromCamera, (double)before / (b.Stamp - a.Stamp));
            return PoseResult.Found;
        }
        if (Math.Min(before, after) <= tolerance)
        {
            worldFromCamera = before <= after ? _poses[upper - 1].WorldFromCamera : _poses[upper].WorldFromCamera;
            return PoseResult.Found;
        }
        LastPoseError = count == 0
            ? "No pose sample has arrived."
            : $"No pose sample within {tolerance / 1e6:F1} ms of {stampNs / 1e9:F9} s (nearest is {Math.Min(before, after) / 1e6:F1} ms away).";
        return PoseResult.Unavailable;
    }

    private void DropColorNoPartner()
    {
        _colorNoPartner++;
        ReleaseColor(_colors.Dequeue().Payload, SynchronizationDropReason.NoPartner);
    }

    private void DropDepthNoPartner()
    {
        _depthNoPartner++;
        ReleaseDepth(_depths.Dequeue().Payload, SynchronizationDropReason.NoPartner);
    }

    // Not `ColorDropped?.Invoke(queue.Dequeue()…)`: `?.` skips evaluating the arguments when there is no callback.
    private void ReleaseColor(TColor color, SynchronizationDropReason reason) => ColorDropped?.Invoke(color, reason);

    private void ReleaseDepth(TDepth depth, SynchronizationDropReason reason) => DepthDropped?.Invoke(depth, reason);

    // Time went backwards on some stream: nothing queued can be paired with what comes next.
    private void Reset()
    {
        _resets++;
        while (_colors.Count > 0) { _colorReset++; ReleaseColor(_colors.Dequeue().Payload, SynchronizationDropReason.TimeReset); }
        while (_depths.Count > 0) { _depthReset++; ReleaseDepth(_depths.Dequeue().Payload, SynchronizationDropReason.TimeReset); }
        while (_pendingPose.Count > 0)
        {
            var entry = _pendingPose.Dequeue();
            _colorReset++;
            _depthReset++;
            ColorDropped?.Invoke(entry.Color, SynchronizationDropReason.TimeReset);
            DepthDropped?.Invoke(entry.Depth, SynchronizationDropReason.TimeReset);
        }
        while (_poses.Count > 0) _poses.Dequeue();
        _lastColor = _lastDepth = _lastPose = long.MinValue;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_colors.Count <= _options.ColorQueueSize && _depths.Count <= _options.DepthQueueSize, "queues bounded");
        Debug.Assert(_pendingPose.Count <= _options.PendingPoseQueueSize && _poses.Count <= _options.PoseQueueSize, "queues bounded");
        for (int i = 1; i < _colors.Count; i++) Debug.Assert(_colors[i - 1].Stamp < _colors[i].Stamp, "colors in order");
        for (int i = 1; i < _depths.Count; i++) Debug.Assert(_depths[i - 1].Stamp < _depths[i].Stamp, "depths in order");
    }
}
