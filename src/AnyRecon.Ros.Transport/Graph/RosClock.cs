namespace AnyRecon.Ros.Transport;

/// <summary>
/// ROS time as rclcpp's node clock gives it: the system clock, or with <c>use_sim_time</c> the last stamp received on
/// <c>/clock</c> (0 until the first one, as ROS does). A jump backwards in sim time (a bag played again from its start)
/// is reported so the caller can reset what depends on time (synchronisers, TF buffers).
/// </summary>
public sealed class RosClock(bool useSimTime = false, TimeProvider? system = null)
{
    private readonly TimeProvider _system = system ?? TimeProvider.System;
    private long _simNs;

    /// <summary>Follows the <c>use_sim_time</c> parameter; switching it on starts from the last /clock stamp seen.</summary>
    public bool UseSimTime { get; set; } = useSimTime;

    /// <summary>Whether a /clock message has arrived yet.</summary>
    public bool HasSimTime { get; private set; }

    /// <summary>Raised with (previous, new) stamps when /clock goes backwards.</summary>
    public event Action<long, long>? JumpedBackwards;

    /// <summary>Nanoseconds since the Unix epoch (system) or the last /clock stamp (sim time).</summary>
    public long NowNs => UseSimTime ? Interlocked.Read(ref _simNs) : (_system.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>A rosgraph_msgs/Clock stamp arrived.</summary>
    public void OnClock(long stampNs)
    {
        if (stampNs < 0) throw new ArgumentOutOfRangeException(nameof(stampNs), stampNs, "a ROS time is not negative");
        long previous = Interlocked.Exchange(ref _simNs, stampNs);
        bool had = HasSimTime;
        HasSimTime = true;
        if (had && stampNs < previous) JumpedBackwards?.Invoke(previous, stampNs);
    }
}
