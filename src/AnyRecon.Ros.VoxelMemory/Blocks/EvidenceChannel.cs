namespace AnyRecon.Ros.Voxels;

/// <summary>Where a voxel's evidence came from.</summary>
public enum EvidenceChannel : byte
{
    /// <summary>Measured by a sensor (captured depth).</summary>
    Observed = 0,

    /// <summary>Produced by view completion; fills only where observation is absent or weak.</summary>
    Generated = 1,
}
