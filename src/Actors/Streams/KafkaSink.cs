using Akka;
using Akka.Streams.Dsl;

namespace KafkaActors.Streams;

/// <summary>A sink of records: its task completes once every record is acknowledged, or fails with the first error.</summary>
public static class KafkaSink
{
    public static Sink<ProducerRecord<TKey, TValue>, Task<Done>> Create<TKey, TValue>(
        KafkaProducer<TKey, TValue> producer, int parallelism = KafkaFlow.DefaultParallelism) =>
        Sink.FromGraph(new KafkaSinkStage<ProducerRecord<TKey, TValue>, TKey, TValue>(producer, parallelism, static r => r, transactions: null));
}
