using Akka;
using Akka.Streams.Dsl;
using KafkaActors.Serialization;
using KafkaActors.Settings;

namespace KafkaActors.Streams;

/// <summary>
/// Exactly-once Akka.Streams entry points, after Alpakka Kafka's <c>Transactional.flow</c>: messages are written in
/// transactions of a transactional producer (transactional.id set), each committed after
/// <see cref="TransactionalStreamSettings.CommitEveryRecords"/> records or <see cref="TransactionalStreamSettings.CommitInterval"/>,
/// whichever comes first, with the consumed offsets the messages carry. A read_committed consumer sees a message's
/// record exactly when its consumed offset is committed too. Stateless and thread-safe; each materialization has its own state.
/// </summary>
/// <remarks>
/// The stage has the producer to itself while it runs: it calls InitTransactions when the producer is not yet
/// initialized, and fails if another transaction is open. Upstream is back-pressured while a transaction commits.
/// Any failure aborts the open transaction, then fails the stream, whatever the supervision strategy; when upstream
/// completes, the open transaction is committed. A producer left Ready (after a commit or an abort) can run the
/// stream again, e.g. under a RestartFlow.
/// </remarks>
public static class TransactionalFlow
{
    /// <summary>
    /// Writes each message in a transaction and emits its result with the pass-through, in input order, once the
    /// transaction committed. Each pass-through is the consumed record's offset, committed for
    /// <see cref="TransactionalStreamSettings.ConsumerGroup"/> (required) with the transaction.
    /// </summary>
    public static Flow<ProducerMessage<TKey, TValue, PartitionOffset>, ProducerResult<TKey, TValue, PartitionOffset>, NotUsed> Create<TKey, TValue>(
        KafkaProducer<TKey, TValue> producer, TransactionalStreamSettings settings, int parallelism = KafkaFlow.DefaultParallelism) =>
        Create<TKey, TValue, PartitionOffset>(producer, settings, static offset => offset, parallelism);

    /// <summary>
    /// As <see cref="Create{TKey,TValue}"/>, with a pass-through of yours: <paramref name="offsetOf"/> gives its
    /// consumed offset (null for none; null <paramref name="offsetOf"/>: messages carry no offsets, and no group is needed).
    /// </summary>
    public static Flow<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>, NotUsed> Create<TKey, TValue, TPassThrough>(
        KafkaProducer<TKey, TValue> producer, TransactionalStreamSettings settings, Func<TPassThrough, PartitionOffset?>? offsetOf,
        int parallelism = KafkaFlow.DefaultParallelism) =>
        Stage(producer, settings, offsetOf, parallelism, ownsProducer: false);

    private static Flow<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>, NotUsed> Stage<TKey, TValue, TPassThrough>(
        KafkaProducer<TKey, TValue> producer, TransactionalStreamSettings settings, Func<TPassThrough, PartitionOffset?>? offsetOf, int parallelism, bool ownsProducer) =>
        Flow.FromGraph(KafkaProducerStage<TKey, TValue, TPassThrough, ProducerResult<TKey, TValue, TPassThrough>>.InTransactions(
            producer, parallelism, StageTransactions<ProducerMessage<TKey, TValue, TPassThrough>>.For(producer, settings, OfMessage<TKey, TValue, TPassThrough>(offsetOf), ownsProducer)));

    /// <summary>
    /// As <see cref="Create{TKey,TValue,TPassThrough}(KafkaProducer{TKey,TValue},TransactionalStreamSettings,Func{TPassThrough,PartitionOffset?},int)"/>,
    /// with a producer of the flow's own, as Alpakka Kafka's: each materialization creates one from
    /// <paramref name="producerSettings"/> (which must have a transactional.id) in the materializer's ActorSystem, and closes
    /// it when the stage stops. Against a real broker a new materialization fences an older one with the same
    /// transactional.id (Kafka's zombie fencing), so a restarted stream never races its predecessor.
    /// </summary>
    public static Flow<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>, NotUsed> Create<TKey, TValue, TPassThrough>(
        ProducerSettings producerSettings, TransactionalStreamSettings settings, Func<TPassThrough, PartitionOffset?>? offsetOf,
        ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null, int parallelism = KafkaFlow.DefaultParallelism)
    {
        ArgumentNullException.ThrowIfNull(producerSettings);
        ArgumentNullException.ThrowIfNull(settings);
        if (!producerSettings.IsTransactional)
            throw new ArgumentException("A transactional stage needs producer settings with a transactional.id.", nameof(producerSettings));
        settings.Validate(withOffsets: offsetOf is not null);
        return Flow.Setup<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>, NotUsed>((materializer, _) =>
            Stage(new KafkaProducer<TKey, TValue>(producerSettings, keySerializer, valueSerializer, materializer.System), settings, offsetOf, parallelism, ownsProducer: true))
            .MapMaterializedValue(static _ => NotUsed.Instance);
    }

    /// <summary>The offset extractor on the message, from one on its pass-through.</summary>
    internal static Func<ProducerMessage<TKey, TValue, TPassThrough>, PartitionOffset?>? OfMessage<TKey, TValue, TPassThrough>(Func<TPassThrough, PartitionOffset?>? offsetOf) =>
        offsetOf is null ? null : message => offsetOf(message.PassThrough);
}
