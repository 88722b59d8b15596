using Akka;
using Akka.Streams;
using Akka.Streams.Stage;

namespace KafkaActors.Streams;

/// <summary>
/// The sink behind <see cref="KafkaSink"/>: records in; the materialized task completes once every record
/// is acknowledged, or fails with the first error the supervision strategy does not resume. Holds only
/// immutable configuration.
/// </summary>
internal sealed class KafkaSinkStage<TKey, TValue> : GraphStageWithMaterializedValue<SinkShape<ProducerRecord<TKey, TValue>>, Task<Done>>
{
    private readonly KafkaProducer<TKey, TValue> _producer;
    private readonly int _parallelism;
    private readonly Inlet<ProducerRecord<TKey, TValue>> _in = new("KafkaSink.in");

    public KafkaSinkStage(KafkaProducer<TKey, TValue> producer, int parallelism)
    {
        _producer = producer;
        _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Must be positive.");
        Shape = new SinkShape<ProducerRecord<TKey, TValue>>(_in);
    }

    public override SinkShape<ProducerRecord<TKey, TValue>> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName("KafkaSink");

    public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var completion = new TaskCompletionSource<Done>(TaskCreationOptions.RunContinuationsAsynchronously);
        var logic = new ProducerStageLogic<ProducerRecord<TKey, TValue>, TKey, TValue, NotUsed>(
            Shape, _in, null, _producer, _parallelism, inheritedAttributes, static r => r, onSuccess: null, onFailure: null, completion);
        return new LogicAndMaterializedValue<Task<Done>>(logic, completion.Task);
    }
}
