using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaActors.Protocol;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Every request the fronts received and every response they sent, with Stopwatch timestamps, for tests that ask what
/// reached a broker and when (a gap after a throttle, the topics of Metadata requests, which listener was asked).
/// </summary>
/// <remarks>
/// Owned by one <see cref="SecureEmbeddedKafka"/> (<see cref="SecureEmbeddedKafka.RequestLog"/>). Thread-safe: every
/// connection appends from its own loops, tests read snapshots. Entries are kept in the order they were logged, which
/// within one connection is arrival order; across connections compare <see cref="FrontRequest.ArrivedTicks"/>. It keeps
/// the latest <see cref="Capacity"/> requests and as many responses, dropping the oldest, so a long fault run cannot
/// exhaust memory; no frame bytes are kept.
/// </remarks>
public sealed class FrontRequestLog
{
    /// <summary>How many requests (and, separately, responses) the log keeps by default.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentQueue<FrontRequest> _requests = new();
    private readonly ConcurrentQueue<FrontResponse> _responses = new();
    private int _requestCount;
    private int _responseCount;

    internal FrontRequestLog(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most requests, and the most responses, kept.</summary>
    public int Capacity { get; }

    /// <summary>A snapshot of the requests received, on all listeners.</summary>
    public IReadOnlyList<FrontRequest> Requests => _requests.ToArray();

    /// <summary>A snapshot of the responses sent, on all listeners.</summary>
    public IReadOnlyList<FrontResponse> Responses => _responses.ToArray();

    /// <summary>A snapshot of the requests <paramref name="listener"/> received.</summary>
    public IReadOnlyList<FrontRequest> RequestsTo(FrontListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        return _requests.Where(r => r.ListenerPort == listener.Port).ToArray();
    }

    /// <summary>A snapshot of the requests broker <paramref name="brokerId"/> received, through any of its listeners.</summary>
    public IReadOnlyList<FrontRequest> RequestsTo(int brokerId) => _requests.Where(r => r.BrokerId == brokerId).ToArray();

    /// <summary>Forgets everything logged so far.</summary>
    public void Clear()
    {
        while (_requests.TryDequeue(out _)) Interlocked.Decrement(ref _requestCount);
        while (_responses.TryDequeue(out _)) Interlocked.Decrement(ref _responseCount);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{_requests.Count} request(s), {_responses.Count} response(s)";

    /// <summary>Logs a request as it arrived; Metadata requests with their topic names.</summary>
    internal void RequestArrived(int brokerId, int listenerPort, long connectionId, in KafkaRequestFrame frame)
    {
        var arrived = Stopwatch.GetTimestamp();
        IReadOnlyList<string>? topics = null;
        if (frame.ApiKey == (short)ApiKey.Metadata)
        {
            try
            {
                topics = MetadataRequestReader.ReadTopics(in frame);
            }
            catch (Exception e) when (e is KafkaProtocolException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                // The mock rejects it; the log keeps that it came.
            }
        }
        Add(_requests, ref _requestCount,
            new FrontRequest(brokerId, listenerPort, connectionId, frame.ApiKey, frame.ApiVersion, frame.CorrelationId, arrived, topics));
    }

    /// <summary>Logs a response about to be written to the client.</summary>
    internal void ResponseSent(int brokerId, int listenerPort, long connectionId, short apiKey, int correlationId, int throttleTimeMs) =>
        Add(_responses, ref _responseCount,
            new FrontResponse(brokerId, listenerPort, connectionId, apiKey, correlationId, Stopwatch.GetTimestamp(), throttleTimeMs));

    private void Add<T>(ConcurrentQueue<T> queue, ref int count, T entry)
    {
        queue.Enqueue(entry);
        if (Interlocked.Increment(ref count) <= Capacity) return;
        if (queue.TryDequeue(out _)) Interlocked.Decrement(ref count);
    }
}
