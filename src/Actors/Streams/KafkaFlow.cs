using Akka;
using Akka.Streams.Dsl;

namespace KafkaActors.Streams;

/// <summary>
/// Akka.Streams entry points to a <see cref="KafkaProducer{TKey,TValue}"/>. Demand is driven by the
/// producer's buffer.memory: the stages pull only when a record could be appended, so a slow cluster
/// back-pressures the stream instead of filling memory.
/// </summary>
public static class KafkaFlow
{
    /// <summary>Default bound on records accepted but not yet acknowledged by one stage.</summary>
    public const int DefaultParallelism = 10_000;

    /// <summary>
    /// Produces each message and emits its result with the pass-through, in input order. A failed record
    /// fails the stream, unless the supervision strategy says Resume (or Restart): then the record is dropped,
    /// with a warning in the log and in record-error-total, and the stream goes on, as in Alpakka Kafka. To
    /// keep failed records in the stream, use <see cref="CreateWithErrors{TKey,TValue,TPassThrough}"/>.
    /// </summary>
    public static Flow<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>, NotUsed> Create<TKey, TValue, TPassThrough>(
        KafkaProducer<TKey, TValue> producer, int parallelism = DefaultParallelism) =>
        Flow.FromGraph(KafkaProducerStage<TKey, TValue, TPassThrough, ProducerResult<TKey, TValue, TPassThrough>>.StopOnFailure(producer, parallelism));

    /// <summary>
    /// Produces each message and emits its outcome with the pass-through, in input order: a
    /// <see cref="ProducerResult{TKey,TValue,TPassThrough}"/> for a written record, a
    /// <see cref="PublicationFailedResult{TKey,TValue,TPassThrough}"/> for a failed one, whatever failed it
    /// (serializer, partitioner, size checks, metadata, the broker). Failed records neither stop the stream
    /// nor disappear; only a closed producer fails it.
    /// </summary>
    public static Flow<ProducerMessage<TKey, TValue, TPassThrough>, IResultsWithError<TKey, TValue, TPassThrough>, NotUsed> CreateWithErrors<TKey, TValue, TPassThrough>(
        KafkaProducer<TKey, TValue> producer, int parallelism = DefaultParallelism) =>
        Flow.FromGraph(KafkaProducerStage<TKey, TValue, TPassThrough, IResultsWithError<TKey, TValue, TPassThrough>>.EmitFailures(producer, parallelism));
}
