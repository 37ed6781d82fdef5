using AnyRecon.Ros.Messages;

namespace AnyRecon.Ros.Transport;

/// <summary>What a ROS context starts from; each unset field comes from the ROS environment variables.</summary>
public sealed record RosContextOptions
{
    public uint? DomainId { get; init; }

    /// <summary>Cyclone configuration; null composes it from ROS_AUTOMATIC_DISCOVERY_RANGE / ROS_LOCALHOST_ONLY, ROS_STATIC_PEERS and CYCLONEDDS_URI.</summary>
    public string? CycloneConfiguration { get; init; }

    public RosDistro? Distro { get; init; }

    /// <summary>Receives transport warnings (already rate-limited); null writes them to stderr.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// One process's presence on a ROS 2 graph, as rmw_cyclonedds has it: a single DDS participant shared by all nodes of
/// the process, and the <c>ros_discovery_info</c> writer that tells ROS tools which nodes it holds and which
/// readers and writers belong to each. Other participants' samples of that topic give the graph's node names.
/// </summary>
public sealed class RosContext : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<RosNode> _nodes = [];
    private readonly Dictionary<string, (byte[] Participant, List<NodeEntities> Nodes)> _remoteNodes = [];
    private readonly RawCdrWriter _discoveryWriter;
    private readonly RawCdrReader _discoveryReader;
    private readonly CountedWarning _badDiscovery;
    private bool _disposed;

    public RosContext(RosContextOptions? options = null)
    {
        options ??= new RosContextOptions();
        Log = options.Log ?? (line => Console.Error.WriteLine($"[anyrecon.transport] {line}"));
        DdsLibrary.Log ??= line => Log($"cyclonedds: {line}");
        Distro = options.Distro ?? DiscoveryInfo.DistroFromEnvironment();
        DomainId = options.DomainId ?? CycloneConfiguration.DomainIdFromEnvironment();
        Participant = new DdsParticipant(DomainId, options.CycloneConfiguration ?? Transport.CycloneConfiguration.FromEnvironment(), DiscoveryInfo.ParticipantUserData());
        _badDiscovery = new CountedWarning("malformed ros_discovery_info sample", Log);
        var latched = QosProfiles.Latched;
        _discoveryWriter = Participant.CreateWriter(DiscoveryInfo.Topic, DiscoveryInfo.DdsTypeName, latched);
        // ros2cli's own reader of this topic keeps the last sample of every participant (keep_last 1 per writer).
        _discoveryReader = Participant.CreateReader(DiscoveryInfo.Topic, DiscoveryInfo.DdsTypeName, latched with { Depth = 100 }, OnDiscoveryInfo);
        PublishGraph();
    }

    public uint DomainId { get; }

    public RosDistro Distro { get; }

    public DdsParticipant Participant { get; }

    public Action<string> Log { get; }

    /// <summary>Nodes other processes announced on ros_discovery_info, with their participant's gid.</summary>
    public List<NodeEntities> RemoteNodes()
    {
        lock (_lock) return _remoteNodes.Values.SelectMany(v => v.Nodes).ToList();
    }

    /// <summary>This process's nodes as it announces them.</summary>
    public List<NodeEntities> LocalNodes()
    {
        lock (_lock) return _nodes.Select(n => n.Entities()).ToList();
    }

    internal void Add(RosNode node)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _nodes.Add(node);
        }
        PublishGraph();
    }

    internal void Remove(RosNode node)
    {
        lock (_lock)
        {
            if (!_nodes.Remove(node) || _disposed) return;
        }
        PublishGraph();
    }

    /// <summary>Announces the current nodes and endpoints; called whenever a node gains or loses one.</summary>
    internal void PublishGraph()
    {
        byte[] sample;
        lock (_lock)
        {
            if (_disposed) return;
            sample = DiscoveryInfo.Encode(Participant.Guid, _nodes.Select(n => n.Entities()).ToList(), Distro);
        }
        try
        {
            _discoveryWriter.Write(sample);
        }
        catch (DdsException e)
        {
            Log($"publishing ros_discovery_info failed: {e.Message}");
        }
    }

    private void OnDiscoveryInfo(ReceivedSample sample)
    {
        using (sample)
        {
            try
            {
                var (participant, nodes) = DiscoveryInfo.Decode(sample.Cdr, Distro);
                if (participant.AsSpan().SequenceEqual(Participant.Guid)) return;
                lock (_lock) _remoteNodes[Convert.ToHexString(participant)] = (participant, nodes);
            }
            catch (Exception e) when (e is Messages.Cdr.CdrFormatException or ArgumentException)
            {
                _badDiscovery.Report(e.Message);
            }
        }
    }

    public void Dispose()
    {
        RosNode[] nodes;
        lock (_lock)
        {
            if (_disposed) return;
            nodes = [.. _nodes];
        }
        foreach (var node in nodes) node.Dispose();
        lock (_lock) _disposed = true;
        _discoveryReader.Dispose();
        _discoveryWriter.Dispose();
        Participant.Dispose();
    }
}
