using Akka.Streams;
using Akka.Streams.Stage;

namespace KafkaActors.Streams;

/// <summary>
/// The flow behind <see cref="KafkaFlow"/>: a <see cref="ProducerMessage{TKey,TValue,TPassThrough}"/> in, its
/// <see cref="ProducerResult{TKey,TValue,TPassThrough}"/> out, in input order. Holds only configuration;
/// <see cref="ProducerStageLogic{TIn,TKey,TValue,TPassThrough}"/> owns the mutable state.
/// </summary>
internal sealed class KafkaProducerStage<TKey, TValue, TPassThrough>(KafkaProducer<TKey, TValue> producer, int parallelism)
    : GraphStage<FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>>>
{
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Must be positive.");
    private readonly Inlet<ProducerMessage<TKey, TValue, TPassThrough>> _in = new("KafkaProducer.in");
    private readonly Outlet<ProducerResult<TKey, TValue, TPassThrough>> _out = new("KafkaProducer.out");

    public override FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>> Shape => new(_in, _out);

    protected override Attributes InitialAttributes => Attributes.CreateName("KafkaProducer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new ProducerStageLogic<ProducerMessage<TKey, TValue, TPassThrough>, TKey, TValue, TPassThrough>(
            Shape, _in, _out, producer, _parallelism, inheritedAttributes, m => m.Record, m => m.PassThrough, completion: null);
}
