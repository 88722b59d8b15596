using Akka;
using Akka.Streams.Dsl;
using KafkaActors.Serialization;
using KafkaActors.Settings;

namespace KafkaActors.Streams;

/// <summary>
/// The sink form of <see cref="TransactionalFlow"/> (Alpakka Kafka's <c>Transactional.sink</c>): its task completes
/// once upstream completed and the last transaction committed, or fails with the first error, after the open
/// transaction was aborted. The same rules apply (see <see cref="TransactionalFlow"/>). Stateless and thread-safe.
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
            StageTransactions<ProducerMessage<TKey, TValue, TPassThrough>>.For(producer, settings, TransactionalFlow.OfMessage<TKey, TValue, TPassThrough>(offsetOf), ownsProducer: false)));

    /// <summary>
    /// As <see cref="Create{TKey,TValue,TPassThrough}(KafkaProducer{TKey,TValue},TransactionalStreamSettings,Func{TPassThrough,PartitionOffset?},int)"/>,
    /// with a producer of the sink's own for each materialization (see <see cref="TransactionalFlow"/>'s overload with
    /// <see cref="ProducerSettings"/>); it closes once the stage stopped, just after the task completes.
    /// </summary>
    public static Sink<ProducerMessage<TKey, TValue, TPassThrough>, Task<Done>> Create<TKey, TValue, TPassThrough>(
        ProducerSettings producerSettings, TransactionalStreamSettings settings, Func<TPassThrough, PartitionOffset?>? offsetOf,
        ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null, int parallelism = KafkaFlow.DefaultParallelism) =>
        TransactionalFlow.Create(producerSettings, settings, offsetOf, keySerializer, valueSerializer, parallelism)
            .ToMaterialized(Sink.Ignore<ProducerResult<TKey, TValue, TPassThrough>>(), Keep.Right);
}
