using Xunit;

namespace AnyRecon.Ros.Geometry.Tests;

public sealed class TransformBufferTests
{
    private const long Second = 1_000_000_000;

    private static RigidTransform Yaw(double radians, double x, double y, double z) =>
        new(QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), radians), new Vector3d(x, y, z));

    private static void AssertPoint(Vector3d expected, Vector3d actual, int precision = 12)
    {
        Assert.Equal(expected.X, actual.X, precision);
        Assert.Equal(expected.Y, actual.Y, precision);
        Assert.Equal(expected.Z, actual.Z, precision);
    }

    /// <summary>map → odom (dynamic) → base_link (dynamic) → camera_link (static) → camera_color_optical_frame (static).</summary>
    private static TransformBuffer RobotBuffer()
    {
        var buffer = new TransformBuffer();
        Assert.Equal(TransformRejection.None, buffer.SetTransform("map", "odom", 0, Yaw(0, 1, 0, 0)));
        Assert.Equal(TransformRejection.None, buffer.SetTransform("map", "odom", 2 * Second, Yaw(0, 1, 0, 0)));
        Assert.Equal(TransformRejection.None, buffer.SetTransform("odom", "base_link", 0, Yaw(0, 0, 0, 0)));
        Assert.Equal(TransformRejection.None, buffer.SetTransform("odom", "base_link", 2 * Second, Yaw(Math.PI, 4, 0, 0)));
        Assert.Equal(TransformRejection.None, buffer.SetTransform("base_link", "camera_link", 0, Yaw(0, 0.1, 0, 0.5), isStatic: true));
        Assert.Equal(TransformRejection.None, buffer.SetTransform("camera_link", "camera_color_optical_frame", 0, FrameConventions.BodyFromOptical, isStatic: true));
        return buffer;
    }

    [Fact]
    public void TryLookup_FullRobotChain_MapsAPointAheadOfTheCameraToItsWorldPosition()
    {
        var buffer = RobotBuffer();
        // At 1 s base_link is at (2, 0, 0) in odom, turned 90° left. A point 1 m down the optical axis is 1 m ahead of
        // camera_link, which is 0.1 m ahead and 0.5 m above base_link: (1,0,0) + (2,0,0) + (0,0.1,0.5) + (0,1,0).
        Assert.True(buffer.TryLookup("map", "camera_color_optical_frame", Second, out var mapFromCamera, out string? error), error);
        Assert.Null(error);
        AssertPoint(new Vector3d(3, 1.1, 0.5), mapFromCamera.Apply(new Vector3d(0, 0, 1)));

        Assert.True(buffer.TryLookup("camera_color_optical_frame", "map", Second, out var cameraFromMap, out error), error);
        AssertPoint(new Vector3d(0, 0, 1), cameraFromMap.Apply(new Vector3d(3, 1.1, 0.5)));
    }

    [Fact]
    public void TryLookup_BetweenSiblingBranches_ComposesThroughTheCommonAncestor()
    {
        var buffer = RobotBuffer();
        buffer.SetTransform("map", "landmark", 0, Yaw(Math.PI / 2, 0, 5, 0), isStatic: true);
        Assert.True(buffer.TryLookup("landmark", "base_link", 2 * Second, out var landmarkFromBase, out string? error), error);
        // base_link origin at 2 s: map (5, 0, 0); landmark at map (0, 5) turned 90°: map (5, 0) is landmark (−5, −5).
        AssertPoint(new Vector3d(-5, -5, 0), landmarkFromBase.Apply(Vector3d.Zero));
        // base_link's x axis (yaw π in map) points along map −x, which is landmark +y.
        var direction = landmarkFromBase.Apply(new Vector3d(1, 0, 0)) - landmarkFromBase.Apply(Vector3d.Zero);
        AssertPoint(new Vector3d(0, 1, 0), direction);
    }

    [Theory]
    [InlineData(0.5, 1.0, 2.0, Math.PI / 8)]
    [InlineData(1.0, 2.0, 4.0, Math.PI / 4)]
    [InlineData(1.5, 3.0, 6.0, 3 * Math.PI / 8)]
    public void TryLookup_BetweenSamples_InterpolatesLinearlyAndBySlerp(double seconds, double x, double y, double yaw)
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("odom", "base_link", 0, Yaw(0, 0, 0, 0));
        buffer.SetTransform("odom", "base_link", 2 * Second, Yaw(Math.PI / 2, 4, 8, 0));
        Assert.True(buffer.TryLookup("odom", "base_link", (long)(seconds * Second), out var odomFromBase, out string? error), error);
        AssertPoint(new Vector3d(x, y, 0), odomFromBase.Translation);
        Assert.Equal(yaw, QuaternionD.AngleBetween(QuaternionD.Identity, odomFromBase.Rotation), 9);
        var heading = odomFromBase.Rotation.Rotate(new Vector3d(1, 0, 0));
        Assert.Equal(Math.Cos(yaw), heading.X, 12);
        Assert.Equal(Math.Sin(yaw), heading.Y, 12);
    }

    [Fact]
    public void TryLookup_TimeZero_UsesTheLatestTimeAllEdgesShare()
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("map", "odom", 0, Yaw(0, 0, 0, 0));
        buffer.SetTransform("map", "odom", 5 * Second, Yaw(0, 10, 0, 0));
        buffer.SetTransform("odom", "base_link", 0, Yaw(0, 0, 0, 0));
        buffer.SetTransform("odom", "base_link", 3 * Second, Yaw(0, 0, 3, 0));
        Assert.True(buffer.TryLookup("map", "base_link", 0, out var latest, out string? error), error);
        Assert.True(buffer.TryLookup("map", "base_link", 3 * Second, out var atThree, out error), error);
        AssertPoint(new Vector3d(6, 3, 0), latest.Translation);
        Assert.Equal(atThree, latest);
    }

    [Fact]
    public void TryLookup_StaticOnlyChain_WorksAtAnyTime()
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("base_link", "camera_link", 123, Yaw(0, 0.1, 0, 0.5), isStatic: true);
        buffer.SetTransform("camera_link", "camera_depth_optical_frame", 456, FrameConventions.BodyFromOptical, isStatic: true);
        foreach (long time in new[] { 0L, 1L, 1_000 * Second })
        {
            Assert.True(buffer.TryLookup("base_link", "camera_depth_optical_frame", time, out var baseFromOptical, out string? error), error);
            AssertPoint(new Vector3d(2.1, 0, 0.5), baseFromOptical.Apply(new Vector3d(0, 0, 2)));
        }
    }

    [Fact]
    public void TryLookup_SameFrame_IsIdentity()
    {
        var buffer = RobotBuffer();
        Assert.True(buffer.TryLookup("odom", "odom", 77, out var identity, out _));
        Assert.Equal(RigidTransform.Identity, identity);
    }

    [Fact]
    public void TryLookup_AfterTheNewestSample_IsAFutureExtrapolationError()
    {
        var buffer = RobotBuffer();
        Assert.False(buffer.TryLookup("map", "camera_link", 3 * Second, out _, out string? error));
        Assert.Contains("extrapolation into the future", error);
        Assert.Contains("Requested time 3.000000000 but the latest data is at time 2.000000000", error);
        Assert.Contains("[camera_link] to frame [map]", error);
    }

    [Fact]
    public void TryLookup_BeforeTheOldestSample_IsAPastExtrapolationError()
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("odom", "base_link", 5 * Second, Yaw(0, 0, 0, 0));
        buffer.SetTransform("odom", "base_link", 6 * Second, Yaw(0, 1, 0, 0));
        Assert.False(buffer.TryLookup("odom", "base_link", 4 * Second, out _, out string? error));
        Assert.Contains("extrapolation into the past", error);
        Assert.Contains("earliest data is at time 5.000000000", error);
    }

    [Fact]
    public void TryLookup_WithinExtrapolationTolerance_UsesTheNearestEndSample()
    {
        var buffer = new TransformBuffer(new TransformBufferOptions { ExtrapolationToleranceNanoseconds = 10_000_000 });
        buffer.SetTransform("odom", "base_link", 5 * Second, Yaw(0, 0, 0, 0));
        buffer.SetTransform("odom", "base_link", 6 * Second, Yaw(0, 1, 0, 0));
        Assert.True(buffer.TryLookup("odom", "base_link", 6 * Second + 9_000_000, out var late, out _));
        AssertPoint(new Vector3d(1, 0, 0), late.Translation);
        Assert.True(buffer.TryLookup("odom", "base_link", 5 * Second - 9_000_000, out var early, out _));
        AssertPoint(Vector3d.Zero, early.Translation);
        Assert.False(buffer.TryLookup("odom", "base_link", 6 * Second + 11_000_000, out _, out _));
    }

    [Fact]
    public void TryLookup_SingleSample_OnlyAtItsExactTime()
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("odom", "base_link", 5 * Second, Yaw(0, 2, 0, 0));
        Assert.True(buffer.TryLookup("odom", "base_link", 5 * Second, out var exact, out _));
        AssertPoint(new Vector3d(2, 0, 0), exact.Translation);
        Assert.True(buffer.TryLookup("odom", "base_link", 0, out _, out _));
        Assert.False(buffer.TryLookup("odom", "base_link", 5 * Second + 1, out _, out _));
    }

    [Fact]
    public void TryLookup_UnknownFrame_NamesTheArgument()
    {
        var buffer = RobotBuffer();
        Assert.False(buffer.TryLookup("nowhere", "odom", 0, out _, out string? error));
        Assert.Equal("\"nowhere\" passed to lookupTransform argument target_frame does not exist.", error);
        Assert.False(buffer.TryLookup("odom", "elsewhere", 0, out _, out error));
        Assert.Contains("source_frame does not exist", error);
    }

    [Fact]
    public void TryLookup_UnconnectedTrees_SaysSo()
    {
        var buffer = RobotBuffer();
        buffer.SetTransform("world2", "robot2", 0, Yaw(0, 0, 0, 0), isStatic: true);
        Assert.False(buffer.TryLookup("map", "robot2", 0, out _, out string? error));
        Assert.Contains("not part of the same tree", error);
    }

    [Fact]
    public void SetTransform_OlderThanTheCacheWindow_IsDroppedFromLookups()
    {
        var buffer = new TransformBuffer(new TransformBufferOptions { CacheDurationNanoseconds = 10 * Second });
        for (int s = 0; s <= 20; s++) buffer.SetTransform("odom", "base_link", s * Second, Yaw(0, s, 0, 0));
        Assert.False(buffer.TryLookup("odom", "base_link", 9 * Second, out _, out string? error));
        Assert.Contains("earliest data is at time 10.000000000", error);
        Assert.True(buffer.TryLookup("odom", "base_link", 10 * Second + Second / 4, out var t, out _));
        Assert.Equal(10.25, t.Translation.X, 12);
    }

    [Fact]
    public void SetTransform_TimeJumpsBack_ClearsTheFrameAndCountsAReset()
    {
        var buffer = new TransformBuffer();
        for (int s = 0; s < 10; s++) buffer.SetTransform("odom", "base_link", s * Second, Yaw(0, s, 0, 0));
        buffer.SetTransform("map", "odom", 0, Yaw(0, 0, 0, 0), isStatic: true);
        // The bag loops: base_link restarts at 0.5 s.
        buffer.SetTransform("odom", "base_link", Second / 2, Yaw(0, 100, 0, 0));
        Assert.Equal(1, buffer.Statistics.TimeResets);
        Assert.False(buffer.TryLookup("odom", "base_link", 5 * Second, out _, out string? error));
        Assert.Contains("future", error);
        Assert.True(buffer.TryLookup("map", "base_link", Second / 2, out var t, out _));
        Assert.Equal(100, t.Translation.X, 12);
        // The static edge is untouched by base_link's reset.
        Assert.True(buffer.TryLookup("map", "odom", 0, out _, out _));
    }

    [Fact]
    public void SetTransform_SlightlyOutOfOrder_IsInsertedInOrderWithoutReset()
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("odom", "base_link", 1_000 * 1_000_000, Yaw(0, 0, 0, 0));
        buffer.SetTransform("odom", "base_link", 1_200 * 1_000_000, Yaw(0, 2, 0, 0));
        buffer.SetTransform("odom", "base_link", 1_100 * 1_000_000, Yaw(0, 5, 0, 0));
        Assert.Equal(0, buffer.Statistics.TimeResets);
        Assert.True(buffer.TryLookup("odom", "base_link", 1_050 * 1_000_000, out var t, out _));
        Assert.Equal(2.5, t.Translation.X, 12);
        Assert.True(buffer.TryLookup("odom", "base_link", 1_150 * 1_000_000, out t, out _));
        Assert.Equal(3.5, t.Translation.X, 12);
    }

    [Fact]
    public void SetTransform_BadInputs_AreRejectedAndCountedByReason()
    {
        var buffer = new TransformBuffer();
        Assert.Equal(TransformRejection.NonFinite, buffer.SetTransform("odom", "base_link", 1, new RigidTransform(QuaternionD.Identity, new Vector3d(double.NaN, 0, 0))));
        Assert.Equal(TransformRejection.NonFinite, buffer.SetTransform("odom", "base_link", 1, new RigidTransform(new QuaternionD(0, 0, double.PositiveInfinity, 1), Vector3d.Zero)));
        Assert.Equal(TransformRejection.NonUnitQuaternion, buffer.SetTransform("odom", "base_link", 1, new RigidTransform(new QuaternionD(0, 0, 0, 1.01), Vector3d.Zero)));
        Assert.Equal(TransformRejection.NonUnitQuaternion, buffer.SetTransform("odom", "base_link", 1, new RigidTransform(new QuaternionD(0, 0, 0, 0), Vector3d.Zero)));
        Assert.Equal(TransformRejection.InvalidFrameId, buffer.SetTransform("", "base_link", 1, RigidTransform.Identity));
        Assert.Equal(TransformRejection.InvalidFrameId, buffer.SetTransform("odom", "/odom", 1, RigidTransform.Identity));
        Assert.Equal(TransformRejection.None, buffer.SetTransform("odom", "base_link", 1, RigidTransform.Identity));
        Assert.Equal(TransformRejection.WouldCreateCycle, buffer.SetTransform("base_link", "odom", 1, RigidTransform.Identity));
        // Within 1e-3 of unit norm: accepted and normalized.
        Assert.Equal(TransformRejection.None, buffer.SetTransform("odom", "base_link", 2, new RigidTransform(new QuaternionD(0, 0, 0, 1.0005), Vector3d.Zero)));
        Assert.True(buffer.TryLookup("odom", "base_link", 2, out var normalized, out _));
        Assert.Equal(1, normalized.Rotation.Norm, 15);

        var stats = buffer.Statistics;
        Assert.Equal(new TransformBufferStatistics(Inserted: 2, RejectedNonFinite: 2, RejectedNonUnitQuaternion: 2,
            RejectedInvalidFrameId: 2, RejectedCycle: 1, TimeResets: 0, ParentChanges: 0), stats);
        Assert.Equal(7, stats.Rejected);
        Assert.False(buffer.HasFrame(""));
    }

    [Fact]
    public void SetTransform_Reparented_UsesTheNewParentAndCountsIt()
    {
        var buffer = new TransformBuffer();
        buffer.SetTransform("odom", "base_link", Second, Yaw(0, 1, 0, 0));
        buffer.SetTransform("map", "base_link", Second, Yaw(0, 7, 0, 0));
        Assert.Equal(1, buffer.Statistics.ParentChanges);
        Assert.True(buffer.TryLookup("map", "base_link", Second, out var t, out _));
        Assert.Equal(7, t.Translation.X, 12);
        Assert.False(buffer.TryLookup("odom", "base_link", Second, out _, out _));
    }

    [Fact]
    public void TryLookup_LeadingSlash_IsIgnored()
    {
        var buffer = RobotBuffer();
        Assert.True(buffer.TryLookup("/map", "/odom", Second, out var t, out _));
        AssertPoint(new Vector3d(1, 0, 0), t.Translation);
    }

    [Fact]
    public void TryLookup_Succeeding_AllocatesNothing()
    {
        var buffer = RobotBuffer();
        buffer.TryLookup("map", "camera_color_optical_frame", Second, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) buffer.TryLookup("map", "camera_color_optical_frame", Second + i, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void SetTransformAndTryLookup_Concurrently_StayConsistent()
    {
        var buffer = new TransformBuffer(new TransformBufferOptions { MaxSamplesPerFrame = 64 });
        buffer.SetTransform("map", "odom", 0, Yaw(0, 0, 0, 0), isStatic: true);
        buffer.SetTransform("odom", "base_link", 0, Yaw(0, 0, 0, 0));
        int failures = 0;
        Parallel.Invoke(
            () =>
            {
                // x = t in seconds at every sample, so any interpolated lookup must satisfy the same line.
                for (long i = 1; i <= 20_000; i++) buffer.SetTransform("odom", "base_link", i * 1_000_000, Yaw(0, i / 1000.0, 0, 0));
            },
            () =>
            {
                for (int i = 0; i < 20_000; i++)
                {
                    if (!buffer.TryLookup("map", "base_link", 0, out var t, out _)) { Interlocked.Increment(ref failures); continue; }
                    if (t.Translation.X < 0 || t.Translation.X > 20 || t.Translation.Y != 0) Interlocked.Increment(ref failures);
                }
            });
        Assert.Equal(0, failures);
        Assert.True(buffer.TryLookup("map", "base_link", 19_990L * 1_000_000 + 500_000, out var last, out _));
        Assert.Equal(19.9905, last.Translation.X, 9);
    }
}
