using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Synthetic;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

public sealed class TargetTests
{
    private static readonly PinholeIntrinsics s_camera = new(160, 120, 100, 100, 79.5, 59.5);

    private static RigidTransform Looking(Vector3d eye, Vector3d forward) => CameraPath.LookAt(eye, eye + forward);

    [Fact]
    public void TargetPoseFile_WriteThenRead_SamePosesStampsAndNames()
    {
        using var dir = new TempDirectory();
        var random = new Random(3);
        var targets = Enumerable.Range(0, 5).Select(i => new TargetPose(i.ToString("D6"), 1_700_000_000_123_456_789L + i * 33_333_333L,
            new RigidTransform(new QuaternionD(random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble()).Normalized(),
                new Vector3d(random.NextDouble() * 10 - 5, random.NextDouble(), random.NextDouble())))).ToList();
        string path = dir.Combine("targets.tum");
        TargetPoseFile.Write(path, targets);
        var read = TargetPoseFile.Read(path);
        Assert.Equal(targets.Count, read.Count);
        for (int i = 0; i < targets.Count; i++)
        {
            Assert.Equal(targets[i].Name, read[i].Name);
            // Seconds as a double keep about 0.2 µs at 1.7e9 s: the stamp survives to within a microsecond.
            Assert.InRange(read[i].StampNs - targets[i].StampNs, -1000, 1000);
            Assert.Equal(targets[i].WorldFromCamera.Translation, read[i].WorldFromCamera.Translation);
            Assert.True(QuaternionD.AngleBetween(targets[i].WorldFromCamera.Rotation, read[i].WorldFromCamera.Rotation) < 1e-6);
        }
    }

    [Fact]
    public void TargetPoseFile_BadLine_ErrorNamesLine()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("targets.tum");
        File.WriteAllText(path, "# comment\n0 0 0 0 0 0 0 1\n1 0 0 0 0 0 0.5 0.5\n");
        var e = Assert.Throws<InvalidDataException>(() => TargetPoseFile.Read(path));
        Assert.Contains(":3:", e.Message);
    }

    [Fact]
    public void Gaps_CameraCirclingInward_HalfwayToTheMostTurnedKeyframeWithinReach()
    {
        using var memory = new VoxelMemory();
        var targets = new AutomaticTargets(new AutomaticTargetOptions { Gaps = true, EveryKeyframes = 1, GapMaxDistanceMeters = 1.5, GapMinAngleDegrees = 30 });
        var raised = new List<TargetPose>();
        // Keyframes every 20° on a 1 m circle, all looking at the centre: keyframes i and j are 2·sin(Δ/2) apart and
        // their axes differ by Δ, so within 1.5 m the partner is the one Δ = 80° back (1.29 m; 100° would be 1.53 m).
        var poses = Enumerable.Range(0, 8).Select(i =>
        {
            double a = i * 20 * Math.PI / 180;
            var eye = new Vector3d(Math.Cos(a), Math.Sin(a), 1);
            return Looking(eye, new Vector3d(0, 0, 1) - eye);
        }).ToArray();
        for (int i = 0; i < poses.Length; i++)
        {
            raised.Clear();
            targets.OnKeyframe(i * 100, poses[i], s_camera, memory, raised);
            if (i < 2)
            {
                Assert.Empty(raised);
                continue;
            }
            var target = Assert.Single(raised);
            // Partners at most 4 steps back; the farthest of those within reach has the largest angle.
            int partner = Math.Max(0, i - 4);
            var expected = RigidTransform.Interpolate(poses[partner], poses[i], 0.5);
            Assert.True((expected.Translation - target.WorldFromCamera.Translation).Length < 1e-9, $"keyframe {i}: expected {expected.Translation}, got {target.WorldFromCamera.Translation}");
            Assert.True(QuaternionD.AngleBetween(expected.Rotation, target.WorldFromCamera.Rotation) < 1e-6);
            Assert.True(target.Automatic);
            Assert.Equal($"gap_{i:D6}", target.Name);
        }
    }

    [Fact]
    public void Frontier_WallWithAHoleUpRight_TurnsTowardTheHoleAndNotWhenComplete()
    {
        var pose = Looking(Vector3d.Zero, new Vector3d(0, 1, 0));
        // A wall 4 m ahead (world y = 4), blocks of 16 cm. In the camera's image "right" is world +x, "up" is world +z.
        Assert.Null(FrontierTarget(hole: false));
        var target = FrontierTarget(hole: true) ?? throw new Xunit.Sdk.XunitException("no frontier target");
        var axis = target.WorldFromCamera.Rotation.Rotate(new Vector3d(0, 0, 1));
        Assert.True(axis.X > 0.3 || axis.Z > 0.3, $"turned toward {axis}, away from the hole at +x, +z");

        TargetPose? FrontierTarget(bool hole)
        {
            using var memory = new VoxelMemory(new VoxelMemoryOptions { VoxelSizeMeters = 0.02 });
            for (int x = -60; x <= 60; x++)
                for (int z = -60; z <= 60; z++)
                {
                    // The hole: world x in [0.5, 3] m and z in [0.5, 3] m.
                    if (hole && x >= 3 && x <= 19 && z >= 3 && z <= 19) continue;
                    memory.GetOrAllocate(new BlockIndex(x, 25, z));
                }
            var targets = new AutomaticTargets(new AutomaticTargetOptions { Frontier = true, EveryKeyframes = 1, FrontierRangeMeters = 8 });
            var raised = new List<TargetPose>();
            targets.OnKeyframe(0, pose, s_camera, memory, raised);
            return raised.SingleOrDefault();
        }
    }
}
