using Akka;
using Akka.Streams.Dsl;

namespace KafkaActors.Streams;

/// <summary>
/// Akka.Streams entry points to a <see cref="KafkaProducer{TKey,TValue}"/>. Demand is driven by the
/// producer's buffer.memory: the stages pull only when a record could be appended, so a slow cluster
/// back-pressures the stream instead of filling memory. A failed record fails the stream unless the
/// supervision strategy says Resume (then its result is dropped).
/// </summary>
public static class KafkaFlow
{
    /// <summary>Default bound on records accepted but not yet acknowledged by one stage.</summary>
    public const int DefaultParallelism = 10_000;

    /// <summary>Produces each message and emits its result with the pass-through, in input order.</summary>
    public static Flow<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>, NotUsed> Create<TKey, TValue, TPassThrough>(
        KafkaProducer<TKey, TValue> producer, int parallelism = DefaultParallelism) =>
        Flow.FromGraph(new KafkaProducerStage<TKey, TValue, TPassThrough>(producer, parallelism));
}
