using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Pipeline;

/// <summary>Random access to the frames of an RGB-D dataset on disk (our folder format, Redwood, TUM).</summary>
public interface IRgbdFrameSource : IDisposable
{
    PinholeIntrinsics Intrinsics { get; }

    /// <summary>Depth PNG units per metre (1000 = millimetres; TUM uses 5000).</summary>
    double DepthScale { get; }

    int Count { get; }

    RgbdFolderFrame ReadFrame(int index);
}
