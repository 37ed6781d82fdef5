using System.Buffers.Binary;
using AnyRecon.Ros.Messages.SensorMsgs;
using AnyRecon.Ros.Messages.StdMsgs;
using AnyRecon.Ros.Voxels;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Fused surface points as sensor_msgs/PointCloud2: x y z (float32), rgb (float32 holding 0x00RRGGBB, as RViz and PCL
/// read colour), confidence (float32, the fused weight) and source (uint8: 0 observed, 1 generated), 24 bytes a point.
/// </summary>
public static class PointCloudMessages
{
    public const uint PointStep = 24;

    public static PointCloud2 ToPointCloud2(IReadOnlyList<SurfacePoint> points, Header header)
    {
        var data = GC.AllocateUninitializedArray<byte>(checked((int)(points.Count * PointStep)));
        var span = data.AsSpan();
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var at = span.Slice(i * (int)PointStep, (int)PointStep);
            BinaryPrimitives.WriteSingleLittleEndian(at, p.Position.X);
            BinaryPrimitives.WriteSingleLittleEndian(at[4..], p.Position.Y);
            BinaryPrimitives.WriteSingleLittleEndian(at[8..], p.Position.Z);
            BinaryPrimitives.WriteUInt32LittleEndian(at[12..], (uint)(p.R << 16 | p.G << 8 | p.B));
            BinaryPrimitives.WriteSingleLittleEndian(at[16..], p.Confidence);
            at[20] = (byte)p.Source;
            at[21] = at[22] = at[23] = 0;
        }
        return new PointCloud2
        {
            Header = header,
            Height = 1,
            Width = (uint)points.Count,
            Fields =
            [
                new PointField { Name = "x", Offset = 0, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "y", Offset = 4, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "z", Offset = 8, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "rgb", Offset = 12, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "confidence", Offset = 16, Datatype = PointField.FLOAT32, Count = 1 },
                new PointField { Name = "source", Offset = 20, Datatype = PointField.UINT8, Count = 1 },
            ],
            IsBigendian = false,
            PointStep = PointStep,
            RowStep = PointStep * (uint)points.Count,
            Data = data,
            IsDense = true,
        };
    }
}
