using AnyRecon.Ros.Completion;

namespace AnyRecon.Ros.Pipeline;

/// <summary>The AnyRecon loop: complete views at target poses and feed them back as generated evidence. Off by default.</summary>
public sealed class CompletionOptions
{
    public const int DefaultRetrieveCount = 4;
    public const double DefaultMinConfidence = 0.25;

    /// <summary>Run the loop at all (replay <c>--complete</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Keeps the loop (retrieval index, completer) ready for views asked for on demand (the node's ~/complete_view)
    /// even when <see cref="Enabled"/> is off: then no target is raised by itself.
    /// </summary>
    public bool OnDemand { get; set; }

    /// <summary>The completion backend; null (default) is the <see cref="GeometricViewCompleter"/>.</summary>
    public IViewCompleter? Completer { get; set; }

    /// <summary>User targets: a TUM trajectory file (see <see cref="TargetPoseFile"/>); null for none.</summary>
    public string? TargetsFile { get; set; }

    /// <summary>Virtual viewpoints the pipeline raises by itself (gaps, frontier); off by default.</summary>
    public AutomaticTargetOptions Automatic { get; set; } = new();

    /// <summary>Keyframes retrieved per target, ≥ 1. Default 4.</summary>
    public int RetrieveCount
    {
        get => _retrieveCount;
        set => _retrieveCount = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    }

    private int _retrieveCount = DefaultRetrieveCount;

    /// <summary>Targets waiting for the completer, ≥ 1; when full the newest target replaces the one waiting. Default 1.</summary>
    public int QueueCapacity
    {
        get => _queueCapacity;
        set => _queueCapacity = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    }

    private int _queueCapacity = 1;

    /// <summary>
    /// Completed pixels (warped or filled, not the map's own render) with at least this confidence are fused back as
    /// generated evidence. Default 0.25; above 1 nothing is fused back.
    /// </summary>
    public double MinConfidence
    {
        get => _minConfidence;
        set => _minConfidence = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be ≥ 0");
    }

    private double _minConfidence = DefaultMinConfidence;
}
