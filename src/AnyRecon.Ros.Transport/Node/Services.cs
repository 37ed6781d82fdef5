using System.Collections.Concurrent;
using System.Text;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Cdr;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// ROS 2 services as rmw_cyclonedds carries them: requests on <c>rq/NAMERequest</c>, replies on <c>rr/NAMEReply</c>,
/// each body behind a 16-byte header (the client's id — its request writer's instance handle — and a sequence
/// number), and <c>clientid=</c>/<c>serviceid=</c> in the endpoints' USER_DATA so a server can tell which reply
/// reader belongs to which client.
/// </summary>
internal static class ServiceWire
{
    private static int s_nextId;

    /// <summary>A process-unique client/service id: the participant's GUID prefix and a big-endian counter, printed as rmw_cyclonedds prints it.</summary>
    public static string NewId(byte[] participantGuid)
    {
        var id = new byte[16];
        participantGuid.AsSpan(0, 12).CopyTo(id);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(id.AsSpan(12), (uint)Interlocked.Increment(ref s_nextId));
        var text = new StringBuilder(id[0].ToString("x2"));
        for (int i = 1; i < id.Length; i++) text.Append('.').Append(id[i].ToString("x"));
        return text.ToString();
    }

    public static (ulong Client, long Sequence, T Body) Read<T>(ReadOnlySpan<byte> cdr) where T : IRosMessage<T>
    {
        try
        {
            var reader = new CdrReader(cdr);
            ulong client = reader.ReadUInt64();
            long sequence = reader.ReadInt64();
            return (client, sequence, T.Deserialize(ref reader));
        }
        catch (CdrFormatException e)
        {
            throw e.WithType(T.RosName);
        }
    }
}

/// <summary>Answers requests of a ROS 2 service with <c>handler</c>, one at a time on the service's own task.</summary>
public sealed class ServiceServer<TRequest, TResponse> : IRosEndpoint
    where TRequest : IRosMessage<TRequest> where TResponse : IRosMessage<TResponse>
{
    private readonly RosNode _node;
    private readonly RawCdrWriter _replies;
    private readonly RawSubscription _requests;
    private readonly CountedWarning _failures;
    private long _served;

    internal ServiceServer(RosNode node, string name, Func<TRequest, TResponse> handler)
    {
        _node = node;
        Name = name;
        _failures = new CountedWarning($"service {name}", node.Log);
        var (requestTopic, replyTopic) = RosNames.DdsServiceTopics(name);
        string userData = $"serviceid={ServiceWire.NewId(node.Context.Participant.Guid)};";
        _replies = node.Context.Participant.CreateWriter(replyTopic, TResponse.DdsName, QosProfiles.Services, node.EndpointUserData(TResponse.TypeInfo.TypeHash, userData));
        _requests = new RawSubscription(node, name, TRequest.DdsName, TRequest.TypeInfo.TypeHash, QosProfiles.Services, (sample, _) =>
        {
            ulong client;
            long sequence;
            TRequest request;
            try
            {
                (client, sequence, request) = ServiceWire.Read<TRequest>(sample.Cdr);
            }
            catch (CdrFormatException e)
            {
                _failures.Report($"malformed request: {e.Message}");
                return;
            }
            TResponse response;
            try
            {
                response = handler(request);
            }
            catch (Exception e)
            {
                _failures.Report($"handler failed: {e.Message}");
                return;
            }
            // A client's reply reader may match a moment after its request writer (rmw_cyclonedds waits likewise).
            SpinWait.SpinUntil(() => _replies.MatchedReaders > 0, TimeSpan.FromSeconds(1));
            if (_replies.Write(response, client, sequence)) Interlocked.Increment(ref _served);
        }, requestTopic, node.EndpointUserData(TRequest.TypeInfo.TypeHash, userData));
    }

    public string Name { get; }

    public long Served => Interlocked.Read(ref _served);

    IEnumerable<byte[]> IRosEndpoint.ReaderGids => [_requests.Gid];

    IEnumerable<byte[]> IRosEndpoint.WriterGids => [_replies.Guid];

    public void Dispose()
    {
        _requests.Dispose();
        _replies.Dispose();
        _node.Unregister(this);
    }
}

/// <summary>Calls a ROS 2 service; replies are matched to calls by sequence number.</summary>
public sealed class ServiceClient<TRequest, TResponse> : IRosEndpoint
    where TRequest : IRosMessage<TRequest> where TResponse : IRosMessage<TResponse>
{
    private readonly RosNode _node;
    private readonly RawCdrWriter _requests;
    private readonly RawSubscription _replies;
    private readonly ulong _clientId;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<TResponse>> _pending = new();
    private readonly CountedWarning _malformed;
    private long _sequence;

    internal ServiceClient(RosNode node, string name)
    {
        _node = node;
        Name = name;
        _malformed = new CountedWarning($"service client {name}: malformed reply", node.Log);
        var (requestTopic, replyTopic) = RosNames.DdsServiceTopics(name);
        string userData = $"clientid={ServiceWire.NewId(node.Context.Participant.Guid)};";
        _requests = node.Context.Participant.CreateWriter(requestTopic, TRequest.DdsName, QosProfiles.Services, node.EndpointUserData(TRequest.TypeInfo.TypeHash, userData));
        _clientId = _requests.InstanceHandle;
        _replies = new RawSubscription(node, name, TResponse.DdsName, TResponse.TypeInfo.TypeHash, QosProfiles.Services, (sample, _) =>
        {
            try
            {
                var (client, sequence, response) = ServiceWire.Read<TResponse>(sample.Cdr);
                if (client == _clientId && _pending.TryRemove(sequence, out var call)) call.TrySetResult(response);
            }
            catch (CdrFormatException e)
            {
                _malformed.Report(e.Message);
            }
        }, replyTopic, node.EndpointUserData(TResponse.TypeInfo.TypeHash, userData));
    }

    public string Name { get; }

    /// <summary>Whether a server's request reader and reply writer are both matched.</summary>
    public bool IsServiceReady => _requests.MatchedReaders > 0 && _replies.MatchedPublishers > 0;

    public bool WaitForService(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SpinWait.SpinUntil(() => cancellationToken.IsCancellationRequested || IsServiceReady, timeout) && !cancellationToken.IsCancellationRequested;

    public async Task<TResponse> CallAsync(TRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long sequence = Interlocked.Increment(ref _sequence);
        var call = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[sequence] = call;
        try
        {
            if (!_requests.Write(request, _clientId, sequence)) throw new TimeoutException($"service {Name}: the request could not be sent (server not keeping up)");
            return await call.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!call.Task.IsCompleted)
        {
            throw new TimeoutException($"service {Name}: no reply within {timeout.TotalSeconds:0.###} s");
        }
        finally
        {
            _pending.TryRemove(sequence, out _);
        }
    }

    IEnumerable<byte[]> IRosEndpoint.ReaderGids => [_replies.Gid];

    IEnumerable<byte[]> IRosEndpoint.WriterGids => [_requests.Guid];

    public void Dispose()
    {
        _replies.Dispose();
        _requests.Dispose();
        foreach (var call in _pending.Values) call.TrySetCanceled();
        _node.Unregister(this);
    }
}
