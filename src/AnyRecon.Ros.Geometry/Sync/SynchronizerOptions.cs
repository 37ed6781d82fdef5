namespace AnyRecon.Ros.Geometry;

/// <summary>Options of an <see cref="ApproximateTimeSynchronizer{TColor, TDepth}"/>; setters reject out-of-range values.</summary>
public sealed class SynchronizerOptions
{
    /// <summary>20 ms: well under one frame period at 30 Hz, above the stamp jitter of common RGB-D drivers.</summary>
    public const long DefaultToleranceNanoseconds = 20_000_000;

    /// <summary>Frames waiting for a partner, per stream: 1 s of 30 Hz video.</summary>
    public const int DefaultQueueSize = 30;

    /// <summary>Pose samples kept when poses come from a topic: 4 s at 100 Hz.</summary>
    public const int DefaultPoseQueueSize = 400;

    /// <summary>How long (in stream time) a matched pair waits for its pose: 0.5 s.</summary>
    public const long DefaultPoseWaitNanoseconds = 500_000_000;

    private long _toleranceNs = DefaultToleranceNanoseconds;
    private int _colorQueueSize = DefaultQueueSize;
    private int _depthQueueSize = DefaultQueueSize;
    private int _pendingPoseQueueSize = DefaultQueueSize;
    private int _poseQueueSize = DefaultPoseQueueSize;
    private long _poseWaitNs = DefaultPoseWaitNanoseconds;

    /// <summary>Largest |Δt| between color and depth stamps, and between the depth stamp and a pose sample. Default 20 ms.</summary>
    public long ToleranceNanoseconds
    {
        get => _toleranceNs;
        set => _toleranceNs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    /// <summary>Color frames waiting for a depth partner; when full the oldest is dropped and counted. Default 30.</summary>
    public int ColorQueueSize
    {
        get => _colorQueueSize;
        set => _colorQueueSize = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 2 (matching looks one frame ahead).");
    }

    /// <summary>Depth frames waiting for a color partner; when full the oldest is dropped and counted. Default 30.</summary>
    public int DepthQueueSize
    {
        get => _depthQueueSize;
        set => _depthQueueSize = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 2 (matching looks one frame ahead).");
    }

    /// <summary>Matched color+depth pairs waiting for their pose; when full the oldest is dropped and counted. Default 30.</summary>
    public int PendingPoseQueueSize
    {
        get => _pendingPoseQueueSize;
        set => _pendingPoseQueueSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1.");
    }

    /// <summary>Pose samples kept in pose-topic mode; the oldest are forgotten first. Default 400.</summary>
    public int PoseQueueSize
    {
        get => _poseQueueSize;
        set => _poseQueueSize = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 2 (interpolation needs two).");
    }

    /// <summary>
    /// How far the newest color/depth stamp may run ahead of a matched pair still waiting for a pose (TF or pose topic
    /// lagging the camera) before the pair is counted as pose-unavailable. Measured in stamps, so replay is deterministic.
    /// Default 0.5 s.
    /// </summary>
    public long PoseWaitNanoseconds
    {
        get => _poseWaitNs;
        set => _poseWaitNs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    internal SynchronizerOptions Clone() => (SynchronizerOptions)MemberwiseClone();
}

/// <summary>Why a frame left an <see cref="ApproximateTimeSynchronizer{TColor, TDepth}"/> without being matched.</summary>
public enum SynchronizationDropReason
{
    /// <summary>No frame of the other stream within the tolerance (or a closer frame took it).</summary>
    NoPartner,

    /// <summary>Matched, but no pose at its stamp: TF extrapolation, unknown frames, or no pose sample within the tolerance.</summary>
    PoseUnavailable,

    /// <summary>Its queue was full and it was the oldest.</summary>
    QueueOverflow,

    /// <summary>Time went backwards on some stream (a bag loop) and all waiting frames were discarded.</summary>
    TimeReset,

    /// <summary>Same stamp as the previous frame of the same stream.</summary>
    DuplicateStamp,
}

/// <summary>A color frame, a depth frame within the tolerance of it, and the camera pose at the depth stamp.</summary>
/// <param name="StampNs">The depth stamp: the geometry is the depth frame's, so its pose is the one that matters.</param>
/// <param name="ColorStampNs">The color frame's own stamp.</param>
/// <param name="Color">The color payload.</param>
/// <param name="Depth">The depth payload.</param>
/// <param name="WorldFromCamera">Maps points in the camera's optical frame into the world frame.</param>
public readonly record struct SynchronizedFrame<TColor, TDepth>(long StampNs, long ColorStampNs, TColor Color, TDepth Depth, RigidTransform WorldFromCamera);

/// <summary>What an <see cref="ApproximateTimeSynchronizer{TColor, TDepth}"/> did with its input so far.</summary>
/// <param name="Matched">Frames emitted with a pose.</param>
/// <param name="ColorNoPartner">Color frames without a depth partner.</param>
/// <param name="DepthNoPartner">Depth frames without a color partner.</param>
/// <param name="ColorQueueOverflow">Color frames dropped from a full queue.</param>
/// <param name="DepthQueueOverflow">Depth frames dropped from a full queue.</param>
/// <param name="PoseUnavailable">Matched pairs dropped for want of a pose.</param>
/// <param name="PendingPoseOverflow">Matched pairs dropped from a full pose-waiting queue.</param>
/// <param name="ColorDroppedOnReset">Color frames (waiting or matched) discarded by time resets.</param>
/// <param name="DepthDroppedOnReset">Depth frames (waiting or matched) discarded by time resets.</param>
/// <param name="DuplicateStamps">Color or depth frames with the same stamp as their stream's previous frame.</param>
/// <param name="Resets">Times a stream went backwards and the state was reset.</param>
/// <param name="WaitingColor">Color frames queued for a partner.</param>
/// <param name="WaitingDepth">Depth frames queued for a partner.</param>
/// <param name="WaitingForPose">Matched pairs queued for their pose.</param>
public readonly record struct SynchronizerStatistics(
    long Matched,
    long ColorNoPartner,
    long DepthNoPartner,
    long ColorQueueOverflow,
    long DepthQueueOverflow,
    long PoseUnavailable,
    long PendingPoseOverflow,
    long ColorDroppedOnReset,
    long DepthDroppedOnReset,
    long DuplicateStamps,
    long Resets,
    int WaitingColor,
    int WaitingDepth,
    int WaitingForPose);
