using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.CaptureViews;

/// <summary>Why a frame was (or was not) made a keyframe, with the measured quantities.</summary>
public enum KeyframeReason
{
    /// <summary>Not a keyframe: it neither moved nor turned far enough and sees mostly what the last keyframe saw.</summary>
    None,

    /// <summary>No keyframe yet (first frame, or after <see cref="KeyframeSelector.Reset"/>).</summary>
    First,

    /// <summary>Moved at least <see cref="KeyframeSelectorOptions.MinTranslationMeters"/>.</summary>
    Translation,

    /// <summary>Turned at least <see cref="KeyframeSelectorOptions.MinRotationDegrees"/>.</summary>
    Rotation,

    /// <summary>Overlap with the last keyframe's blocks fell below <see cref="KeyframeSelectorOptions.MaxOverlap"/>.</summary>
    Overlap,
}

/// <summary>The selector's verdict on one frame. Distances are to the last keyframe (0 when there is none).</summary>
public readonly record struct KeyframeDecision(bool IsKeyframe, KeyframeReason Reason, double TranslationMeters, double RotationDegrees, double Overlap);

/// <summary>
/// Decides which frames become keyframes by translation, rotation and block overlap against the last keyframe.
/// Pure logic over poses and block lists; one instance per camera stream; not thread-safe.
/// </summary>
/// <remarks>
/// Overlap is |frame ∩ last| / |frame| over distinct observed blocks. A frame that observed no blocks (no valid
/// depth) has overlap 1: it adds nothing new to the map, so only motion can make it a keyframe.
/// </remarks>
public sealed class KeyframeSelector
{
    private readonly KeyframeSelectorOptions _options;
    // Reused across keyframes so a decision allocates nothing once the set has grown to the usual block count.
    private readonly HashSet<BlockIndex> _lastBlocks = [];
    private RigidTransform _lastWorldFromCamera;
    private bool _hasLast;

    public KeyframeSelector(KeyframeSelectorOptions? options = null) => _options = options ?? new KeyframeSelectorOptions();

    /// <summary>True once a keyframe has been accepted (or seeded).</summary>
    public bool HasKeyframe => _hasLast;

    /// <summary>Judges a frame without changing state.</summary>
    /// <param name="worldFromCamera">Pose of the frame's optical frame in the map frame.</param>
    /// <param name="observedBlocks">The frame's observed voxel blocks, distinct (order does not matter).</param>
    public KeyframeDecision Evaluate(RigidTransform worldFromCamera, ReadOnlySpan<BlockIndex> observedBlocks)
    {
        if (!worldFromCamera.IsFinite) throw new ArgumentException("pose must be finite", nameof(worldFromCamera));
        if (!_hasLast) return new KeyframeDecision(true, KeyframeReason.First, 0, 0, 0);

        double translation = (worldFromCamera.Translation - _lastWorldFromCamera.Translation).Length;
        double rotation = QuaternionD.AngleBetween(worldFromCamera.Rotation.Normalized(), _lastWorldFromCamera.Rotation.Normalized()) * (180.0 / Math.PI);
        double overlap = Overlap(observedBlocks);

        var reason = translation >= _options.MinTranslationMeters ? KeyframeReason.Translation
            : rotation >= _options.MinRotationDegrees ? KeyframeReason.Rotation
            : overlap < _options.MaxOverlap ? KeyframeReason.Overlap
            : KeyframeReason.None;
        return new KeyframeDecision(reason != KeyframeReason.None, reason, translation, rotation, overlap);
    }

    /// <summary>Judges a frame and, when it is a keyframe, makes it the new reference.</summary>
    public KeyframeDecision Consider(RigidTransform worldFromCamera, ReadOnlySpan<BlockIndex> observedBlocks)
    {
        var decision = Evaluate(worldFromCamera, observedBlocks);
        if (decision.IsKeyframe) Accept(worldFromCamera, observedBlocks);
        return decision;
    }

    /// <summary>Makes a frame the reference keyframe (after a decision, or to resume from a reopened cache's last keyframe).</summary>
    public void Accept(RigidTransform worldFromCamera, ReadOnlySpan<BlockIndex> observedBlocks)
    {
        if (!worldFromCamera.IsFinite) throw new ArgumentException("pose must be finite", nameof(worldFromCamera));
        _lastWorldFromCamera = worldFromCamera;
        _lastBlocks.Clear();
        foreach (var block in observedBlocks) _lastBlocks.Add(block);
        _hasLast = true;
    }

    /// <summary>Resumes from a stored keyframe, e.g. the last of a reopened <see cref="CaptureViewCache"/>.</summary>
    public void Accept(KeyframeInfo keyframe)
    {
        ArgumentNullException.ThrowIfNull(keyframe);
        _lastWorldFromCamera = keyframe.WorldFromCamera.IsFinite ? keyframe.WorldFromCamera : throw new ArgumentException("pose must be finite", nameof(keyframe));
        _lastBlocks.Clear();
        foreach (var block in keyframe.ObservedBlocks) _lastBlocks.Add(block);
        _hasLast = true;
    }

    /// <summary>Forgets the reference keyframe, so the next frame is a keyframe (e.g. when time jumps backwards).</summary>
    public void Reset()
    {
        _hasLast = false;
        _lastBlocks.Clear();
    }

    private double Overlap(ReadOnlySpan<BlockIndex> observedBlocks)
    {
        if (observedBlocks.IsEmpty) return 1.0;
        int shared = 0;
        foreach (var block in observedBlocks)
            if (_lastBlocks.Contains(block)) shared++;
        return (double)shared / observedBlocks.Length;
    }
}
