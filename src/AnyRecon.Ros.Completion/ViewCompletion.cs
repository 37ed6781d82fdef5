using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Completion;

/// <summary>Where a pixel of a completed view came from.</summary>
public enum PixelSource : byte
{
    /// <summary>Nothing: no map surface, no keyframe and no fill reached it.</summary>
    Empty = 0,

    /// <summary>The guidance render of the voxel memory (observed evidence, or generated evidence already in the map).</summary>
    Observed = 1,

    /// <summary>Warped from a retrieved keyframe.</summary>
    Warped = 2,

    /// <summary>Invented by the completer (inpainting, a learned model).</summary>
    Filled = 3,
}

/// <summary>
/// The voxel memory raycast at a target pose: per pixel colour, depth (metres along the optical axis, 0 = hole),
/// confidence in [0, 1] (0 = hole) and whether the surface hit is observed or generated evidence. Row-major, width × height.
/// </summary>
public sealed class GuidanceRender
{
    public GuidanceRender(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Rgb = new byte[width * height * 3];
        Depth = new float[width * height];
        Confidence = new float[width * height];
        Generated = new bool[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Rgb { get; }

    public float[] Depth { get; }

    public float[] Confidence { get; }

    /// <summary>True where the surface hit is held by generated evidence only.</summary>
    public bool[] Generated { get; }

    /// <summary>True where the ray met no surface.</summary>
    public bool IsHole(int pixel) => !(Depth[pixel] > 0);
}

/// <summary>A completed view at the target pose: colour, depth (metres, 0 = unknown), confidence in [0, 1] and the source of each pixel.</summary>
public sealed class CompletedView
{
    public CompletedView(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Rgb = new byte[width * height * 3];
        Depth = new float[width * height];
        Confidence = new float[width * height];
        Source = new PixelSource[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Rgb { get; }

    public float[] Depth { get; }

    public float[] Confidence { get; }

    public PixelSource[] Source { get; }
}

/// <summary>Everything a completer gets: a learned backend needs nothing more.</summary>
/// <param name="StampNs">Stamp the completed view will carry.</param>
/// <param name="WorldFromCamera">Target pose of the optical frame in the map frame.</param>
/// <param name="Intrinsics">Target pinhole intrinsics; the completed view has its size.</param>
/// <param name="Guidance">The voxel memory rendered at the target.</param>
/// <param name="Retrieved">Keyframes that overlap the target most, best first.</param>
public sealed record CompletionRequest(long StampNs, RigidTransform WorldFromCamera, PinholeIntrinsics Intrinsics, GuidanceRender Guidance, IReadOnlyList<Keyframe> Retrieved);

/// <summary>A view completion backend: geometric now, a few-step diffusion model later.</summary>
public interface IViewCompleter
{
    /// <summary>Short name for reports ("geometric").</summary>
    string Name { get; }

    /// <summary>Completes the target view. Must not modify the request's guidance or keyframes.</summary>
    CompletedView Complete(CompletionRequest request, CancellationToken cancellationToken = default);
}
