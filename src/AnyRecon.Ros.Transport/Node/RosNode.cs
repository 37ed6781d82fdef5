using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages;

namespace AnyRecon.Ros.Transport;

/// <summary>A message type as the wire names it: ROS name, DDS name and (Jazzy) REP 2011 hash, if known.</summary>
public sealed record TopicType(string RosName, string DdsName, string? TypeHash)
{
    public static TopicType From(MessageTypeInfo type) => new(type.RosName, type.DdsName, type.TypeHash);

    /// <summary>A type known by name only (a bag's, a graph's): shipped types get their hash, others none.</summary>
    public static TopicType FromRosName(string rosType, string? typeHash = null) =>
        MessageTypeRegistry.TryGet(rosType, out var known) ? From(known)
            : new TopicType(rosType, RosNames.DdsTypeName(rosType), string.IsNullOrEmpty(typeHash) ? null : typeHash);
}

/// <summary>A topic on the graph as <c>ros2 topic list -t</c> shows it.</summary>
public sealed record TopicInfo(string Name, IReadOnlyList<string> Types, int Publishers, int Subscribers, IReadOnlyList<QosProfile> PublisherQos);

/// <summary>
/// A ROS 2 node: its name and namespace after <c>__node</c>/<c>__ns</c> remapping, its parameters (parameter files,
/// then <c>-p</c>), and its publishers, subscriptions, services and clients, whose names are expanded and remapped as
/// rcl does and whose QoS takes the <c>qos_overrides.*</c> parameters. Endpoints are announced on ros_discovery_info.
/// </summary>
public sealed class RosNode : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<IRosEndpoint> _endpoints = [];
    private readonly RosArguments _arguments;
    private readonly Dictionary<string, ParameterValue> _declared = new(StringComparer.Ordinal);
    private bool _disposed;

    public RosNode(RosContext context, string defaultName, RosArguments? arguments = null, string defaultNamespace = "/")
    {
        Context = context;
        _arguments = arguments ?? new RosArguments();
        (Name, Namespace) = _arguments.ResolveNode(defaultName, defaultNamespace);
        Parameters = ParameterFile.Effective(_arguments, Name, Namespace);
        Clock = new RosClock(Parameters.TryGetValue("use_sim_time", out var sim) && sim.Value is true);
        context.Add(this);
    }

    public RosContext Context { get; }

    public string Name { get; }

    public string Namespace { get; }

    public string FullyQualifiedName => Namespace == "/" ? "/" + Name : Namespace + "/" + Name;

    /// <summary>Parameters as the command line and parameter files set them (files first, <c>-p</c> wins).</summary>
    public IReadOnlyDictionary<string, ParameterValue> Parameters { get; }

    /// <summary>ROS time: system time, or /clock when <c>use_sim_time</c> is true (see <see cref="FollowSimTime"/>).</summary>
    public RosClock Clock { get; }

    public Action<string> Log => Context.Log;

    /// <summary>
    /// Declares a parameter with its default, as rclcpp's declare_parameter: the value set by a parameter file or
    /// <c>-p</c>, else <paramref name="defaultValue"/>. A value of another type is an error naming the parameter;
    /// an integer is accepted for a double.
    /// </summary>
    public T DeclareParameter<T>(string name, T defaultValue) where T : notnull => (T)DeclareParameter(name, (object)defaultValue);

    /// <summary>
    /// <see cref="DeclareParameter{T}"/> for a default known as an object: bool, long (or int), double, string, or an
    /// array of those; the value returned has the default's type.
    /// </summary>
    public object DeclareParameter(string name, object defaultValue)
    {
        object value = defaultValue;
        if (Parameters.TryGetValue(name, out var given))
        {
            value = (given.Value, defaultValue) switch
            {
                (long l, int) when l is >= int.MinValue and <= int.MaxValue => (int)l,
                (long l, double) => (double)l,
                (long[] l, double[]) => l.Select(v => (double)v).ToArray(),
                (var v, _) when v.GetType() == defaultValue.GetType() => v,
                _ => throw new ArgumentException($"parameter '{name}' is set to {given} ({TypeName(given.Value)}), but it is {TypeName(defaultValue)}"),
            };
        }
        lock (_lock) _declared[name] = new ParameterValue(value);
        return value;
    }

    /// <summary>Declared parameters with their values, for <c>ros2 param dump</c>-like reports.</summary>
    public IReadOnlyDictionary<string, ParameterValue> DeclaredParameters
    {
        get { lock (_lock) return new Dictionary<string, ParameterValue>(_declared); }
    }

    /// <summary>
    /// Parameters given for this node that nothing declared (a typo in a params file, an option of another version):
    /// each is logged once. QoS overrides and <c>use_sim_time</c> are read directly and never reported.
    /// </summary>
    public IReadOnlyList<string> WarnUndeclaredParameters()
    {
        List<string> unknown;
        lock (_lock)
        {
            unknown = Parameters.Keys.Where(k => !_declared.ContainsKey(k) && k != "use_sim_time" && !k.StartsWith("qos_overrides.", StringComparison.Ordinal)).Order().ToList();
        }
        foreach (var name in unknown) Log($"{FullyQualifiedName}: parameter '{name}' is not one this node has; it is ignored");
        return unknown;
    }

    private static string TypeName(object value) => value switch
    {
        bool => "a bool",
        long or int => "an integer",
        double => "a double",
        string => "a string",
        bool[] => "a bool array",
        long[] or int[] => "an integer array",
        double[] => "a double array",
        string[] => "a string array",
        _ => value.GetType().Name,
    };

    /// <summary>The fully qualified name of <paramref name="name"/> for this node (expanded, then remapped).</summary>
    public string ResolveName(string name) => _arguments.ResolveTopic(name, Name, Namespace);

    public Publisher<T> CreatePublisher<T>(string topic, QosProfile qos) where T : IRosMessage<T>
    {
        string resolved = ResolveName(topic);
        var writer = CreateWriter(resolved, TopicType.From(T.TypeInfo), qos);
        return Register(new Publisher<T>(this, resolved, writer));
    }

    /// <summary>A publisher of serialized messages of a type known at run time (bag play, topic pub).</summary>
    public RawPublisher CreateRawPublisher(string topic, TopicType type, QosProfile qos)
    {
        string resolved = ResolveName(topic);
        return Register(new RawPublisher(this, resolved, type, CreateWriter(resolved, type, qos)));
    }

    /// <summary>Calls <paramref name="callback"/> with each message in arrival order, on the subscription's own task.</summary>
    public Subscription<T> CreateSubscription<T>(string topic, QosProfile qos, Action<T, MessageInfo> callback) where T : IRosMessage<T>
    {
        string resolved = ResolveName(topic);
        qos = QosProfiles.ApplyOverrides(qos, resolved, EndpointKind.Subscription, Parameters);
        return Register(new Subscription<T>(this, resolved, T.TypeInfo.DdsName, T.TypeInfo.TypeHash, qos, callback));
    }

    /// <summary>Receives serialized messages of <paramref name="type"/> without decoding them (echo, record, hz).</summary>
    public RawSubscription CreateRawSubscription(string topic, TopicType type, QosProfile qos, Action<ReceivedSample, MessageInfo> callback)
    {
        string resolved = ResolveName(topic);
        qos = QosProfiles.ApplyOverrides(qos, resolved, EndpointKind.Subscription, Parameters);
        return Register(new RawSubscription(this, resolved, type.DdsName, type.TypeHash, qos, callback));
    }

    public ServiceServer<TRequest, TResponse> CreateService<TRequest, TResponse>(string name, Func<TRequest, TResponse> handler)
        where TRequest : IRosMessage<TRequest> where TResponse : IRosMessage<TResponse> =>
        Register(new ServiceServer<TRequest, TResponse>(this, ResolveName(name), handler));

    public ServiceClient<TRequest, TResponse> CreateClient<TRequest, TResponse>(string name)
        where TRequest : IRosMessage<TRequest> where TResponse : IRosMessage<TResponse> =>
        Register(new ServiceClient<TRequest, TResponse>(this, ResolveName(name)));

    /// <summary>
    /// Subscribes to /clock when <c>use_sim_time</c> is set, so <see cref="Clock"/> follows it; null otherwise.
    /// </summary>
    public Subscription<Messages.RosgraphMsgs.Clock>? FollowSimTime()
    {
        if (!Clock.UseSimTime) return null;
        // rclcpp's ClockQoS: keep_last 1, best effort — only the newest stamp matters.
        return CreateSubscription<Messages.RosgraphMsgs.Clock>("/clock", QosProfiles.Make(QosHistory.KeepLast, 1, QosReliability.BestEffort, QosDurability.Volatile),
            (clock, _) => Clock.OnClock(clock.ClockValue.Sec * 1_000_000_000L + clock.ClockValue.Nanosec));
    }

    /// <summary>Topics on the graph now (from DDS discovery), ROS topics only, sorted by name.</summary>
    public List<TopicInfo> Topics()
    {
        var byTopic = new SortedDictionary<string, (SortedSet<string> Types, int Subs, List<QosProfile> Pubs)>(StringComparer.Ordinal);
        foreach (var endpoint in Context.Participant.DiscoveredEndpoints())
        {
            if (RosNames.RosTopicName(endpoint.DdsTopic) is not string topic) continue;
            if (!byTopic.TryGetValue(topic, out var entry)) byTopic[topic] = entry = ([], 0, []);
            entry.Types.Add(RosNames.RosTypeName(endpoint.DdsType) ?? endpoint.DdsType);
            if (endpoint.IsWriter) entry.Pubs.Add(endpoint.Qos);
            else byTopic[topic] = entry with { Subs = entry.Subs + 1 };
        }
        return byTopic.Select(kv => new TopicInfo(kv.Key, [.. kv.Value.Types], kv.Value.Pubs.Count, kv.Value.Subs, kv.Value.Pubs)).ToList();
    }

    /// <summary>Waits until <paramref name="topic"/> (resolved) has a publisher on the graph; null on timeout or cancellation.</summary>
    public TopicInfo? WaitForTopic(string topic, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        string resolved = ResolveName(topic);
        TopicInfo? found = null;
        SpinWait.SpinUntil(() =>
        {
            if (cancellationToken.IsCancellationRequested) return true;
            found = Topics().FirstOrDefault(t => t.Name == resolved && t.Publishers > 0);
            if (found is null) Thread.Sleep(50);
            return found is not null;
        }, timeout);
        return found;
    }

    internal RawCdrWriter CreateWriter(string resolvedTopic, TopicType type, QosProfile qos)
    {
        qos = QosProfiles.ApplyOverrides(qos, resolvedTopic, EndpointKind.Publisher, Parameters);
        return Context.Participant.CreateWriter(RosNames.DdsTopic(resolvedTopic), type.DdsName, qos, EndpointUserData(type.TypeHash));
    }

    internal byte[] EndpointUserData(string? typeHash, string prefix = "") =>
        System.Text.Encoding.ASCII.GetBytes(prefix + (Context.Distro == RosDistro.Jazzy && typeHash is not null ? $"typehash={typeHash};" : ""));

    private TEndpoint Register<TEndpoint>(TEndpoint endpoint) where TEndpoint : IRosEndpoint
    {
        lock (_lock)
        {
            if (_disposed)
            {
                endpoint.Dispose();
                throw new ObjectDisposedException(nameof(RosNode));
            }
            _endpoints.Add(endpoint);
        }
        Context.PublishGraph();
        return endpoint;
    }

    internal void Unregister(IRosEndpoint endpoint)
    {
        bool removed;
        lock (_lock) removed = _endpoints.Remove(endpoint);
        if (removed) Context.PublishGraph();
    }

    internal NodeEntities Entities()
    {
        lock (_lock)
        {
            return new NodeEntities(Namespace, Name,
                _endpoints.SelectMany(e => e.ReaderGids).ToList(), _endpoints.SelectMany(e => e.WriterGids).ToList());
        }
    }

    public void Dispose()
    {
        IRosEndpoint[] endpoints;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            endpoints = [.. _endpoints];
            _endpoints.Clear();
        }
        foreach (var endpoint in endpoints) endpoint.Dispose();
        Context.Remove(this);
    }
}

/// <summary>Something a node owns on the graph, with the DDS readers and writers that make it up.</summary>
public interface IRosEndpoint : IDisposable
{
    IEnumerable<byte[]> ReaderGids { get; }

    IEnumerable<byte[]> WriterGids { get; }
}
