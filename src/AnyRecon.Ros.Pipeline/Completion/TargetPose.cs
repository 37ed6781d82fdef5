using System.Globalization;
using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Pipeline;

/// <summary>Where a view should be completed: a name (the file name of its outputs), a stamp and the optical-frame pose.</summary>
/// <param name="Name">Output file stem, e.g. "000003" for a user target, "gap_000012" for an automatic one.</param>
/// <param name="StampNs">User targets are completed once the integrated frames reach this stamp (0: at the end of input);
/// automatic targets carry the stamp of the keyframe that raised them.</param>
/// <param name="WorldFromCamera">Pose of the target's optical frame (REP 103) in the map frame.</param>
/// <param name="Automatic">Raised by <see cref="AutomaticTargets"/> rather than given by the user.</param>
public sealed record TargetPose(string Name, long StampNs, RigidTransform WorldFromCamera, bool Automatic = false);

/// <summary>
/// User targets in a TUM trajectory file: lines "t tx ty tz qx qy qz qw" (seconds, metres, optical-frame pose in the map
/// frame; '#' starts a comment). Target i is named by its line order, "000000", "000001", …, matching the held-out
/// views <c>anyrecon synth --held-out</c> writes.
/// </summary>
public static class TargetPoseFile
{
    public static IReadOnlyList<TargetPose> Read(string path)
    {
        var trajectory = RgbdFolder.ReadTrajectory(path);
        var targets = new TargetPose[trajectory.Length];
        for (int i = 0; i < trajectory.Length; i++)
        {
            var (seconds, pose) = trajectory[i];
            if (!(seconds >= 0) || seconds > long.MaxValue / 1e9) throw new InvalidDataException($"{path}: target {i} has time {seconds} s");
            targets[i] = new TargetPose(i.ToString("D6", CultureInfo.InvariantCulture), (long)Math.Round(seconds * 1e9), pose);
        }
        return targets;
    }

    /// <summary>Writes targets in the same format (stamps in seconds with nanosecond digits).</summary>
    public static void Write(string path, IEnumerable<TargetPose> targets)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("# t tx ty tz qx qy qz qw (optical frame in the map frame)");
        foreach (var t in targets)
        {
            var p = t.WorldFromCamera.Translation;
            var q = t.WorldFromCamera.Rotation;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{t.StampNs / 1_000_000_000}.{t.StampNs % 1_000_000_000:D9} {p.X:R} {p.Y:R} {p.Z:R} {q.X:R} {q.Y:R} {q.Z:R} {q.W:R}"));
        }
    }
}
