using Akka;
using Akka.Streams;
using Akka.Streams.Stage;

namespace KafkaActors.Streams;

/// <summary>
/// The sink behind <see cref="KafkaSink"/>: records in; the materialized task completes once every record
/// is acknowledged, or fails with the first error the supervision strategy does not resume.
/// </summary>
internal sealed class KafkaSinkStage<TKey, TValue>(KafkaProducer<TKey, TValue> producer, int parallelism)
    : GraphStageWithMaterializedValue<SinkShape<ProducerRecord<TKey, TValue>>, Task<Done>>
{
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Must be positive.");
    private readonly Inlet<ProducerRecord<TKey, TValue>> _in = new("KafkaSink.in");

    public override SinkShape<ProducerRecord<TKey, TValue>> Shape => new(_in);

    protected override Attributes InitialAttributes => Attributes.CreateName("KafkaSink");

    public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var completion = new TaskCompletionSource<Done>(TaskCreationOptions.RunContinuationsAsynchronously);
        var logic = new ProducerStageLogic<ProducerRecord<TKey, TValue>, TKey, TValue, NotUsed>(
            Shape, _in, null, producer, _parallelism, inheritedAttributes, r => r, _ => NotUsed.Instance, completion);
        return new LogicAndMaterializedValue<Task<Done>>(logic, completion.Task);
    }
}
