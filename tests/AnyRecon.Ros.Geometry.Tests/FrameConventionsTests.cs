using Xunit;

namespace AnyRecon.Ros.Geometry.Tests;

public sealed class FrameConventionsTests
{
    [Theory]
    [InlineData(1, 0, 0, 0, 0, 1)]   // forward → optical z
    [InlineData(0, 1, 0, -1, 0, 0)]  // left → −x (x is right)
    [InlineData(0, 0, 1, 0, -1, 0)]  // up → −y (y is down)
    public void OpticalFromBody_MapsBodyAxesToOpticalAxes(double bx, double by, double bz, double ox, double oy, double oz)
    {
        var optical = FrameConventions.OpticalFromBody.Apply(new Vector3d(bx, by, bz));
        Assert.Equal(ox, optical.X, 15);
        Assert.Equal(oy, optical.Y, 15);
        Assert.Equal(oz, optical.Z, 15);
    }

    [Fact]
    public void BodyFromOptical_IsTheDriversRollMinusHalfPiYawMinusHalfPi()
    {
        // tf2 RPY is fixed-axis: q = yaw(z) · pitch(y) · roll(x).
        var expected = QuaternionD.FromAxisAngle(new Vector3d(0, 0, 1), -Math.PI / 2) * QuaternionD.FromAxisAngle(new Vector3d(1, 0, 0), -Math.PI / 2);
        Assert.Equal(0, QuaternionD.AngleBetween(expected, FrameConventions.BodyFromOptical.Rotation), 7);
        var roundTrip = FrameConventions.BodyFromOptical * FrameConventions.OpticalFromBody;
        Assert.Equal(0, QuaternionD.AngleBetween(QuaternionD.Identity, roundTrip.Rotation), 7);
    }
}
