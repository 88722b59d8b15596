using Akka;
using Akka.Streams;
using Akka.Streams.Stage;

namespace KafkaActors.Streams;

/// <summary>
/// The sinks behind <see cref="KafkaSink"/> (records in) and <see cref="TransactionalSink"/> (messages in,
/// written in transactions): the materialized task completes once every record is acknowledged (and, in
/// transactions, committed), or fails with the first error that stops the stage. Holds only immutable configuration.
/// </summary>
internal sealed class KafkaSinkStage<TIn, TKey, TValue> : GraphStageWithMaterializedValue<SinkShape<TIn>, Task<Done>>
{
    private readonly KafkaProducer<TKey, TValue> _producer;
    private readonly int _parallelism;
    private readonly Func<TIn, ProducerRecord<TKey, TValue>> _recordOf;
    private readonly StageTransactions<TIn>? _transactions;
    private readonly Inlet<TIn> _in;

    public KafkaSinkStage(KafkaProducer<TKey, TValue> producer, int parallelism, Func<TIn, ProducerRecord<TKey, TValue>> recordOf, StageTransactions<TIn>? transactions)
    {
        _producer = producer;
        _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Must be positive.");
        _recordOf = recordOf;
        _transactions = transactions;
        _in = new Inlet<TIn>(transactions is null ? "KafkaSink.in" : "TransactionalSink.in");
        Shape = new SinkShape<TIn>(_in);
    }

    public override SinkShape<TIn> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName(_transactions is null ? "KafkaSink" : "TransactionalSink");

    public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var completion = new TaskCompletionSource<Done>(TaskCreationOptions.RunContinuationsAsynchronously);
        GraphStageLogic logic = _transactions is null
            ? new ProducerStageLogic<TIn, TKey, TValue, NotUsed>(
                Shape, _in, null, _producer, _parallelism, inheritedAttributes, _recordOf, onSuccess: null, onFailure: null, completion)
            : new TransactionalStageLogic<TIn, TKey, TValue, NotUsed>(
                Shape, _in, null, _producer, _parallelism, inheritedAttributes, _recordOf, onSuccess: null, completion, _transactions);
        return new LogicAndMaterializedValue<Task<Done>>(logic, completion.Task);
    }
}
