using AnyRecon.Ros.Messages.BuiltinInterfaces;
using AnyRecon.Ros.Messages.GeometryMsgs;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.Tf2Msgs;

namespace AnyRecon.Ros.Geometry;

/// <summary>Adapters from generated ROS message types to the geometry types; the algorithms themselves take plain values.</summary>
public static class MessageConversions
{
    /// <summary>builtin_interfaces/Time as nanoseconds since the epoch (sec·10⁹ + nanosec).</summary>
    public static long ToNanoseconds(this Time time) => time.Sec * 1_000_000_000L + time.Nanosec;

    /// <summary>Nanoseconds since the epoch as builtin_interfaces/Time (the inverse of <see cref="ToNanoseconds"/>).</summary>
    public static Time TimeFromNanoseconds(long ns) => new() { Sec = (int)(ns / 1_000_000_000), Nanosec = (uint)(ns % 1_000_000_000) };

    /// <summary>geometry_msgs/Transform as parentFromChild (values as they are; the TF buffer validates them).</summary>
    public static RigidTransform ToRigidTransform(this Messages.GeometryMsgs.Transform transform) => new(
        new QuaternionD(transform.Rotation.X, transform.Rotation.Y, transform.Rotation.Z, transform.Rotation.W),
        new Vector3d(transform.Translation.X, transform.Translation.Y, transform.Translation.Z));

    /// <summary>geometry_msgs/Pose as frameFromBody: the body's pose in the header's frame.</summary>
    public static RigidTransform ToRigidTransform(this Pose pose) => new(
        new QuaternionD(pose.Orientation.X, pose.Orientation.Y, pose.Orientation.Z, pose.Orientation.W),
        new Vector3d(pose.Position.X, pose.Position.Y, pose.Position.Z));

    /// <summary>
    /// The camera a sensor_msgs/CameraInfo describes (see <see cref="CameraModel.Create"/> for the checks).
    /// </summary>
    /// <exception cref="ArgumentException">Invalid calibration, or binning/ROI (not supported: publish full-resolution info).</exception>
    public static CameraModel ToCameraModel(this CameraInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.BinningX > 1 || info.BinningY > 1)
            throw new ArgumentException($"CameraInfo binning {info.BinningX}×{info.BinningY} is not supported.", nameof(info));
        var roi = info.Roi;
        bool fullRoi = (roi.Width == 0 && roi.Height == 0 && roi.XOffset == 0 && roi.YOffset == 0)
            || (roi.XOffset == 0 && roi.YOffset == 0 && roi.Width == info.Width && roi.Height == info.Height);
        if (!fullRoi)
            throw new ArgumentException($"CameraInfo region of interest {roi.Width}×{roi.Height}+{roi.XOffset}+{roi.YOffset} is not supported.", nameof(info));
        if (info.Width > int.MaxValue || info.Height > int.MaxValue)
            throw new ArgumentException($"CameraInfo size {info.Width}×{info.Height} is out of range.", nameof(info));
        return CameraModel.Create((int)info.Width, (int)info.Height, info.K, info.D, info.DistortionModel, info.R, info.P);
    }

    /// <summary>Inserts one geometry_msgs/TransformStamped (header.frame_id = parent, child_frame_id = child).</summary>
    public static TransformRejection SetTransform(this TransformBuffer buffer, TransformStamped transform, bool isStatic)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(transform);
        return buffer.SetTransform(transform.Header.FrameId, transform.ChildFrameId, transform.Header.Stamp.ToNanoseconds(),
            transform.Transform.ToRigidTransform(), isStatic);
    }

    /// <summary>Inserts every transform of a tf2_msgs/TFMessage (/tf, or /tf_static with <paramref name="isStatic"/>); returns how many were accepted.</summary>
    public static int SetTransforms(this TransformBuffer buffer, TFMessage message, bool isStatic)
    {
        ArgumentNullException.ThrowIfNull(message);
        int accepted = 0;
        foreach (var transform in message.Transforms)
        {
            if (buffer.SetTransform(transform, isStatic) == TransformRejection.None) accepted++;
        }
        return accepted;
    }
}
