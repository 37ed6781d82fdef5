using System.Numerics;

namespace AnyRecon.Ros.Voxels;

/// <summary>
/// A point on the zero crossing of the TSDF between two neighbouring voxels: world position, unit normal (TSDF
/// gradient, pointing into free space), colour, confidence (interpolated fused weight) and the evidence it rests on.
/// </summary>
public readonly record struct SurfacePoint(Vector3 Position, Vector3 Normal, byte R, byte G, byte B, float Confidence, EvidenceChannel Source);

/// <summary>An indexed triangle mesh with per-vertex normal, colour, confidence and source; triangles wind counter-clockwise seen from free space.</summary>
public sealed class TriangleMesh
{
    public TriangleMesh(SurfacePoint[] vertices, int[] indices)
    {
        if (indices.Length % 3 != 0) throw new ArgumentException("indices must come in triples", nameof(indices));
        Vertices = vertices;
        Indices = indices;
    }

    public SurfacePoint[] Vertices { get; }

    /// <summary>Three vertex indices per triangle.</summary>
    public int[] Indices { get; }

    public int TriangleCount => Indices.Length / 3;
}
