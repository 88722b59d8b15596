using Akka.Actor;
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
        var reply = acknowledge && known ? sender : null;
        _pending.Enqueue(new PendingSend<TKey, TValue>(intercepted, reply, correlation, Environment.TickCount64 + _runtime.Settings.MaxBlockMs));
        ProcessPending();
        if (known && _pending.Count >= _runtime.Settings.TellBufferFullThreshold && _toldBufferFull.Add(sender!))
            sender!.Tell(BufferFull.Instance);
    }

    private void OnFlush(IActorRef replyTo)
    {
        _pending.Enqueue(new PendingSend<TKey, TValue>(null, replyTo, null, long.MaxValue));
        ProcessPending();
    }

    /// <summary>Sends told records in order until one has to wait for metadata or memory.</summary>
    private void ProcessPending()
    {
        while (!_awaitingMemory && _pending.TryPeek(out var head))
        {
            if (head.IsFlush)
            {
                _pending.Dequeue();
                Flusher.FlushAsync(Accumulator).PipeTo(head.ReplyTo!, success: () => Flushed.Instance);
                continue;
            }
            if (!TrySendHead(head)) break;
            _pending.Dequeue();
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

    /// <summary>True when the record is done with (appended or failed); false when it must wait.</summary>
    private bool TrySendHead(PendingSend<TKey, TValue> item)
    {
        var record = item.Record!;
        var completion = item.ReplyTo is null ? null : new ActorDelivery(item.ReplyTo, item.Correlation);
        var pipeline = _runtime.Pipeline;
        try
        {
            pipeline.ThrowIfClosed();
            TopicName.Validate(record.Topic);
            if (!Accumulator.TryGetRoute(record.Topic, out var route))
            {
                var now = Environment.TickCount64;
                if (now >= item.DeadlineMs) throw MetadataTimeout(record.Topic);
                UseTopic(record.Topic);
                Timers.StartSingleTimer(nameof(PendingDeadline), PendingDeadline.Instance, TimeSpan.FromMilliseconds(item.DeadlineMs - now));
                return false;
            }

            pipeline.Prepare(record, route, out var prepared);
            var buffer = _granted;
            _granted = null;
            if (!pipeline.TryAppend(record.Topic, ref prepared, completion, ref buffer))
            {
                var size = pipeline.BufferSizeFor(prepared);
                buffer ??= Accumulator.Pool.TryAllocate(size);
                if (buffer is null || !pipeline.TryAppend(record.Topic, ref prepared, completion, ref buffer))
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
            // The Tell path has no caller to throw to: every failure becomes the record's outcome.
            _runtime.Interceptors.OnSendError(record, record.Partition ?? -1, e);
            completion?.OnCompletion(new RecordMetadata(record.Topic, record.Partition ?? -1, RecordMetadata.UnknownOffset, -1, -1, -1), e);
            return true;
        }
    }

    /// <summary>Memory is out: the head record waits (up to max.block.ms) without blocking this actor.</summary>
    private void WaitForMemory(int size, long deadlineMs)
    {
        _awaitingMemory = true;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - Environment.TickCount64));
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
        if (_pending.TryDequeue(out var head) && head.Record is { } record)
        {
            var error = cause is KafkaException ? cause : new KafkaException(cause.Message, cause);
            _runtime.Interceptors.OnSendError(record, record.Partition ?? -1, error);
            head.ReplyTo?.Tell(new DeliveryFailed(error, record.Topic, record.Partition ?? -1, head.Correlation));
        }
        ProcessPending();
    }

    private void FailPending(Exception cause)
    {
        while (_pending.TryDequeue(out var item))
        {
            if (item.Record is { } record)
            {
                _runtime.Interceptors.OnSendError(record, record.Partition ?? -1, cause);
                item.ReplyTo?.Tell(new DeliveryFailed(cause, record.Topic, record.Partition ?? -1, item.Correlation));
            }
            else
            {
                item.ReplyTo?.Tell(new Status.Failure(cause));
            }
        }
    }
}
