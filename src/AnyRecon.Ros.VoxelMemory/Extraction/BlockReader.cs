using System.Runtime.Intrinsics;

namespace AnyRecon.Ros.Voxels;

/// <summary>Which kinds of evidence any voxel of a block holds (the bits of VoxelBlock.msg's <c>evidence</c>).</summary>
[Flags]
public enum BlockEvidence : byte
{
    /// <summary>No voxel has weight: the block was allocated but nothing was fused into it.</summary>
    None = 0,

    /// <summary>Some voxel has observed weight.</summary>
    Observed = 1,

    /// <summary>Some voxel has generated weight.</summary>
    Generated = 2,
}

/// <summary>
/// Copies one block's fused voxels, the values extraction uses (<see cref="VoxelFusion"/>: observed beats generated),
/// out of a <see cref="VoxelMemory"/> into caller-owned buffers: what a map publisher or a map comparison needs without
/// seeing the block layout. Evicted blocks are read from disk without becoming resident, so reading keeps the budget.
/// </summary>
/// <remarks>Holds one scratch block: use one reader per thread, and never while an integrator writes the memory.</remarks>
public sealed class BlockReader
{
    private const int N = VoxelBlock.N;
    private readonly VoxelBlock _scratch = new(default);

    public BlockReader(VoxelMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        Memory = memory;
    }

    public VoxelMemory Memory { get; }

    /// <summary>
    /// Reads block <paramref name="index"/>; false when the memory has no such block. Per voxel, in
    /// <see cref="BlockIndex.Linear"/> order (x fastest): the fused signed distance in metres (the stored truncated
    /// value times <see cref="VoxelMemory.TruncationMeters"/>), the fused weight (0 = never integrated), the colour as
    /// r g b bytes, and the channel the value comes from.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer is shorter than <see cref="BlockIndex.VoxelCount"/> voxels.</exception>
    public bool TryRead(BlockIndex index, Span<float> tsdfMeters, Span<float> weight, Span<byte> rgb, Span<EvidenceChannel> source, out BlockEvidence evidence)
    {
        if (tsdfMeters.Length < N || weight.Length < N || source.Length < N || rgb.Length < 3 * N)
            throw new ArgumentException($"buffers must hold {N} voxels ({3 * N} colour bytes)");
        evidence = BlockEvidence.None;
        var block = Memory.PeekBlock(index, _scratch);
        if (block is null) return false;

        float truncation = (float)Memory.TruncationMeters;
        if (AnyPositive(block.ObservedWeight)) evidence |= BlockEvidence.Observed;
        if (block.HasGenerated && AnyPositive(block.GeneratedWeight!)) evidence |= BlockEvidence.Generated;

        var oc = block.ObservedColor;
        if ((evidence & BlockEvidence.Generated) == 0)
        {
            // Observation only (every map until completion exists): plain copies.
            Scale(block.ObservedTsdf, truncation, tsdfMeters);
            block.ObservedWeight.CopyTo(weight);
            source[..N].Fill(EvidenceChannel.Observed);
            for (int i = 0; i < N; i++)
            {
                rgb[3 * i] = oc[i];
                rgb[3 * i + 1] = oc[N + i];
                rgb[3 * i + 2] = oc[2 * N + i];
            }
            return true;
        }

        float settled = Memory.SettledObservedWeight;
        var ot = block.ObservedTsdf;
        var ow = block.ObservedWeight;
        var gt = block.GeneratedTsdf!;
        var gw = block.GeneratedWeight!;
        var gc = block.GeneratedColor!;
        for (int i = 0; i < N; i++)
        {
            float t = VoxelFusion.Effective(ot[i], ow[i], gt[i], gw[i], settled, out float w, out var s);
            tsdfMeters[i] = t * truncation;
            weight[i] = w;
            source[i] = s;
            for (int c = 0; c < 3; c++)
                rgb[3 * i + c] = VoxelFusion.EffectiveColor(oc[c * N + i], ow[i], gc[c * N + i], gw[i], s, w);
        }
        return true;
    }

    private static bool AnyPositive(float[] values)
    {
        var any = Vector256<float>.Zero;
        for (int i = 0; i < N; i += Vector256<float>.Count)
            any |= Vector256.GreaterThan(Vector256.LoadUnsafe(ref values[i]), Vector256<float>.Zero);
        return any != Vector256<float>.Zero;
    }

    private static void Scale(float[] values, float factor, Span<float> destination)
    {
        var f = Vector256.Create(factor);
        for (int i = 0; i < N; i += Vector256<float>.Count)
            (Vector256.LoadUnsafe(ref values[i]) * f).CopyTo(destination[i..]);
    }
}
