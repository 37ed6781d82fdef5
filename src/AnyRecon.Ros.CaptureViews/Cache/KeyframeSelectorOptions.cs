namespace AnyRecon.Ros.CaptureViews;

/// <summary>When a frame becomes a keyframe: it moved far enough, turned far enough, or sees enough that is new.</summary>
public sealed class KeyframeSelectorOptions
{
    /// <summary>Default for <see cref="MinTranslationMeters"/>: about a step, where parallax starts to add geometry at room scale.</summary>
    public const double DefaultMinTranslationMeters = 0.3;

    /// <summary>Default for <see cref="MinRotationDegrees"/>: a quarter of a typical 60° field of view.</summary>
    public const double DefaultMinRotationDegrees = 15.0;

    /// <summary>Default for <see cref="MaxOverlap"/>: a frame whose blocks the last keyframe saw less than 60% of is new enough.</summary>
    public const double DefaultMaxOverlap = 0.6;

    private double _minTranslationMeters = DefaultMinTranslationMeters;
    private double _minRotationDegrees = DefaultMinRotationDegrees;
    private double _maxOverlap = DefaultMaxOverlap;

    /// <summary>
    /// Distance between the optical centres of the frame and the last keyframe at or above which the frame is a
    /// keyframe. Default <see cref="DefaultMinTranslationMeters"/>. <see cref="double.PositiveInfinity"/> disables the test.
    /// </summary>
    public double MinTranslationMeters
    {
        get => _minTranslationMeters;
        set => _minTranslationMeters = value > 0 && !double.IsNaN(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "must be a positive number of metres (or +infinity to disable)");
    }

    /// <summary>
    /// Rotation angle between the frame and the last keyframe at or above which the frame is a keyframe. Default
    /// <see cref="DefaultMinRotationDegrees"/>. Any value above 180 disables the test.
    /// </summary>
    public double MinRotationDegrees
    {
        get => _minRotationDegrees;
        set => _minRotationDegrees = value > 0 && !double.IsNaN(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "must be a positive number of degrees (above 180 disables)");
    }

    /// <summary>
    /// Overlap (fraction of the frame's observed blocks that the last keyframe also observed) below which the frame is
    /// a keyframe. Default <see cref="DefaultMaxOverlap"/>. 0 disables the test; 1 makes any new block enough.
    /// </summary>
    public double MaxOverlap
    {
        get => _maxOverlap;
        set => _maxOverlap = value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "must be a fraction in 0..1");
    }
}
