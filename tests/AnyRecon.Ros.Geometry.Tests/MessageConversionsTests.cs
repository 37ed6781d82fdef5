using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;
using Xunit;

namespace AnyRecon.Ros.Geometry.Tests;

public sealed class MessageConversionsTests
{
    private static TransformStamped Stamped(string parent, string child, int sec, uint nanosec, double x, double qz, double qw)
    {
        var t = new TransformStamped { ChildFrameId = child };
        t.Header.FrameId = parent;
        t.Header.Stamp.Sec = sec;
        t.Header.Stamp.Nanosec = nanosec;
        t.Transform.Translation.X = x;
        t.Transform.Rotation.Z = qz;
        t.Transform.Rotation.W = qw;
        return t;
    }

    [Fact]
    public void ToNanoseconds_SecondsAndNanoseconds_Combine()
    {
        var time = new Messages.BuiltinInterfaces.Time { Sec = 1_700_000_000, Nanosec = 123_456_789 };
        Assert.Equal(1_700_000_000_123_456_789L, time.ToNanoseconds());
    }

    [Fact]
    public void SetTransforms_TfMessages_FeedTheBufferAndCountRejects()
    {
        var buffer = new TransformBuffer();
        var tfStatic = new TFMessage { Transforms = [Stamped("base_link", "camera_link", 0, 0, 0.2, 0, 1)] };
        var tf = new TFMessage
        {
            Transforms =
            [
                Stamped("odom", "base_link", 10, 0, 1, 0, 1),
                Stamped("odom", "base_link", 11, 0, 3, Math.Sin(Math.PI / 4), Math.Cos(Math.PI / 4)),
                Stamped("odom", "bad", 11, 0, 0, 0, 2), // not a unit quaternion
            ],
        };
        Assert.Equal(1, buffer.SetTransforms(tfStatic, isStatic: true));
        Assert.Equal(2, buffer.SetTransforms(tf, isStatic: false));
        Assert.Equal(1, buffer.Statistics.RejectedNonUnitQuaternion);
        Assert.True(buffer.TryLookup("odom", "camera_link", 10_500_000_000, out var odomFromCamera, out string? error), error);
        // Halfway: base_link at x = 2, turned 45°; camera 0.2 m ahead of it.
        Assert.Equal(2 + 0.2 * Math.Cos(Math.PI / 4), odomFromCamera.Translation.X, 12);
        Assert.Equal(0.2 * Math.Sin(Math.PI / 4), odomFromCamera.Translation.Y, 12);
    }

    [Fact]
    public void ToCameraModel_CameraInfo_UsesKDRP()
    {
        var info = new CameraInfo
        {
            Width = 640,
            Height = 480,
            DistortionModel = "plumb_bob",
            D = [0.1, -0.05, 0.001, 0.002, 0.01],
            K = [500, 0, 320, 0, 500, 240, 0, 0, 1],
            R = [1, 0, 0, 0, 1, 0, 0, 0, 1],
            P = [480, 0, 321, 0, 0, 482, 239, 0, 0, 0, 1, 0],
        };
        var camera = info.ToCameraModel();
        Assert.Equal(DistortionModel.PlumbBob, camera.Model);
        Assert.Equal(new PinholeIntrinsics(640, 480, 480, 482, 321, 239), camera.RectifiedIntrinsics);
        camera.ProjectNormalized(0.2, 0.1, out double u, out double v);
        Assert.Equal(420.637625, u, 9);
        Assert.Equal(290.3188125, v, 9);
    }

    [Fact]
    public void ToCameraModel_UncalibratedOrBinned_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CameraInfo { Width = 640, Height = 480 }.ToCameraModel());
        var binned = new CameraInfo { Width = 640, Height = 480, K = [500, 0, 320, 0, 500, 240, 0, 0, 1], BinningX = 2 };
        Assert.Contains("binning", Assert.Throws<ArgumentException>(() => binned.ToCameraModel()).Message);
    }

    [Fact]
    public void ToRigidTransform_Pose_IsTheBodyInTheHeaderFrame()
    {
        var pose = new Pose();
        pose.Position.X = 1;
        pose.Position.Y = 2;
        pose.Orientation.Z = Math.Sin(Math.PI / 4);
        pose.Orientation.W = Math.Cos(Math.PI / 4);
        var p = pose.ToRigidTransform().Apply(new Vector3d(1, 0, 0));
        Assert.Equal(1, p.X, 12);
        Assert.Equal(3, p.Y, 12);
    }
}
