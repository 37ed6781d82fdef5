using AnyRecon.Ros.Bags;

namespace AnyRecon.Ros.Transport;

/// <summary>Builds a native dds_qos_t from a ROS QoS profile, as rmw_cyclonedds maps it.</summary>
internal static unsafe class DdsQos
{
    /// <summary>How long a reliable write may wait for room in the writer's history before it is counted as dropped.</summary>
    public static readonly TimeSpan MaxBlockingTime = TimeSpan.FromSeconds(1);

    public static nint Create(QosProfile profile, ReadOnlySpan<byte> userData)
    {
        nint qos = Ddsc.CreateQos();
        bool keepAll = profile.History == QosHistory.KeepAll;
        int depth = profile.Depth is 0 or > int.MaxValue ? 1 : (int)profile.Depth;
        Ddsc.QsetHistory(qos, keepAll ? Ddsc.HistoryKeepAll : Ddsc.HistoryKeepLast, keepAll ? -1 : depth);
        Ddsc.QsetReliability(qos, profile.Reliability == QosReliability.BestEffort ? Ddsc.ReliabilityBestEffort : Ddsc.ReliabilityReliable,
            (long)MaxBlockingTime.TotalNanoseconds);
        bool transientLocal = profile.Durability == QosDurability.TransientLocal;
        Ddsc.QsetDurability(qos, transientLocal ? Ddsc.DurabilityTransientLocal : Ddsc.DurabilityVolatile);
        // Cyclone serves late joiners of a transient-local writer from the durability service's history.
        if (transientLocal)
            Ddsc.QsetDurabilityService(qos, 0, keepAll ? Ddsc.HistoryKeepAll : Ddsc.HistoryKeepLast, keepAll ? -1 : depth, -1, -1, -1);
        short xcdr1 = Ddsc.DataRepresentationXcdr1;
        Ddsc.QsetDataRepresentation(qos, 1, &xcdr1);
        if (!userData.IsEmpty)
            fixed (byte* data = userData) Ddsc.QsetUserData(qos, data, (nuint)userData.Length);
        return qos;
    }
}
