using Akka.Actor;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

public sealed partial class ProducerActor<TKey, TValue>
{
    private readonly HashSet<IActorRef> _toldBufferFull = [];
    private SendQueues<TKey, TValue> _sendQueues = null!;

    private void OnProduce(ProducerRecord<TKey, TValue> record, IActorRef sender, bool acknowledge, object? correlation)
    {
        var known = sender is not null && !sender.IsNobody() && !sender.Equals(Context.System.DeadLetters);
        var completion = acknowledge && known ? new ActorDelivery(sender!, correlation) : null;
        if (record is null)
        {
            completion?.OnCompletion(new RecordMetadata("", -1, RecordMetadata.UnknownOffset, -1, -1, -1), new ArgumentNullException(nameof(record)));
            return;
        }
        var intercepted = _runtime.Interceptors.OnSend(record);
        if (_runtime.IsClosing)
        {
            _runtime.Pipeline.FailUnbatched(intercepted, intercepted.Partition ?? -1, completion,
                new ProducerClosedException("Cannot perform operation after producer has been closed."));
            return;
        }
        _sendQueues.Add(new WaitingSend<TKey, TValue>(intercepted, completion, MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs, fromFacade: false));
        if (known && _sendQueues.Count >= _runtime.Settings.TellBufferFullThreshold && _toldBufferFull.Add(sender!))
            sender!.Tell(BufferFull.Instance);
        SignalReady();
    }

    private void OnWaitingSend(WaitingSend<TKey, TValue> send)
    {
        _sendQueues.Add(send);
        SignalReady();
    }

    /// <summary>The end of BufferFull episodes once few told records wait.</summary>
    private void SignalReady()
    {
        if (_toldBufferFull.Count == 0 || _sendQueues.Count > _runtime.Settings.TellReadyThreshold) return;
        foreach (var sender in _toldBufferFull) sender.Tell(Ready.Instance);
        _toldBufferFull.Clear();
    }

    /// <summary>Records waiting may go now (metadata, a failed authentication or a fatal error changed what they wait for).</summary>
    private void ProcessPending()
    {
        _sendQueues.ProcessAll();
        SignalReady();
    }

    private void FailPending(Exception cause)
    {
        _sendQueues.FailAll(cause);
        SignalReady();
    }

    Exception? ITopicRouting.RouteRefusal(string topic) => TopicFailure(topic) ?? AuthenticationFailure;

    Task<TopicRoute> ITopicRouting.AwaitRoute(string topic, long deadlineMs) =>
        // The MetadataActor answers at the deadline itself (with the better message); the ask timeout is a backstop.
        _metadata.Ask<TopicRoute>(new AwaitRoute(topic, deadlineMs), TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - MonotonicClock.NowMs)) + TimeSpan.FromSeconds(1));

    void ITopicRouting.UseTopic(string topic) => UseTopic(topic);
}
