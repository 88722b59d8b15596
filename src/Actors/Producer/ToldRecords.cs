using System.Diagnostics;
using Akka.Actor;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Tracing;
using KafkaActors.Transactions;

namespace KafkaActors.Producer;

/// <summary>
/// The ProducerActor's handler for records told to it (<see cref="ProducerRecord{TKey,TValue}"/> or
/// <see cref="Produce{TKey,TValue}"/>): each goes through the interceptors into the <see cref="SendQueues{TKey,TValue}"/>,
/// and senders are told <see cref="BufferFull"/> when many records wait, then <see cref="Ready"/> once few do.
/// Owned by that actor: not thread-safe.
/// </summary>
internal sealed class ToldRecords<TKey, TValue>(ProducerRuntime<TKey, TValue> runtime, SendQueues<TKey, TValue> sendQueues, IActorRef deadLetters)
{
    private readonly HashSet<IActorRef> _toldBufferFull = [];

    /// <summary>
    /// A told record. Its span (while someone listens) is parented to <paramref name="parent"/>, the context the
    /// teller's <see cref="Produce{TKey,TValue}"/> captured: this actor's thread carries none of the teller's.
    /// </summary>
    public void OnProduce(ProducerRecord<TKey, TValue> record, IActorRef sender, bool acknowledge, object? correlation, ActivityContext parent)
    {
        var known = sender is not null && !sender.IsNobody() && !sender.Equals(deadLetters);
        object? completion = acknowledge && known ? new ActorDelivery(sender!, correlation) : null;
        if (record is null)
        {
            (completion as ActorDelivery)?.OnCompletion(new RecordMetadata("", -1, RecordMetadata.UnknownOffset, -1, -1, -1), new ArgumentNullException(nameof(record)));
            return;
        }
        var intercepted = runtime.Interceptors.OnSend(record);
        if (ProducerTracing.Source.HasListeners()) completion = ProducerTracing.StartSend(intercepted, completion, runtime.ClientId, parent, explicitParent: true);
        if (runtime.IsClosing)
        {
            runtime.Pipeline.FailUnbatched(intercepted, intercepted.Partition ?? -1, completion,
                new ProducerClosedException("Cannot perform operation after producer has been closed."));
            return;
        }
        if (runtime.Transactions is { } transactions && !IsInTransaction(transactions, intercepted, completion)) return;
        sendQueues.Add(new WaitingSend<TKey, TValue>(intercepted, completion, MonotonicClock.NowMs + runtime.Settings.MaxBlockMs, fromFacade: false));
        if (known && sendQueues.Count >= runtime.Settings.TellBufferFullThreshold && _toldBufferFull.Add(sender!))
            sender!.Tell(BufferFull.Instance);
        SignalReady();
    }

    /// <summary>A told record outside an open transaction fails with the TransactionStateException that says why.</summary>
    private bool IsInTransaction(TransactionStateMachine transactions, ProducerRecord<TKey, TValue> record, object? completion)
    {
        try
        {
            transactions.EnsureSendAllowed();
            return true;
        }
        catch (KafkaException e)
        {
            runtime.Pipeline.FailUnbatched(record, record.Partition ?? -1, completion, e);
            return false;
        }
    }

    /// <summary>The end of BufferFull episodes once few told records wait: called after anything that may shrink the send queues.</summary>
    public void SignalReady()
    {
        if (_toldBufferFull.Count == 0 || sendQueues.Count > runtime.Settings.TellReadyThreshold) return;
        foreach (var sender in _toldBufferFull) sender.Tell(Ready.Instance);
        _toldBufferFull.Clear();
    }
}
