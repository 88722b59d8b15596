using KafkaActors.Protocol;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Network;

/// <summary>
/// A request written to the socket and not yet answered: what it was, when it left, and either the
/// batches it carries or the generic request to answer. Its envelope buffer lives until Akka.IO
/// confirms the write, since the kernel may still be reading it.
/// </summary>
internal sealed class InFlightRequest(int correlationId, ApiKey apiKey, short version, long sentMs, bool expectsResponse)
{
    public int CorrelationId { get; } = correlationId;
    public ApiKey ApiKey { get; } = apiKey;
    public short Version { get; } = version;
    public long SentMs { get; } = sentMs;

    /// <summary>The send on the Stopwatch, for request latencies finer than a millisecond (<see cref="BrokerQueueEstimate"/>).</summary>
    public long SentTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>False for acks=0 Produce requests: they complete when written.</summary>
    public bool ExpectsResponse { get; } = expectsResponse;

    public List<ConnectionActor.SendBatch>? Batches { get; init; }
    public ConnectionActor.Request? Request { get; init; }
    public PooledBufferWriter? Envelope { get; set; }
    public bool Written { get; set; }
    public bool Answered { get; set; }

    /// <summary>Throttle time (KIP-219) announced while this request was in flight: the broker holds it back that much longer.</summary>
    public long ThrottleMs { get; set; }

    public int RecordCount => Batches?.Sum(b => b.Batch.RecordCount) ?? 0;
}
