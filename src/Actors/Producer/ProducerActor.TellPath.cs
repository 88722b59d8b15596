using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

public sealed partial class ProducerActor<TKey, TValue>
{
    private readonly Queue<PendingSend<TKey, TValue>> _pending = new();
    private readonly HashSet<IActorRef> _toldBufferFull = [];
    private bool _awaitingMemory;
    private byte[]? _granted;

    private void OnProduce(ProducerRecord<TKey, TValue> record, IActorRef sender, bool acknowledge, object? correlation)
    {
        var intercepted = _runtime.Interceptors.OnSend(record);
        var known = sender is not null && !sender.IsNobody() && !sender.Equals(Context.System.DeadLetters);
        var completion = acknowledge && known ? new ActorDelivery(sender!, correlation) : null;
        var item = new PendingSend<TKey, TValue>(intercepted, completion, null, MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs, false, default);
        if (_runtime.IsClosing)
        {
            Fail(item, new ProducerClosedException("Cannot perform operation after producer has been closed."));
            return;
        }
        _pending.Enqueue(item);
        ProcessPending();
        if (known && _pending.Count >= _runtime.Settings.TellBufferFullThreshold && _toldBufferFull.Add(sender!))
            sender!.Tell(BufferFull.Instance);
    }

    private void OnFacadeSend(FacadeSend send)
    {
        _pending.Enqueue(new PendingSend<TKey, TValue>((ProducerRecord<TKey, TValue>)send.Record, send.Completion, null, send.DeadlineMs, true, send.Cancellation));
        ProcessPending();
    }

    private void OnFlush(IActorRef replyTo)
    {
        _pending.Enqueue(new PendingSend<TKey, TValue>(null, null, replyTo, long.MaxValue, false, default));
        ProcessPending();
    }

    /// <summary>Sends waiting records in order until one has to wait for metadata or memory.</summary>
    private void ProcessPending()
    {
        while (!_awaitingMemory && _pending.TryPeek(out var head))
        {
            if (head.IsFlush)
            {
                Dequeue();
                if (IsCloseMarker(head)) BeginClosingFlush();
                else Flusher.FlushAsync(Accumulator).PipeTo(head.FlushReplyTo!, success: () => Flushed.Instance);
                continue;
            }
            if (!TrySendHead(head)) break;
            Dequeue();
        }
        if (_pending.Count == 0 && _granted is not null)
        {
            Accumulator.Pool.Deallocate(_granted);
            _granted = null;
        }
        if (_toldBufferFull.Count > 0 && _pending.Count <= _runtime.Settings.TellReadyThreshold)
        {
            foreach (var sender in _toldBufferFull) sender.Tell(Ready.Instance);
            _toldBufferFull.Clear();
        }
    }

    private void Dequeue()
    {
        if (_pending.Dequeue().FromFacade) _runtime.FacadeSendDone();
    }

    /// <summary>True when the record is done with (appended or failed); false when it must wait.</summary>
    private bool TrySendHead(PendingSend<TKey, TValue> item)
    {
        var record = item.Record!;
        var pipeline = _runtime.Pipeline;
        try
        {
            if (item.Cancellation.IsCancellationRequested) throw new InterruptException("The send was cancelled while waiting for metadata or buffer memory.");
            pipeline.ThrowIfCannotAppend();
            TopicName.Validate(record.Topic);
            if (!Accumulator.TryGetRoute(record.Topic, out var route))
            {
                if (TopicFailure(record.Topic) is { } refused) throw refused;
                if (AuthenticationFailure is { } unauthenticated) throw unauthenticated;
                var now = MonotonicClock.NowMs;
                if (now >= item.DeadlineMs) throw MetadataTimeout(record.Topic);
                UseTopic(record.Topic);
                Timers.StartSingleTimer(nameof(PendingDeadline), PendingDeadline.Instance, TimeSpan.FromMilliseconds(item.DeadlineMs - now));
                return false;
            }

            pipeline.Prepare(record, route, out var prepared);
            var buffer = _granted;
            _granted = null;
            if (!pipeline.TryAppend(record.Topic, ref prepared, item.Completion, ref buffer))
            {
                var size = pipeline.BufferSizeFor(prepared);
                buffer ??= Accumulator.Pool.TryAllocate(size);
                if (buffer is null || !pipeline.TryAppend(record.Topic, ref prepared, item.Completion, ref buffer))
                {
                    _granted = buffer;
                    WaitForMemory(size, item.DeadlineMs);
                    return false;
                }
            }
            if (buffer is not null) Accumulator.Pool.Deallocate(buffer);
            return true;
        }
        catch (Exception e) when (e is KafkaException or ArgumentException)
        {
            // Nobody to throw to here: every failure becomes the record's outcome.
            Fail(item, e);
            return true;
        }
    }

    private void Fail(PendingSend<TKey, TValue> item, Exception error)
    {
        var record = item.Record!;
        _runtime.Metrics.RecordError(1);
        _runtime.Interceptors.OnSendError(record, record.Partition ?? -1, error);
        var metadata = new RecordMetadata(record.Topic, record.Partition ?? -1, RecordMetadata.UnknownOffset, -1, -1, -1);
        DeliveryCompletion.Complete(item.Completion, metadata, error, null, e => _log.Warning(e, "A delivery callback threw."));
    }

    /// <summary>Memory is out: the head record waits (up to max.block.ms) without blocking this actor.</summary>
    private void WaitForMemory(int size, long deadlineMs)
    {
        _awaitingMemory = true;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - MonotonicClock.NowMs));
        Accumulator.Pool.AllocateAsync(size, wait).PipeTo(Self,
            success: buffer => new MemoryGranted(buffer),
            failure: e => new MemoryDenied(e));
    }

    private void OnMemoryGranted(byte[] buffer)
    {
        _awaitingMemory = false;
        if (_granted is not null) Accumulator.Pool.Deallocate(_granted);
        _granted = buffer;
        ProcessPending();
    }

    private void OnMemoryDenied(Exception cause)
    {
        _awaitingMemory = false;
        if (_pending.TryPeek(out var head) && !head.IsFlush)
        {
            Dequeue();
            Fail(head, cause as KafkaException ?? new KafkaException(cause.Message, cause));
        }
        ProcessPending();
    }

    private void FailPending(Exception cause)
    {
        while (_pending.TryPeek(out var item))
        {
            Dequeue();
            if (IsCloseMarker(item)) continue; // closing goes on without it
            if (item.IsFlush) item.FlushReplyTo?.Tell(new Status.Failure(cause));
            else Fail(item, cause);
        }
    }
}
