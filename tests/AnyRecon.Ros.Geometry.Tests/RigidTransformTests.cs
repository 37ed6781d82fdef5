using Xunit;

namespace AnyRecon.Ros.Geometry.Tests;

public sealed class RigidTransformTests
{
    private static readonly RigidTransform s_sample = new(
        QuaternionD.FromAxisAngle(new Vector3d(1, 2, 3), 0.7),
        new Vector3d(0.5, -1, 2));

    [Fact]
    public void Rotate_QuarterTurnAboutZ_MapsXToY()
    {
        var q = QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), Math.PI / 2);
        var v = q.Rotate(new Vector3d(1, 0, 0));
        Assert.Equal(0, v.X, 12);
        Assert.Equal(1, v.Y, 12);
        Assert.Equal(0, v.Z, 12);
    }

    [Fact]
    public void Inverse_ComposedWithItself_IsIdentity()
    {
        var p = new Vector3d(3, -4, 5);
        var back = (s_sample.Inverse() * s_sample).Apply(p);
        Assert.Equal(p.X, back.X, 12);
        Assert.Equal(p.Y, back.Y, 12);
        Assert.Equal(p.Z, back.Z, 12);
    }

    [Fact]
    public void Compose_AppliesRightThenLeft()
    {
        var other = new RigidTransform(QuaternionD.FromAxisAngle(new Vector3d(0, 1, 0), -1.1), new Vector3d(1, 1, 1));
        var p = new Vector3d(0.3, 0.2, 0.1);
        var expected = s_sample.Apply(other.Apply(p));
        var actual = (s_sample * other).Apply(p);
        Assert.Equal(expected.X, actual.X, 12);
        Assert.Equal(expected.Y, actual.Y, 12);
        Assert.Equal(expected.Z, actual.Z, 12);
    }

    [Fact]
    public void ToFloat_AppliesLikeTheDoubleTransform()
    {
        var p = new Vector3d(1.25, -0.5, 4);
        var expected = s_sample.Apply(p);
        var actual = s_sample.ToFloat().Apply(p.ToFloat());
        Assert.Equal(expected.X, actual.X, 5);
        Assert.Equal(expected.Y, actual.Y, 5);
        Assert.Equal(expected.Z, actual.Z, 5);
    }

    [Fact]
    public void Slerp_Halfway_IsHalfTheAngle()
    {
        var a = QuaternionD.Identity;
        var b = QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), 1.0);
        var mid = QuaternionD.Slerp(a, b, 0.5);
        Assert.Equal(0.5, QuaternionD.AngleBetween(a, mid), 12);
        Assert.Equal(0.5, QuaternionD.AngleBetween(mid, b), 12);
    }

    [Fact]
    public void PinholeIntrinsics_BackProjectThenProject_IsThePixel()
    {
        var camera = new PinholeIntrinsics(640, 480, 525, 520, 319.5, 239.5);
        var point = camera.BackProject(100.25, 300.75, 2.5);
        Assert.True(camera.TryProject(point, out double u, out double v));
        Assert.Equal(100.25, u, 9);
        Assert.Equal(300.75, v, 9);
        Assert.False(camera.TryProject(new Vector3d(0, 0, -1), out _, out _));
    }
}
