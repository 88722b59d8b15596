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

/// <summary>A sink of records: its task completes once every record is acknowledged, or fails with the first error.</summary>
public static class KafkaSink
{
    public static Sink<ProducerRecord<TKey, TValue>, Task<Done>> Create<TKey, TValue>(
        KafkaProducer<TKey, TValue> producer, int parallelism = KafkaFlow.DefaultParallelism) =>
        Flow.Create<ProducerRecord<TKey, TValue>>()
            .Select(record => new ProducerMessage<TKey, TValue, NotUsed>(record, NotUsed.Instance))
            .Via(KafkaFlow.Create<TKey, TValue, NotUsed>(producer, parallelism))
            .ToMaterialized(Sink.Ignore<ProducerResult<TKey, TValue, NotUsed>>(), Keep.Right)
            .Named("KafkaSink");
}
