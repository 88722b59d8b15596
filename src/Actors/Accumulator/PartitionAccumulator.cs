using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Producer;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Accumulator;

/// <summary>
/// One partition's queue of batches (Java's <c>Deque&lt;ProducerBatch&gt;</c> inside RecordAccumulator): an
/// open batch that senders append to, and closed batches waiting for the partition actor.
///
/// Shared by design between the threads that append (facade callers, the ProducerActor) and the one
/// partition actor that takes batches out. Everything is guarded by <c>_lock</c>, held only for a
/// record copy: compression happens later, on the actor. Appenders wake the actor with at most one
/// pending <see cref="Partition.PartitionActor.Wakeup"/> message, not one per record.
/// </summary>
internal sealed class PartitionAccumulator(TopicPartition topicPartition, RecordAccumulator owner)
{
    private readonly object _lock = new();
    private readonly Queue<ProducerBatch> _sealed = new();
    private ProducerBatch? _open;
    private long _nextOrdinal;
    private int _wakeupPending;
    private bool _closed;

    public TopicPartition TopicPartition { get; } = topicPartition;

    /// <summary>The partition actor; set once by the ProducerActor before the route is published.</summary>
    public IActorRef Actor { get; set; } = ActorRefs.Nobody;

    /// <summary>
    /// Appends a serialized record. Returns false when a new batch is needed and
    /// <paramref name="freshBuffer"/> is null: the caller gets a buffer (outside any lock) and calls again.
    /// A buffer that turns out not to be needed stays in <paramref name="freshBuffer"/> for the caller to give back.
    /// </summary>
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength,
        ReadOnlySpan<RecordHeader> headers, object? completion, ref byte[]? freshBuffer)
    {
        var wake = false;
        lock (_lock)
        {
            if (_closed) throw new ProducerClosedException("Cannot send after the producer is closed.");
            if (_open is { } open && open.TryAppend(timestamp, key, keyLength, value, valueLength, headers, completion))
            {
                if (open.IsFull) wake = SealOpenLocked();
            }
            else
            {
                if (freshBuffer is null) return false;
                if (_open is not null) SealOpenLocked();
                var expected = freshBuffer.Length / Math.Max(1, RecordBatchBuilder.MaxRecordOverhead / 4 + keyLength + valueLength) + 1;
                var batch = new ProducerBatch(TopicPartition, _nextOrdinal++, freshBuffer, freshBuffer.Length, owner, MonotonicClock.NowMs, expected);
                freshBuffer = null;
                if (!batch.TryAppend(timestamp, key, keyLength, value, valueLength, headers, completion))
                    throw new InvalidOperationException("A record did not fit in a batch sized for it.");
                owner.Track(batch);
                _open = batch;
                if (batch.IsFull) SealOpenLocked();
                wake = true; // a new batch: the actor starts its linger clock
            }
        }
        if (wake) Wake();
        return true;
    }

    /// <summary>
    /// Partition actor: the next batch to send, oldest first; the open batch too once it has lingered
    /// long enough or <paramref name="sendOpenNow"/> (flush, close, memory pressure). Null when nothing is ready.
    /// </summary>
    public ProducerBatch? TakeReady(long nowMs, long lingerMs, bool sendOpenNow)
    {
        lock (_lock)
        {
            if (_sealed.Count > 0) return _sealed.Dequeue();
            if (_open is { } open && (sendOpenNow || nowMs - open.CreatedMs >= lingerMs))
            {
                _open = null;
                open.Seal();
                return open;
            }
            return null;
        }
    }

    /// <summary>Partition actor: when the open batch (if any) is due, in ms since boot.</summary>
    public long? OpenBatchDue(long lingerMs)
    {
        lock (_lock) return _open is { } open ? open.CreatedMs + lingerMs : null;
    }

    /// <summary>Partition actor: the creation time of the oldest batch still here, for delivery timeouts.</summary>
    public long? OldestCreatedMs()
    {
        lock (_lock)
        {
            if (_sealed.Count > 0) return _sealed.Peek().CreatedMs;
            return _open?.CreatedMs;
        }
    }

    /// <summary>Partition actor: removes batches created at or before <paramref name="createdBeforeMs"/>, oldest first.</summary>
    public List<ProducerBatch>? TakeExpired(long createdBeforeMs)
    {
        List<ProducerBatch>? expired = null;
        lock (_lock)
        {
            while (_sealed.Count > 0 && _sealed.Peek().CreatedMs <= createdBeforeMs) (expired ??= []).Add(_sealed.Dequeue());
            if (_sealed.Count == 0 && _open is { } open && open.CreatedMs <= createdBeforeMs)
            {
                _open = null;
                open.Seal();
                (expired ??= []).Add(open);
            }
        }
        return expired;
    }

    /// <summary>Stops appends for good and hands over everything still queued (producer closing or aborting).</summary>
    public List<ProducerBatch> CloseAndDrain()
    {
        lock (_lock)
        {
            _closed = true;
            var all = new List<ProducerBatch>(_sealed.Count + 1);
            all.AddRange(_sealed);
            _sealed.Clear();
            if (_open is { } open)
            {
                open.Seal();
                all.Add(open);
                _open = null;
            }
            return all;
        }
    }

    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakeupPending, 1) == 0) Actor.Tell(Partition.PartitionActor.Wakeup.Instance, ActorRefs.NoSender);
    }

    /// <summary>Partition actor, on each wakeup: later appends may wake it again.</summary>
    public void AcknowledgeWakeup() => Volatile.Write(ref _wakeupPending, 0);

    private bool SealOpenLocked()
    {
        var open = _open!;
        _open = null;
        open.Seal();
        _sealed.Enqueue(open);
        return true;
    }
}
