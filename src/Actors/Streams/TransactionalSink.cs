using Akka;
using Akka.Streams.Dsl;

namespace KafkaActors.Streams;

/// <summary>
/// The sink form of <see cref="TransactionalFlow"/> (Alpakka Kafka's <c>Transactional.sink</c>): its task completes
/// once upstream completed and the last transaction committed, or fails with the first error, after the open
/// transaction was aborted. The same rules apply (see <see cref="TransactionalFlow"/>).
/// </summary>
public static class TransactionalSink
{
    /// <summary>Writes each message in a transaction; its pass-through, the consumed offset, is committed for <see cref="TransactionalStreamSettings.ConsumerGroup"/> (required) with it.</summary>
    public static Sink<ProducerMessage<TKey, TValue, PartitionOffset>, Task<Done>> Create<TKey, TValue>(
        KafkaProducer<TKey, TValue> producer, TransactionalStreamSettings settings, int parallelism = KafkaFlow.DefaultParallelism) =>
        Create<TKey, TValue, PartitionOffset>(producer, settings, static offset => offset, parallelism);

    /// <summary>As <see cref="Create{TKey,TValue}"/>, with <paramref name="offsetOf"/> giving a pass-through's consumed offset (null: none).</summary>
    public static Sink<ProducerMessage<TKey, TValue, TPassThrough>, Task<Done>> Create<TKey, TValue, TPassThrough>(
        KafkaProducer<TKey, TValue> producer, TransactionalStreamSettings settings, Func<TPassThrough, PartitionOffset?>? offsetOf,
        int parallelism = KafkaFlow.DefaultParallelism) =>
        Sink.FromGraph(new KafkaSinkStage<ProducerMessage<TKey, TValue, TPassThrough>, TKey, TValue>(
            producer, parallelism, static m => m.Record,
            StageTransactions<ProducerMessage<TKey, TValue, TPassThrough>>.For(producer, settings, TransactionalFlow.OfMessage<TKey, TValue, TPassThrough>(offsetOf))));
}
