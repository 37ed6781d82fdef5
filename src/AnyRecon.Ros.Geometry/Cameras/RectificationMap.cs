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

    // Bilinear taps: top-left source pixel index (−1 outside) and the fractional offsets in 1/128 px, x in the low
    // byte and y in the high byte, so remapping is integer arithmetic with no per-pixel branches on the edges.
    private readonly int[] _bilinearIndex;
    private readonly ushort[] _bilinearFraction;

    /// <summary>Bilinear weights are in 1/<see cref="WeightOne"/> px.</summary>
    internal const int WeightOne = 128;

    internal RectificationMap(PinholeIntrinsics target, int sourceWidth, int sourceHeight, float[] sourceX, float[] sourceY)
    {
        Target = target;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        _sourceX = sourceX;
        _sourceY = sourceY;
        _nearest = new int[sourceX.Length];
        _bilinearIndex = new int[sourceX.Length];
        _bilinearFraction = new ushort[sourceX.Length];
        int maxX0 = Math.Max(0, sourceWidth - 2), maxY0 = Math.Max(0, sourceHeight - 2);
        for (int i = 0; i < _nearest.Length; i++)
        {
            // NaN fails every comparison, so invalid entries land on −1 too.
            float x = sourceX[i], y = sourceY[i];
            float nx = MathF.Round(x), ny = MathF.Round(y);
            _nearest[i] = nx >= 0 && nx < sourceWidth && ny >= 0 && ny < sourceHeight ? (int)ny * sourceWidth + (int)nx : -1;

            // Half a pixel of border is sampled by clamping, like OpenCV's BORDER_REPLICATE at the edge.
            if (!(x >= -0.5f && x <= sourceWidth - 0.5f && y >= -0.5f && y <= sourceHeight - 0.5f))
            {
                _bilinearIndex[i] = -1;
                continue;
            }
            x = Math.Clamp(x, 0, sourceWidth - 1);
            y = Math.Clamp(y, 0, sourceHeight - 1);
            int x0 = Math.Min((int)x, maxX0), y0 = Math.Min((int)y, maxY0);
            int fx = Math.Min(WeightOne, (int)MathF.Round((x - x0) * WeightOne));
            int fy = Math.Min(WeightOne, (int)MathF.Round((y - y0) * WeightOne));
            _bilinearIndex[i] = y0 * sourceWidth + x0;
            _bilinearFraction[i] = (ushort)(fx | fy << 8);
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
            int width = Target.Width;
            // A one-pixel-wide or -high source has no second tap: step 0 repeats the first.
            nint stepX = SourceWidth >= 2 ? channels : 0;
            nint stepY = SourceHeight >= 2 ? (nint)SourceWidth * channels : 0;
            Parallel.For(0, Target.Height, row =>
            {
                byte* s = (byte*)srcAddress;
                byte* d = (byte*)dstAddress + (nint)row * width * channels;
                ReadOnlySpan<int> indices = _bilinearIndex.AsSpan(row * width, width);
                ReadOnlySpan<ushort> fractions = _bilinearFraction.AsSpan(row * width, width);
                for (int col = 0; col < indices.Length; col++, d += channels)
                {
                    int index = indices[col];
                    if (index < 0)
                    {
                        for (int c = 0; c < channels; c++) d[c] = 0;
                        continue;
                    }
                    int fx = fractions[col] & 0xFF, fy = fractions[col] >> 8;
                    int w00 = (WeightOne - fx) * (WeightOne - fy), w01 = fx * (WeightOne - fy), w10 = (WeightOne - fx) * fy, w11 = fx * fy;
                    byte* p = s + (nint)index * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        int value = w00 * p[c] + w01 * p[c + stepX] + w10 * p[c + stepY] + w11 * p[c + stepX + stepY];
                        d[c] = (byte)((value + WeightOne * WeightOne / 2) >> 14);
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
