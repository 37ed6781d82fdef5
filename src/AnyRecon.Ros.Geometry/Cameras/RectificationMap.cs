namespace AnyRecon.Ros.Geometry;

/// <summary>
/// For each pixel of a target pinhole camera, the (sub-pixel) source pixel of the distorted image to sample, as
/// cv::initUndistortRectifyMap gives. Built once per camera by <see cref="CameraModel.CreateRectificationMap()"/>;
/// remapping a frame then allocates nothing.
/// </summary>
/// <remarks>Immutable; remap methods may run concurrently on different buffers.</remarks>
public sealed class RectificationMap
{
    private readonly float[] _sourceX;
    private readonly float[] _sourceY;

    // Row-major source index of the nearest source pixel, −1 outside the source image; precomputed for depth.
    private readonly int[] _nearest;

    internal RectificationMap(PinholeIntrinsics target, int sourceWidth, int sourceHeight, float[] sourceX, float[] sourceY)
    {
        Target = target;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        _sourceX = sourceX;
        _sourceY = sourceY;
        _nearest = new int[sourceX.Length];
        for (int i = 0; i < _nearest.Length; i++)
        {
            // NaN fails both comparisons, so invalid entries land on −1 too.
            float sx = MathF.Round(sourceX[i]), sy = MathF.Round(sourceY[i]);
            _nearest[i] = sx >= 0 && sx < sourceWidth && sy >= 0 && sy < sourceHeight ? (int)sy * sourceWidth + (int)sx : -1;
        }
    }

    /// <summary>The camera the remapped images are in.</summary>
    public PinholeIntrinsics Target { get; }

    /// <summary>Width of the distorted source image.</summary>
    public int SourceWidth { get; }

    /// <summary>Height of the distorted source image.</summary>
    public int SourceHeight { get; }

    /// <summary>Source column for each target pixel, row-major; NaN where the target ray has no source.</summary>
    public ReadOnlySpan<float> SourceX => _sourceX;

    /// <summary>Source row for each target pixel, row-major; NaN where the target ray has no source.</summary>
    public ReadOnlySpan<float> SourceY => _sourceY;

    /// <summary>
    /// Nearest-neighbour remap of a single-channel image (depth in metres or millimetres); target pixels without a
    /// source get <paramref name="fill"/>. Nearest, because blending depth across an edge invents surfaces.
    /// </summary>
    public unsafe void RemapNearest<T>(ReadOnlySpan<T> source, Span<T> destination, T fill) where T : unmanaged
    {
        CheckSizes(source.Length, destination.Length, 1);
        fixed (T* src = source)
        fixed (T* dst = destination)
        {
            nint srcAddress = (nint)src, dstAddress = (nint)dst;
            int width = Target.Width;
            Parallel.For(0, Target.Height, row =>
            {
                T* s = (T*)srcAddress;
                T* d = (T*)dstAddress;
                ReadOnlySpan<int> indices = _nearest.AsSpan(row * width, width);
                for (int col = 0; col < indices.Length; col++)
                {
                    int index = indices[col];
                    d[row * width + col] = index >= 0 ? s[index] : fill;
                }
            });
        }
    }

    /// <summary>
    /// Bilinear remap of an interleaved 8-bit image with <paramref name="channels"/> channels (RGB8 = 3); target
    /// pixels whose source lies outside the image are zero.
    /// </summary>
    public unsafe void RemapBilinear(ReadOnlySpan<byte> source, Span<byte> destination, int channels)
    {
        if (channels is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 to 4 channels.");
        CheckSizes(source.Length, destination.Length, channels);
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nint srcAddress = (nint)src, dstAddress = (nint)dst;
            int width = Target.Width, sourceWidth = SourceWidth, sourceHeight = SourceHeight;
            Parallel.For(0, Target.Height, row =>
            {
                byte* s = (byte*)srcAddress;
                byte* d = (byte*)dstAddress + (nint)row * width * channels;
                int offset = row * width;
                for (int col = 0; col < width; col++, d += channels)
                {
                    float sx = _sourceX[offset + col], sy = _sourceY[offset + col];
                    // Half a pixel of border is sampled by clamping, like OpenCV's BORDER_REPLICATE at the edge.
                    if (!(sx >= -0.5f && sx <= sourceWidth - 0.5f && sy >= -0.5f && sy <= sourceHeight - 0.5f))
                    {
                        for (int c = 0; c < channels; c++) d[c] = 0;
                        continue;
                    }
                    sx = Math.Clamp(sx, 0, sourceWidth - 1);
                    sy = Math.Clamp(sy, 0, sourceHeight - 1);
                    int x0 = Math.Min((int)sx, sourceWidth - 2 < 0 ? 0 : sourceWidth - 2);
                    int y0 = Math.Min((int)sy, sourceHeight - 2 < 0 ? 0 : sourceHeight - 2);
                    int x1 = Math.Min(x0 + 1, sourceWidth - 1), y1 = Math.Min(y0 + 1, sourceHeight - 1);
                    float fx = sx - x0, fy = sy - y0;
                    float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
                    byte* p00 = s + ((nint)y0 * sourceWidth + x0) * channels;
                    byte* p01 = s + ((nint)y0 * sourceWidth + x1) * channels;
                    byte* p10 = s + ((nint)y1 * sourceWidth + x0) * channels;
                    byte* p11 = s + ((nint)y1 * sourceWidth + x1) * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        float value = w00 * p00[c] + w01 * p01[c] + w10 * p10[c] + w11 * p11[c];
                        d[c] = (byte)(value + 0.5f);
                    }
                }
            });
        }
    }

    private void CheckSizes(int sourceLength, int destinationLength, int channels)
    {
        long sourceNeeded = (long)SourceWidth * SourceHeight * channels;
        long destinationNeeded = (long)Target.Width * Target.Height * channels;
        if (sourceLength < sourceNeeded)
            throw new ArgumentException($"Source has {sourceLength} elements; {SourceWidth}×{SourceHeight}×{channels} needs {sourceNeeded}.", "source");
        if (destinationLength < destinationNeeded)
            throw new ArgumentException($"Destination has {destinationLength} elements; {Target.Width}×{Target.Height}×{channels} needs {destinationNeeded}.", "destination");
    }
}
