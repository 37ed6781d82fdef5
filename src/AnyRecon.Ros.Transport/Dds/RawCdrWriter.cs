using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Cdr;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// A DDS writer of serialized CDR. A message is serialized straight into the native sample Cyclone sends from (the one
/// copy on this side); raw bytes (a bag's) are copied into it once.
/// </summary>
public sealed unsafe class RawCdrWriter : IDisposable
{
    private readonly DdsParticipant _participant;
    private readonly nint _sertype;
    private readonly int _handle;
    private long _published, _dropped;
    private int _disposed;

    internal RawCdrWriter(DdsParticipant participant, (int Topic, nint Sertype) topic, string ddsTopic, string ddsType, QosProfile qos, ReadOnlySpan<byte> userData)
    {
        _participant = participant;
        _sertype = topic.Sertype;
        DdsTopic = ddsTopic;
        DdsType = ddsType;
        Qos = qos;
        nint nativeQos = DdsQos.Create(qos, userData);
        try
        {
            _handle = Ddsc.CreateWriter(participant.Handle, topic.Topic, nativeQos, 0);
        }
        finally
        {
            Ddsc.DeleteQos(nativeQos);
        }
        DdsLibrary.Check(_handle, $"creating a writer on '{ddsTopic}'");
        Guid = DdsParticipant.EntityGuid(_handle);
    }

    public string DdsTopic { get; }

    public string DdsType { get; }

    public QosProfile Qos { get; }

    /// <summary>The writer's 16-byte GUID (its ROS gid).</summary>
    public byte[] Guid { get; }

    public long Published => Interlocked.Read(ref _published);

    /// <summary>Writes that timed out waiting for a reliable reader (its history full): the message is lost.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>How many readers are matched now.</summary>
    public int MatchedReaders
    {
        get
        {
            Ddsc.MatchedStatus status;
            return Ddsc.GetPublicationMatchedStatus(_handle, &status) < 0 ? 0 : (int)status.CurrentCount;
        }
    }

    /// <summary>Serializes and sends <paramref name="message"/>; false if it was dropped (reliable history full past the blocking time).</summary>
    public bool Write(IRosMessage message) => Write(message, null);

    /// <summary>
    /// Sends <paramref name="message"/> behind the 16-byte rmw_cyclonedds service header (client id, sequence number);
    /// 16 bytes keep the body's 8-byte alignment, so the body serializes as it would alone.
    /// </summary>
    public bool Write(IRosMessage message, ulong requestClient, long requestSequence) => Write(message, (requestClient, requestSequence));

    private bool Write(IRosMessage message, (ulong Client, long Sequence)? serviceHeader)
    {
        int size = CdrSerializer.GetSerializedSize(message) + (serviceHeader is null ? 0 : 16);
        byte* sample = RawCdrSertype.NewSample((byte*)_sertype, Ddsc.SerdataKindData, (nuint)size);
        try
        {
            var writer = new CdrWriter(new Span<byte>(RawCdrSertype.PayloadPointer(sample), size));
            if (serviceHeader is var (client, sequence))
            {
                writer.WriteUInt64(client);
                writer.WriteInt64(sequence);
            }
            message.Serialize(ref writer);
        }
        catch
        {
            Ddsc.SerdataUnref(sample);
            throw;
        }
        RawCdrSertype.MarkPadding(sample);
        return Send(sample);
    }

    /// <summary>The writer's instance handle: rmw_cyclonedds's client id in service headers.</summary>
    public ulong InstanceHandle
    {
        get
        {
            ulong handle;
            DdsLibrary.Check(Ddsc.GetInstanceHandle(_handle, &handle), "reading a writer's instance handle");
            return handle;
        }
    }

    /// <summary>Sends already serialized CDR (encapsulation header included).</summary>
    public bool Write(ReadOnlySpan<byte> cdr)
    {
        byte* sample = RawCdrSertype.NewSample((byte*)_sertype, Ddsc.SerdataKindData, (nuint)cdr.Length);
        cdr.CopyTo(new Span<byte>(RawCdrSertype.PayloadPointer(sample), cdr.Length));
        RawCdrSertype.MarkPadding(sample);
        return Send(sample);
    }

    private bool Send(byte* sample)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // dds_writecdr takes over our reference, whatever it returns.
        int rc = Ddsc.WriteCdr(_handle, sample);
        if (rc == Ddsc.RetTimeout)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
        DdsLibrary.Check(rc, $"writing to '{DdsTopic}'");
        Interlocked.Increment(ref _published);
        return true;
    }

    /// <summary>Waits until every matched reliable reader acknowledged what was written; false on timeout.</summary>
    public bool WaitForAcknowledgements(TimeSpan timeout) => Ddsc.WaitForAcks(_handle, (long)timeout.TotalNanoseconds) == Ddsc.RetOk;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Ddsc.Delete(_handle);
    }
}
