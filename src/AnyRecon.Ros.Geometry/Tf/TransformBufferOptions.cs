namespace AnyRecon.Ros.Geometry;

/// <summary>Options of a <see cref="TransformBuffer"/>; setters reject out-of-range values.</summary>
public sealed class TransformBufferOptions
{
    /// <summary>tf2's default cache time: 10 s.</summary>
    public const long DefaultCacheDurationNanoseconds = 10_000_000_000;

    /// <summary>No extrapolation by default, as tf2.</summary>
    public const long DefaultExtrapolationToleranceNanoseconds = 0;

    /// <summary>100 ms: later-arriving samples up to this much older than a frame's newest are still inserted in order.</summary>
    public const long DefaultOutOfOrderToleranceNanoseconds = 100_000_000;

    /// <summary>Enough for 1 kHz over the default 10 s.</summary>
    public const int DefaultMaxSamplesPerFrame = 10_000;

    /// <summary>Quaternions whose norm is further than this from 1 are rejected; closer ones are normalized.</summary>
    public const double UnitQuaternionTolerance = 1e-3;

    private long _cacheDurationNs = DefaultCacheDurationNanoseconds;
    private long _extrapolationToleranceNs = DefaultExtrapolationToleranceNanoseconds;
    private long _outOfOrderToleranceNs = DefaultOutOfOrderToleranceNanoseconds;
    private int _maxSamplesPerFrame = DefaultMaxSamplesPerFrame;

    /// <summary>How far back each dynamic frame keeps samples, measured from its newest one. Default 10 s.</summary>
    public long CacheDurationNanoseconds
    {
        get => _cacheDurationNs;
        set => _cacheDurationNs = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");
    }

    /// <summary>
    /// How far outside a frame's cached span a lookup may reach; the nearest end sample is used there. Default 0
    /// (any extrapolation is an error, as tf2). A few milliseconds hide a TF publisher that lags the camera slightly.
    /// </summary>
    public long ExtrapolationToleranceNanoseconds
    {
        get => _extrapolationToleranceNs;
        set => _extrapolationToleranceNs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    /// <summary>
    /// A sample older than its frame's newest by at most this is inserted in time order; older than that, time has
    /// gone backwards (a bag loop or restart) and the frame's cache is cleared first. Default 100 ms.
    /// </summary>
    public long OutOfOrderToleranceNanoseconds
    {
        get => _outOfOrderToleranceNs;
        set => _outOfOrderToleranceNs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    /// <summary>Hard cap on samples per dynamic frame, oldest dropped first; bounds memory whatever the rate. Default 10,000.</summary>
    public int MaxSamplesPerFrame
    {
        get => _maxSamplesPerFrame;
        set => _maxSamplesPerFrame = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 2 (interpolation needs two).");
    }
}

/// <summary>Why a transform was not inserted into a <see cref="TransformBuffer"/>.</summary>
public enum TransformRejection
{
    /// <summary>Inserted.</summary>
    None,

    /// <summary>A translation or rotation component is NaN or infinite.</summary>
    NonFinite,

    /// <summary>The rotation's norm differs from 1 by more than <see cref="TransformBufferOptions.UnitQuaternionTolerance"/>.</summary>
    NonUnitQuaternion,

    /// <summary>Parent or child frame id is empty, or they are the same frame.</summary>
    InvalidFrameId,

    /// <summary>The parent is already a descendant of the child: the frames would no longer form a tree.</summary>
    WouldCreateCycle,
}

/// <summary>Counts kept by a <see cref="TransformBuffer"/> since it was created.</summary>
/// <param name="Inserted">Transforms accepted.</param>
/// <param name="RejectedNonFinite">Rejected for NaN/inf values.</param>
/// <param name="RejectedNonUnitQuaternion">Rejected for a rotation that is not a unit quaternion.</param>
/// <param name="RejectedInvalidFrameId">Rejected for an empty or self-referencing frame id.</param>
/// <param name="RejectedCycle">Rejected because they would make the frames a graph with a cycle.</param>
/// <param name="TimeResets">Frame caches cleared because time went backwards on that frame.</param>
/// <param name="ParentChanges">Frame caches cleared because the frame was re-parented or switched static/dynamic.</param>
public readonly record struct TransformBufferStatistics(
    long Inserted,
    long RejectedNonFinite,
    long RejectedNonUnitQuaternion,
    long RejectedInvalidFrameId,
    long RejectedCycle,
    long TimeResets,
    long ParentChanges)
{
    /// <summary>All rejected transforms.</summary>
    public long Rejected => RejectedNonFinite + RejectedNonUnitQuaternion + RejectedInvalidFrameId + RejectedCycle;
}
