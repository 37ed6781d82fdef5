using System.Runtime.InteropServices;
using AnyRecon.Ros.Bags;

namespace AnyRecon.Ros.Transport;

/// <summary>A reader or writer another participant announced, from DDS discovery (the builtin topics).</summary>
public sealed record DiscoveredEndpoint(bool IsWriter, string DdsTopic, string DdsType, byte[] Guid, byte[] ParticipantGuid, QosProfile Qos, string UserData);

/// <summary>
/// One DDS domain participant carrying raw CDR: topics are created once per name, writers and readers on them take a
/// ROS QoS profile and USER_DATA. Every entity is deleted with the participant.
/// </summary>
public sealed unsafe class DdsParticipant : IDisposable
{
    private readonly Dictionary<string, (int Topic, string Type, nint Sertype)> _topics = [];
    private readonly Lock _lock = new();
    private readonly int _handle;
    private bool _disposed;

    /// <param name="domainId">ROS_DOMAIN_ID.</param>
    /// <param name="configuration">Cyclone XML (or a list of fragments/URIs, as CYCLONEDDS_URI takes) for the domain; null uses CYCLONEDDS_URI alone.</param>
    /// <param name="userData">Participant USER_DATA (ROS 2: <c>enclave=/;</c>).</param>
    public DdsParticipant(uint domainId, string? configuration, ReadOnlySpan<byte> userData)
    {
        _ = DdsLibrary.Handle;
        if (configuration is not null)
        {
            int domain = Ddsc.CreateDomain(domainId, configuration);
            // Another participant of this process may have created the domain already; its configuration stands.
            if (domain < 0 && domain != Ddsc.RetPreconditionNotMet) DdsLibrary.Check(domain, $"creating DDS domain {domainId}");
        }
        nint qos = DdsQos.Create(QosProfiles.Default, userData);
        try
        {
            _handle = Ddsc.CreateParticipant(domainId, qos, 0);
        }
        finally
        {
            Ddsc.DeleteQos(qos);
        }
        DdsLibrary.Check(_handle, $"creating a participant on DDS domain {domainId}");
        Guid = EntityGuid(_handle);
        DomainId = domainId;
    }

    public uint DomainId { get; }

    /// <summary>The participant's 16-byte DDS GUID (its ROS gid).</summary>
    public byte[] Guid { get; }

    internal int Handle => _handle;

    public RawCdrWriter CreateWriter(string ddsTopic, string ddsType, QosProfile qos, ReadOnlySpan<byte> userData = default) =>
        new(this, Topic(ddsTopic, ddsType), ddsTopic, ddsType, qos, userData);

    /// <summary>A reader whose samples go to <paramref name="onSample"/> on Cyclone's receive thread; it must be quick and takes ownership of each sample.</summary>
    public RawCdrReader CreateReader(string ddsTopic, string ddsType, QosProfile qos, Action<ReceivedSample> onSample, ReadOnlySpan<byte> userData = default) =>
        new(this, Topic(ddsTopic, ddsType), ddsTopic, ddsType, qos, onSample, userData);

    /// <summary>Every remote and local endpoint discovery knows of now.</summary>
    public List<DiscoveredEndpoint> DiscoveredEndpoints()
    {
        var endpoints = new List<DiscoveredEndpoint>();
        ReadBuiltin(Ddsc.BuiltinTopicPublication, isWriter: true, endpoints);
        ReadBuiltin(Ddsc.BuiltinTopicSubscription, isWriter: false, endpoints);
        return endpoints;
    }

    private readonly Dictionary<int, int> _builtinReaders = [];

    private void ReadBuiltin(int builtinTopic, bool isWriter, List<DiscoveredEndpoint> into)
    {
        int reader;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_builtinReaders.TryGetValue(builtinTopic, out reader))
            {
                reader = Ddsc.CreateReader(_handle, builtinTopic, 0, 0);
                DdsLibrary.Check(reader, "creating a discovery reader");
                _builtinReaders[builtinTopic] = reader;
            }
        }
        // One read of up to this many endpoints (a large robot graph has a few hundred); loaned, so no copies.
        const int max = 8192;
        var samples = (void**)NativeMemory.AllocZeroed(max, (nuint)sizeof(void*));
        var infos = (Ddsc.SampleInfo*)NativeMemory.Alloc(max, (nuint)sizeof(Ddsc.SampleInfo));
        try
        {
            // read, not take: the builtin reader keeps the current set of endpoints (disposed ones leave it).
            int n = Ddsc.Read(reader, samples, infos, max, max);
            if (n <= 0) return;
            for (int i = 0; i < n; i++)
            {
                if (infos[i].ValidData == 0 || infos[i].InstanceState != Ddsc.InstanceAlive) continue;
                var endpoint = (Ddsc.BuiltinEndpoint*)samples[i];
                into.Add(new DiscoveredEndpoint(isWriter,
                    Marshal.PtrToStringUTF8((nint)endpoint->TopicName) ?? "", Marshal.PtrToStringUTF8((nint)endpoint->TypeName) ?? "",
                    new ReadOnlySpan<byte>(endpoint->Key.Bytes, 16).ToArray(), new ReadOnlySpan<byte>(endpoint->ParticipantKey.Bytes, 16).ToArray(),
                    EndpointQos(endpoint->Qos), EndpointUserData(endpoint->Qos)));
            }
            Ddsc.ReturnLoan(reader, samples, n);
        }
        finally
        {
            NativeMemory.Free(samples);
            NativeMemory.Free(infos);
        }
    }

    /// <summary>An endpoint's USER_DATA as text (ROS 2: <c>typehash=RIHS01_…;</c>, <c>clientid=…;</c>).</summary>
    private static string EndpointUserData(nint qos)
    {
        void* value = null;
        nuint size = 0;
        if (qos == 0 || Ddsc.QgetUserData(qos, &value, &size) == 0 || value == null) return "";
        try
        {
            return System.Text.Encoding.UTF8.GetString((byte*)value, (int)size);
        }
        finally
        {
            Ddsc.Free(value);
        }
    }

    /// <summary>The reliability, durability and history an endpoint announced (what ros2 topic echo and bag record adapt to).</summary>
    private static QosProfile EndpointQos(nint qos)
    {
        int reliability = Ddsc.ReliabilityBestEffort, durability = Ddsc.DurabilityVolatile, history = Ddsc.HistoryKeepLast, depth = 1;
        long blocking;
        if (qos != 0)
        {
            Ddsc.QgetReliability(qos, &reliability, &blocking);
            Ddsc.QgetDurability(qos, &durability);
            Ddsc.QgetHistory(qos, &history, &depth);
        }
        return QosProfiles.Make(history == Ddsc.HistoryKeepAll ? QosHistory.KeepAll : QosHistory.KeepLast, (ulong)Math.Max(depth, 0),
            reliability == Ddsc.ReliabilityReliable ? QosReliability.Reliable : QosReliability.BestEffort,
            durability == Ddsc.DurabilityVolatile ? QosDurability.Volatile : QosDurability.TransientLocal);
    }

    private (int Topic, nint Sertype) Topic(string ddsTopic, string ddsType)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_topics.TryGetValue(ddsTopic, out var known))
            {
                if (known.Type != ddsType) throw new ArgumentException($"topic '{ddsTopic}' has type '{known.Type}' in this process; cannot also use it as '{ddsType}'");
                return (known.Topic, known.Sertype);
            }
            nint sertype = (nint)RawCdrSertype.Create(ddsType);
            // Cyclone may hand back an equal sertype it already holds (and frees ours): keep the one it returns.
            int topic = Ddsc.CreateTopicSertype(_handle, ddsTopic, &sertype, 0, 0, 0);
            DdsLibrary.Check(topic, $"creating DDS topic '{ddsTopic}' ({ddsType})");
            _topics[ddsTopic] = (topic, ddsType, sertype);
            return (topic, sertype);
        }
    }

    internal static byte[] EntityGuid(int entity)
    {
        Ddsc.Guid guid;
        DdsLibrary.Check(Ddsc.GetGuid(entity, &guid), "reading an entity's GUID");
        return new ReadOnlySpan<byte>(guid.Bytes, 16).ToArray();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        // Deleting the participant deletes its topics, readers and writers; their listeners stop first.
        Ddsc.Delete(_handle);
    }
}
