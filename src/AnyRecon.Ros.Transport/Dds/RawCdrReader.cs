using System.Runtime.InteropServices;
using AnyRecon.Ros.Bags;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// One received sample, still in the native memory Cyclone reassembled it into (no copy yet). Read <see cref="Cdr"/>,
/// then dispose it to release the memory.
/// </summary>
public sealed unsafe class ReceivedSample : IDisposable
{
    private byte* _sample;
    private byte[]? _unmarked;

    internal ReceivedSample(byte* sample, long sourceTimestampNs, ulong publicationHandle)
    {
        _sample = sample;
        SourceTimestampNs = sourceTimestampNs;
        PublicationHandle = publicationHandle;
        ReceivedTimestampNs = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
    }

    /// <summary>The writer's source timestamp, nanoseconds since the Unix epoch.</summary>
    public long SourceTimestampNs { get; }

    /// <summary>When this process took the sample, nanoseconds since the Unix epoch.</summary>
    public long ReceivedTimestampNs { get; }

    /// <summary>Identifies the writer within this participant.</summary>
    public ulong PublicationHandle { get; }

    /// <summary>The serialized message as it was sent, encapsulation header included.</summary>
    public ReadOnlySpan<byte> Cdr
    {
        get
        {
            ObjectDisposedException.ThrowIf(_sample == null, this);
            if ((RawCdrSertype.Flags(_sample) & RawCdrSertype.PaddingMarkedLocally) == 0) return RawCdrSertype.Message(_sample);
            // Delivered inside this process: the writer's own sample, whose options hold the padding count it added.
            // Readers share it, so give this one a copy with the options as sent.
            if (_unmarked is null)
            {
                _unmarked = RawCdrSertype.Message(_sample).ToArray();
                _unmarked[3] &= 0xFC;
            }
            return _unmarked;
        }
    }

    public void Dispose()
    {
        byte* sample = _sample;
        _sample = null;
        if (sample != null) Ddsc.SerdataUnref(sample);
    }
}

/// <summary>
/// A DDS reader of serialized CDR. Cyclone calls us on its receive thread when data is available; we take every sample
/// (without copying) and pass each to the owner's callback, which must be quick (it queues them).
/// </summary>
public sealed unsafe class RawCdrReader : IDisposable
{
    private readonly Action<ReceivedSample> _onSample;
    private readonly int _handle;
    private GCHandle _self;
    private readonly nint _listener;
    private long _received, _callbackFailures;
    private int _disposed;

    internal RawCdrReader(DdsParticipant participant, (int Topic, nint Sertype) topic, string ddsTopic, string ddsType, QosProfile qos,
        Action<ReceivedSample> onSample, ReadOnlySpan<byte> userData)
    {
        _onSample = onSample;
        DdsTopic = ddsTopic;
        DdsType = ddsType;
        Qos = qos;
        _self = GCHandle.Alloc(this);
        _listener = Ddsc.CreateListener(GCHandle.ToIntPtr(_self));
        Ddsc.LsetDataAvailable(_listener, &OnDataAvailable);
        nint nativeQos = DdsQos.Create(qos, userData);
        try
        {
            _handle = Ddsc.CreateReader(participant.Handle, topic.Topic, nativeQos, _listener);
        }
        finally
        {
            Ddsc.DeleteQos(nativeQos);
        }
        if (_handle < 0)
        {
            Ddsc.DeleteListener(_listener);
            _self.Free();
            DdsLibrary.Check(_handle, $"creating a reader on '{ddsTopic}'");
        }
        Guid = DdsParticipant.EntityGuid(_handle);
        // Samples that arrived between creation and the listener being active (transient-local history) are taken now.
        TakeAll();
    }

    public string DdsTopic { get; }

    public string DdsType { get; }

    public QosProfile Qos { get; }

    public byte[] Guid { get; }

    public long Received => Interlocked.Read(ref _received);

    /// <summary>How many writers are matched now.</summary>
    public int MatchedWriters
    {
        get
        {
            Ddsc.MatchedStatus status;
            return Ddsc.GetSubscriptionMatchedStatus(_handle, &status) < 0 ? 0 : (int)status.CurrentCount;
        }
    }

    [UnmanagedCallersOnly]
    private static void OnDataAvailable(int reader, nint self)
    {
        try
        {
            if (GCHandle.FromIntPtr(self).Target is RawCdrReader owner) owner.TakeAll();
        }
        catch
        {
            // Nothing may unwind into Cyclone's receive thread.
        }
    }

    private void TakeAll()
    {
        const int batch = 16;
        var samples = stackalloc byte*[batch];
        var infos = stackalloc Ddsc.SampleInfo[batch];
        while (Volatile.Read(ref _disposed) == 0)
        {
            int n = Ddsc.TakeCdr(_handle, samples, batch, infos, 0);
            if (n <= 0) return;
            for (int i = 0; i < n; i++)
            {
                // Every taken sample holds a reference, valid data or not (instance state changes carry none).
                if (infos[i].ValidData == 0)
                {
                    Ddsc.SerdataUnref(samples[i]);
                    continue;
                }
                Interlocked.Increment(ref _received);
                var sample = new ReceivedSample(samples[i], infos[i].SourceTimestamp, infos[i].PublicationHandle);
                try
                {
                    _onSample(sample);
                }
                catch
                {
                    Interlocked.Increment(ref _callbackFailures);
                    sample.Dispose();
                }
            }
            if (n < batch) return;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // dds_delete waits for a running listener callback to finish, so the handle is safe to free after it.
        Ddsc.Delete(_handle);
        Ddsc.DeleteListener(_listener);
        _self.Free();
    }
}
