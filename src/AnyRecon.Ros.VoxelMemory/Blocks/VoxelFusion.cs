namespace AnyRecon.Ros.Voxels;

/// <summary>
/// The rules that combine the two evidence channels. One place, so integration, extraction and the next issue's
/// completion agree on "observed beats generated".
/// </summary>
internal static class VoxelFusion
{
    /// <summary>A voxel is settled once observation alone has put this much weight on it.</summary>
    public static bool IsSettled(float observedWeight, float settledObservedWeight) => observedWeight >= settledObservedWeight;

    /// <summary>
    /// The value extraction uses. Settled or generated-free voxels show observation only; unobserved voxels show
    /// generated evidence; a weakly observed voxel with generated evidence shows their weighted blend and reports
    /// <see cref="EvidenceChannel.Generated"/>, because part of it is not measured.
    /// </summary>
    public static float Effective(float observedTsdf, float observedWeight, float generatedTsdf, float generatedWeight, float settledObservedWeight,
        out float weight, out EvidenceChannel source)
    {
        if (generatedWeight <= 0 || IsSettled(observedWeight, settledObservedWeight))
        {
            weight = observedWeight;
            source = EvidenceChannel.Observed;
            return observedTsdf;
        }
        source = EvidenceChannel.Generated;
        weight = observedWeight + generatedWeight;
        return (observedTsdf * observedWeight + generatedTsdf * generatedWeight) / weight;
    }

    /// <summary>
    /// One colour component of the value extraction uses, for the <paramref name="source"/> and fused
    /// <paramref name="weight"/> that <see cref="Effective"/> returned: observed colour, or the weight-blended colour.
    /// </summary>
    public static byte EffectiveColor(byte observed, float observedWeight, byte generated, float generatedWeight, EvidenceChannel source, float weight) =>
        source == EvidenceChannel.Observed ? observed : (byte)((observed * observedWeight + generated * generatedWeight) / weight + 0.5f);
}
