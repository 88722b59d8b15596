using Akka.Actor;
using KafkaActors.Accumulator;
using KafkaActors.Interceptors;
using KafkaActors.Metrics;
using KafkaActors.Protocol.Records;
using KafkaActors.Settings;

namespace KafkaActors.Partition;

/// <summary>
/// What every partition actor of one producer shares: settings it reads, and the producer-wide objects it reports to
/// (shared, so that each of thousands of partitions need not hold its own). Immutable.
/// </summary>
internal sealed class PartitionContext(RecordAccumulator accumulator, ProducerMetrics metrics, IAcknowledgementInterceptor? interceptor, IActorRef metadataActor,
    Action<Exception> onCallbackError)
{
    public RecordAccumulator Accumulator { get; } = accumulator;
    public ProducerMetrics Metrics { get; } = metrics;
    public IAcknowledgementInterceptor? Interceptor { get; } = interceptor;
    public IActorRef MetadataActor { get; } = metadataActor;

    /// <summary>Logs an exception a delivery callback threw; the other records are unaffected.</summary>
    public Action<Exception> OnCallbackError { get; } = onCallbackError;

    private ProducerSettings Settings => Accumulator.Settings;
    public bool Idempotent => Settings.EnableIdempotence;
    public bool Transactional => Settings.IsTransactional;
    public int MaxInFlight => Settings.MaxInFlightRequestsPerConnection;
    public long LingerMs => Settings.LingerMs;
    public int BatchSize => Settings.BatchSize;
    public CompressionType Compression => Settings.CompressionType;
    public int CompressionLevel => Settings.CompressionLevel;
    public int Retries => Settings.Retries;
    public long DeliveryTimeoutMs => Settings.DeliveryTimeoutMs;
    public long RetryBackoffMs => Settings.RetryBackoffMs;
    public long RetryBackoffMaxMs => Settings.RetryBackoffMaxMs;
}
