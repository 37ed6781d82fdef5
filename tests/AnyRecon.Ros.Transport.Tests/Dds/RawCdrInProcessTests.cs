using System.Collections.Concurrent;
using AnyRecon.Ros.Messages.Cdr;
using RosString = AnyRecon.Ros.Messages.StdMsgs.String;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests;

/// <summary>Two participants of one process over the raw-CDR sertype: bytes in equal bytes out.</summary>
public sealed class RawCdrInProcessTests
{
    [Fact]
    public void StringRoundTripsBetweenParticipants()
    {
        using var a = new DdsParticipant(DdsTestDomain.Id, DdsTestDomain.Configuration, DiscoveryInfo.ParticipantUserData());
        using var b = new DdsParticipant(DdsTestDomain.Id, DdsTestDomain.Configuration, DiscoveryInfo.ParticipantUserData());
        var received = new BlockingCollection<byte[]>();
        using var reader = b.CreateReader("rt/chatter", RosString.DdsName, QosProfiles.Default, s => { using (s) received.Add(s.Cdr.ToArray()); });
        using var writer = a.CreateWriter("rt/chatter", RosString.DdsName, QosProfiles.Default);
        Assert.True(SpinWait.SpinUntil(() => writer.MatchedReaders > 0, 10_000), "reader never matched");
        var sent = new List<byte[]>();
        for (int i = 0; i < 5; i++)
        {
            var message = new RosString { Data = $"hello {i}" };
            sent.Add(CdrSerializer.Serialize(message));
            Assert.True(writer.Write(message));
        }
        for (int i = 0; i < 5; i++)
        {
            Assert.True(received.TryTake(out var bytes, 10_000, TestContext.Current.CancellationToken), $"message {i} did not arrive");
            Assert.Equal(sent[i], bytes[..sent[i].Length]);
            Assert.Equal($"hello {i}", CdrSerializer.Deserialize<RosString>(bytes).Data);
        }
    }
}
