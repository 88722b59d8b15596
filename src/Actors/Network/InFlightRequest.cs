using Akka.IO;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Network;

/// <summary>
/// A request written to the socket and not yet answered: what it was, when it left, and either the
/// batches it carries or the generic request to answer. It also holds what writing it takes (the envelope
/// buffer, the partitions and the gather segments), so its connection reuses it for a later request instead
/// of allocating all that per request: only once the answer is handled (the broker answers a whole request, so the
/// kernel has read the envelope and the batches), or, for acks=0, once Akka.IO has acknowledged the write. Owned by one ConnectionActor; not thread-safe.
/// </summary>
internal sealed class InFlightRequest
{
    private readonly List<ConnectionActor.SendBatch> _batches = new();
    private ArraySegment<byte>[] _segmentArray = [];
    private ProduceRequest? _produceRequest;

    public int CorrelationId { get; private set; }
    public ApiKey ApiKey { get; private set; }
    public short Version { get; private set; }
    public long SentMs { get; private set; }

    /// <summary>The send on the Stopwatch, for request latencies finer than a millisecond (<see cref="BrokerQueueEstimate"/>).</summary>
    public long SentTimestamp { get; private set; }

    /// <summary>False for acks=0 Produce requests: they complete when written.</summary>
    public bool ExpectsResponse { get; private set; }

    /// <summary>A Produce request's batches (this request's own list, filled by the connection); null for other requests.</summary>
    public List<ConnectionActor.SendBatch>? Batches { get; private set; }

    /// <summary>The generic request to answer; null for Produce and the connection's own requests.</summary>
    public ConnectionActor.Request? Request { get; private set; }

    /// <summary>Everything of the frame but the batches; kept (cleared) for the next request.</summary>
    public PooledBufferWriter Envelope { get; } = new();

    /// <summary>A Produce request's partitions, for <see cref="ProduceRequest"/>.</summary>
    public List<ProducePartitionData> Partitions { get; } = new();

    /// <summary>
    /// The Produce request over <see cref="Partitions"/>, made once: its settings are the connection's, which never
    /// change, and its partitions are this request's own list, refilled for each request.
    /// </summary>
    public ProduceRequest ProduceRequest(string? transactionalId, short acks, int timeoutMs) =>
        _produceRequest ??= new ProduceRequest(transactionalId, acks, timeoutMs, Partitions);

    /// <summary>The frame in order: slices of <see cref="Envelope"/> and the batches' own arrays.</summary>
    public List<ArraySegment<byte>> Segments { get; } = new();

    /// <summary>Known to be in the kernel: answered, or (acks=0) its write acknowledged by Akka.IO.</summary>
    public bool Written { get; set; }
    public bool Answered { get; set; }

    /// <summary>Throttle time (KIP-219) announced while this request was in flight: the broker holds it back that much longer.</summary>
    public long ThrottleMs { get; set; }

    public int RecordCount
    {
        get
        {
            var count = 0;
            if (Batches is { } batches)
                foreach (var b in batches) count += b.Batch.RecordCount;
            return count;
        }
    }

    /// <summary>Makes this (new or reused) request a Produce request: its batches are to be added to <see cref="Batches"/>.</summary>
    public void StartProduce() => Start(ApiKey.Produce, produce: true, request: null);

    /// <summary>Makes this (new or reused) request a generic one (<paramref name="request"/>) or, when null, one of the connection's own.</summary>
    public void StartOther(ApiKey apiKey, ConnectionActor.Request? request) => Start(apiKey, produce: false, request);

    /// <summary>Stamps the request as sent now, under <paramref name="correlationId"/>.</summary>
    public void Sent(int correlationId, short version, long sentMs, bool expectsResponse)
    {
        CorrelationId = correlationId;
        Version = version;
        SentMs = sentMs;
        SentTimestamp = System.Diagnostics.Stopwatch.GetTimestamp(); // per send: a request is reused
        ExpectsResponse = expectsResponse;
    }

    /// <summary>
    /// <see cref="Segments"/> as the bytes of one Tcp.Write. Akka takes an exact-length segment array as it is, so
    /// this request keeps one and refills it: no write of this request's is still being read when it is reused.
    /// </summary>
    public ByteString ToByteString()
    {
        if (_segmentArray.Length != Segments.Count) _segmentArray = new ArraySegment<byte>[Segments.Count];
        Segments.CopyTo(_segmentArray);
        return ByteString.FromBytes(_segmentArray);
    }

    /// <summary>Forgets the batches and requester (so they are not kept alive) before the request waits for reuse.</summary>
    public void Clear()
    {
        _batches.Clear();
        Batches = null;
        Request = null;
        Partitions.Clear();
        Segments.Clear();
        Array.Clear(_segmentArray);
    }

    private void Start(ApiKey apiKey, bool produce, ConnectionActor.Request? request)
    {
        Clear();
        ApiKey = apiKey;
        Batches = produce ? _batches : null;
        Request = request;
        Envelope.Clear();
        Written = false;
        Answered = false;
        ThrottleMs = 0;
    }
}
