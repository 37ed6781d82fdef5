using System.Globalization;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>Which virtual viewpoints the pipeline raises by itself (both off by default: completion costs time).</summary>
public sealed class AutomaticTargetOptions
{
    /// <summary>Views halfway between a new keyframe and an earlier nearby one that looked another way.</summary>
    public bool Gaps { get; set; }

    /// <summary>Views turned from a new keyframe toward the edge of the mapped surface.</summary>
    public bool Frontier { get; set; }

    /// <summary>At most one target of each kind per this many keyframes, ≥ 1. Default 10.</summary>
    public int EveryKeyframes
    {
        get => _everyKeyframes;
        set => _everyKeyframes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    }

    private int _everyKeyframes = 10;

    /// <summary>A gap partner is an earlier keyframe at most this far away. Default 1.5 m.</summary>
    public double GapMaxDistanceMeters { get; set; } = 1.5;

    /// <summary>… whose optical axis differs by at least this much. Default 30°.</summary>
    public double GapMinAngleDegrees { get; set; } = 30;

    /// <summary>Frontier candidates turn the keyframe's camera left, right, up or down by this much. Default 30°.</summary>
    public double FrontierTurnDegrees { get; set; } = 30;

    /// <summary>Blocks farther than this from a candidate camera do not count for it. Default 4 m.</summary>
    public double FrontierRangeMeters { get; set; } = 4;

    public bool Any => Gaps || Frontier;
}

/// <summary>
/// Raises virtual viewpoints as keyframes arrive: in gaps between keyframes (halfway between a new keyframe and the
/// earlier keyframe within reach whose optical axis differs most, so a view nobody took between two that overlap), and
/// at the map's frontier (the keyframe's camera turned left, right, up or down, whichever would see most of the map's
/// edge: unmapped image cells beside mapped ones). Deterministic.
/// </summary>
public sealed class AutomaticTargets
{
    private readonly AutomaticTargetOptions _options;
    private readonly List<RigidTransform> _keyframes = [];
    private readonly List<BlockIndex> _blocks = [];
    private int _sinceGap, _sinceFrontier;

    public AutomaticTargets(AutomaticTargetOptions options) => _options = options;

    /// <summary>Call once per new keyframe, after it was integrated; appends the targets it raises to <paramref name="into"/>.</summary>
    public void OnKeyframe(long stampNs, RigidTransform worldFromCamera, PinholeIntrinsics intrinsics, VoxelMemory memory, List<TargetPose> into)
    {
        int id = _keyframes.Count;
        _keyframes.Add(worldFromCamera);
        string suffix = id.ToString("D6", CultureInfo.InvariantCulture);
        if (_options.Gaps && ++_sinceGap >= _options.EveryKeyframes && GapPartner(worldFromCamera) is RigidTransform partner)
        {
            into.Add(new TargetPose("gap_" + suffix, stampNs, RigidTransform.Interpolate(partner, worldFromCamera, 0.5), Automatic: true));
            _sinceGap = 0;
        }
        if (_options.Frontier && ++_sinceFrontier >= _options.EveryKeyframes && FrontierView(worldFromCamera, intrinsics, memory) is RigidTransform view)
        {
            into.Add(new TargetPose("frontier_" + suffix, stampNs, view, Automatic: true));
            _sinceFrontier = 0;
        }
    }

    private RigidTransform? GapPartner(RigidTransform pose)
    {
        var axis = pose.Rotation.Rotate(new Vector3d(0, 0, 1));
        double bestAngle = _options.GapMinAngleDegrees * Math.PI / 180, bestDistance = double.MaxValue;
        RigidTransform? best = null;
        // The newest keyframe is this one; its direct predecessors sit on the same path, so any of them can be a partner
        // only if the camera turned a lot.
        for (int i = 0; i < _keyframes.Count - 1; i++)
        {
            var other = _keyframes[i];
            double distance = (other.Translation - pose.Translation).Length;
            if (distance > _options.GapMaxDistanceMeters) continue;
            double cos = Math.Clamp(Vector3d.Dot(axis, other.Rotation.Rotate(new Vector3d(0, 0, 1))), -1, 1);
            double angle = Math.Acos(cos);
            // Facing each other (> 120°) the halfway camera would look sideways at neither view's content.
            if (angle > 2 * Math.PI / 3) continue;
            if (angle > bestAngle + 1e-12 || (Math.Abs(angle - bestAngle) <= 1e-12 && distance < bestDistance))
            {
                bestAngle = angle;
                bestDistance = distance;
                best = other;
            }
        }
        return best;
    }

    private RigidTransform? FrontierView(RigidTransform pose, PinholeIntrinsics k, VoxelMemory memory)
    {
        memory.GetBlockIndices(_blocks);
        if (_blocks.Count == 0) return null;
        double turn = _options.FrontierTurnDegrees * Math.PI / 180;
        // Turns in the optical frame: about y (down) is left/right, about x (right) is up/down.
        Span<RigidTransform> candidates =
        [
            pose * new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 1, 0), turn), Vector3d.Zero),
            pose * new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 1, 0), -turn), Vector3d.Zero),
            pose * new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(1, 0, 0), turn), Vector3d.Zero),
            pose * new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(1, 0, 0), -turn), Vector3d.Zero),
        ];
        // The map's edge as the candidate would see it: a coarse grid over its image, a cell "mapped" when some block
        // centre in range projects into it; frontier cells are unmapped cells beside mapped ones. A wall with a hole or
        // a room's unseen corner scores; a view of all-mapped or all-empty space does not.
        const int GridX = 16, GridY = 12;
        Span<bool> mapped = stackalloc bool[GridX * GridY];
        double half = memory.BlockSizeMeters / 2;
        int best = -1, bestScore = 0;
        for (int c = 0; c < candidates.Length; c++)
        {
            mapped.Clear();
            var cameraFromWorld = candidates[c].Inverse();
            foreach (var index in _blocks)
            {
                var p = cameraFromWorld.Apply(new Vector3d(index.X * memory.BlockSizeMeters + half, index.Y * memory.BlockSizeMeters + half, index.Z * memory.BlockSizeMeters + half));
                if (p.Z <= 0.1 || p.Z > _options.FrontierRangeMeters) continue;
                double u = k.Fx * p.X / p.Z + k.Cx, v = k.Fy * p.Y / p.Z + k.Cy;
                if (u < 0 || v < 0 || u >= k.Width || v >= k.Height) continue;
                mapped[(int)(v * GridY / k.Height) * GridX + (int)(u * GridX / k.Width)] = true;
            }
            int score = 0;
            for (int y = 0; y < GridY; y++)
                for (int x = 0; x < GridX; x++)
                {
                    if (mapped[y * GridX + x]) continue;
                    bool beside = (x > 0 && mapped[y * GridX + x - 1]) || (x + 1 < GridX && mapped[y * GridX + x + 1])
                        || (y > 0 && mapped[(y - 1) * GridX + x]) || (y + 1 < GridY && mapped[(y + 1) * GridX + x]);
                    if (beside) score++;
                }
            if (score > bestScore)
            {
                bestScore = score;
                best = c;
            }
        }
        return best < 0 ? null : candidates[best];
    }
}
