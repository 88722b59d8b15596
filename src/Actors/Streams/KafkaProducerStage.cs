using Akka.Streams;
using Akka.Streams.Stage;

namespace KafkaActors.Streams;

/// <summary>
/// The flows behind <see cref="KafkaFlow"/> and <see cref="TransactionalFlow"/>: a
/// <see cref="ProducerMessage{TKey,TValue,TPassThrough}"/> in, its outcome out (<typeparamref name="TOut"/>), in input
/// order. Holds only immutable configuration; <see cref="ProducerStageLogic{TIn,TKey,TValue,TOut}"/> (or, with
/// transactions, <see cref="TransactionalStageLogic{TIn,TKey,TValue,TOut}"/>) owns the mutable state.
/// </summary>
internal sealed class KafkaProducerStage<TKey, TValue, TPassThrough, TOut>
    : GraphStage<FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, TOut>>
{
    private readonly KafkaProducer<TKey, TValue> _producer;
    private readonly int _parallelism;
    private readonly Func<RecordMetadata, ProducerRecord<TKey, TValue>, ProducerMessage<TKey, TValue, TPassThrough>, TOut> _onSuccess;
    private readonly Func<Exception, ProducerRecord<TKey, TValue>, ProducerMessage<TKey, TValue, TPassThrough>, TOut>? _onFailure;
    private readonly StageTransactions<ProducerMessage<TKey, TValue, TPassThrough>>? _transactions;
    private readonly Inlet<ProducerMessage<TKey, TValue, TPassThrough>> _in;
    private readonly Outlet<TOut> _out;

    private KafkaProducerStage(
        KafkaProducer<TKey, TValue> producer,
        int parallelism,
        Func<RecordMetadata, ProducerRecord<TKey, TValue>, ProducerMessage<TKey, TValue, TPassThrough>, TOut> onSuccess,
        Func<Exception, ProducerRecord<TKey, TValue>, ProducerMessage<TKey, TValue, TPassThrough>, TOut>? onFailure,
        StageTransactions<ProducerMessage<TKey, TValue, TPassThrough>>? transactions = null)
    {
        _producer = producer;
        _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Must be positive.");
        _onSuccess = onSuccess;
        _onFailure = onFailure;
        _transactions = transactions;
        var name = transactions is null ? "KafkaProducer" : "TransactionalProducer";
        _in = new Inlet<ProducerMessage<TKey, TValue, TPassThrough>>(name + ".in");
        _out = new Outlet<TOut>(name + ".out");
        Shape = new FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, TOut>(_in, _out);
    }

    /// <summary>Emits results; a failed record fails the stage (or is dropped, with a warning, under Resume).</summary>
    public static KafkaProducerStage<TKey, TValue, TPassThrough, ProducerResult<TKey, TValue, TPassThrough>> StopOnFailure(KafkaProducer<TKey, TValue> producer, int parallelism) =>
        new(producer, parallelism, ResultOf, null);

    /// <summary>Emits results once their transaction committed; any failure aborts the open transaction and fails the stage.</summary>
    public static KafkaProducerStage<TKey, TValue, TPassThrough, ProducerResult<TKey, TValue, TPassThrough>> InTransactions(
        KafkaProducer<TKey, TValue> producer, int parallelism, StageTransactions<ProducerMessage<TKey, TValue, TPassThrough>> transactions) =>
        new(producer, parallelism, ResultOf, null, transactions);

    /// <summary>Emits every outcome, failures included.</summary>
    public static KafkaProducerStage<TKey, TValue, TPassThrough, IResultsWithError<TKey, TValue, TPassThrough>> EmitFailures(KafkaProducer<TKey, TValue> producer, int parallelism) =>
        new(producer, parallelism,
            ResultOf,
            static (error, record, message) => new PublicationFailedResult<TKey, TValue, TPassThrough>(error, record, message.PassThrough));

    private static ProducerResult<TKey, TValue, TPassThrough> ResultOf(RecordMetadata metadata, ProducerRecord<TKey, TValue> record, ProducerMessage<TKey, TValue, TPassThrough> message) =>
        new(metadata, record, message.PassThrough);

    public override FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, TOut> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName(_transactions is null ? "KafkaProducer" : "TransactionalProducer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => _transactions is null
        ? new ProducerStageLogic<ProducerMessage<TKey, TValue, TPassThrough>, TKey, TValue, TOut>(
            Shape, _in, _out, _producer, _parallelism, inheritedAttributes, static m => m.Record, _onSuccess, _onFailure, completion: null)
        : new TransactionalStageLogic<ProducerMessage<TKey, TValue, TPassThrough>, TKey, TValue, TOut>(
            Shape, _in, _out, _producer, _parallelism, inheritedAttributes, static m => m.Record, _onSuccess, completion: null, _transactions);
}
