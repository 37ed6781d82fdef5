using Xunit;

namespace AnyRecon.Ros.Transport.Tests.Graph;

public sealed class RosClockTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void NowNs_SystemTime_NanosecondsSinceTheEpoch()
    {
        var clock = new RosClock(useSimTime: false, new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123)));
        Assert.Equal(1_700_000_000_123_000_000L, clock.NowNs);
        clock.OnClock(5);
        Assert.Equal(1_700_000_000_123_000_000L, clock.NowNs);
    }

    [Fact]
    public void NowNs_SimTime_FollowsClockAndReportsJumpsBack()
    {
        var clock = new RosClock(useSimTime: true, new FixedTime(DateTimeOffset.UnixEpoch.AddDays(1)));
        Assert.Equal(0, clock.NowNs);
        Assert.False(clock.HasSimTime);
        var jumps = new List<(long, long)>();
        clock.JumpedBackwards += (a, b) => jumps.Add((a, b));
        clock.OnClock(1_000);
        clock.OnClock(2_000);
        Assert.Equal(2_000, clock.NowNs);
        clock.OnClock(500);
        Assert.Equal(500, clock.NowNs);
        Assert.Equal([(2_000L, 500L)], jumps);
        clock.UseSimTime = false;
        Assert.Equal(86_400_000_000_000L, clock.NowNs);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.OnClock(-1));
    }
}
