using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Partitioning;
using KafkaActors.Producer;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Accumulator;

/// <summary>
/// The appenders' side of one partition: its open batch, the one batch that senders (facade callers, the
/// ProducerActor for Tell, stream stages) append to. Sealed batches are not kept here: each one goes to the
/// partition's <see cref="Partition.PartitionActor"/> in a <see cref="Partition.PartitionActor.BatchSealed"/>
/// message (one per batch, told under the lock so they arrive in creation order), and that actor owns them.
///
/// Thread-safe: shared between the appending threads and the partition actor, which takes the open batch
/// when it has lingered. Everything is guarded by <c>_lock</c>, held for one record copy (compression happens
/// later, on the actor). A newly opened batch wakes the actor with at most one pending
/// <see cref="Partition.PartitionActor.Wakeup"/>, so it can start the linger clock; never a message per record. A
/// BatchSealed the actor has not yet taken counts as that wakeup (it drains, and so looks at the open batch, after
/// acknowledging it): records of the same size fill each batch exactly, so the next record opens a new batch right
/// after a seal, and a Wakeup behind every BatchSealed would double the appenders' messages per batch.
///
/// It is also where the partition actor publishes its load for the built-in partitioner (KIP-794):
/// <see cref="QueuedBatches"/> and <see cref="StalledSinceMs"/>, written only by that actor after each drain
/// (volatile, no lock), read by appending threads when the sticky partition switches.
/// </summary>
internal sealed class PartitionAccumulator(TopicPartition topicPartition, RecordAccumulator owner)
{
    private readonly Lock _lock = new(); // System.Threading.Lock: its uncontended enter and exit stay in managed code
    private ProducerBatch? _open;
    private long _nextOrdinal;
    private int _lastBatchRecords; // records in the last batch that left here: sizes the next one's record table
    private int _wakeupPending;
    private bool _closed;
    private volatile int _queuedBatches;
    private long _stalledSinceMs = long.MaxValue;

    public TopicPartition TopicPartition { get; } = topicPartition;

    /// <summary>The partition actor; set once by the ProducerActor before the route is published.</summary>
    public IActorRef Actor { get; set; } = ActorRefs.Nobody;

    /// <summary>The partition's leader as last routed (null without one): written by the ProducerActor, read by senders for their spans.</summary>
    public BrokerNode? Leader
    {
        get => Volatile.Read(ref _leader);
        set => Volatile.Write(ref _leader, value);
    }

    private BrokerNode? _leader;

    /// <summary>
    /// Appends a serialized record. Returns false when a new batch is needed and
    /// <paramref name="freshBuffer"/> is null: the caller gets a buffer (outside any lock) and calls again.
    /// A buffer that turns out not to be needed stays in <paramref name="freshBuffer"/> for the caller to give back.
    /// On success, <paramref name="appendedBytes"/> is what the record added to its batch (with the batch header
    /// when it opened the batch, as Java's appendedBytes) and <paramref name="batchFull"/> whether it filled it.
    /// The built-in partitioner's <paramref name="sticky"/> state, if given, counts those bytes under the lock.
    /// </summary>
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength,
        ReadOnlySpan<RecordHeader> headers, object? completion, ref byte[]? freshBuffer, out int appendedBytes, out bool batchFull,
        BuiltInPartitioner? sticky = null)
    {
        var wake = false;
        lock (_lock)
        {
            if (_closed) throw new ProducerClosedException("Cannot send after the producer is closed.");
            var before = _open?.UncompressedBytes ?? 0;
            if (_open is { } open && open.TryAppend(timestamp, key, keyLength, value, valueLength, headers, completion))
            {
                appendedBytes = open.UncompressedBytes - before;
                batchFull = open.IsFull;
                if (batchFull) SealOpenLocked();
            }
            else
            {
                if (freshBuffer is null)
                {
                    appendedBytes = 0;
                    batchFull = false;
                    return false;
                }
                var sealedOne = _open is not null;
                if (sealedOne) SealOpenLocked();
                // A full batch's worth of record slots, unless this partition's last batch held far fewer: one partition of
                // thousands gets a record now and then, and a table for a full batch (~6 KB at batch.size 16384) per record
                // was most of what such a producer allocated.
                var full = freshBuffer.Length / Math.Max(1, RecordBatchBuilder.MaxRecordOverhead / 4 + keyLength + valueLength) + 1;
                var expected = Math.Min(full, Math.Max(16, 2 * _lastBatchRecords));
                var batch = new ProducerBatch(TopicPartition, _nextOrdinal++, freshBuffer, freshBuffer.Length, owner, MonotonicClock.NowMs, expected);
                freshBuffer = null;
                if (!batch.TryAppend(timestamp, key, keyLength, value, valueLength, headers, completion))
                    throw new InvalidOperationException("A record did not fit in a batch sized for it.");
                owner.Track(batch);
                _open = batch;
                appendedBytes = batch.UncompressedBytes;
                batchFull = batch.IsFull;
                if (batchFull) SealOpenLocked();
                else wake = !sealedOne; // a new batch: the actor starts its linger clock (a BatchSealed on its way wakes it too)
            }
            // Under this partition's lock, which every count for a choice of this partition holds: no atomic add needed.
            sticky?.AppendedLocked(TopicPartition.Partition, appendedBytes, batchFull);
        }
        if (wake) Wake();
        return true;
    }

    /// <summary>
    /// Partition actor: the open batch, sealed, once it has lingered for <paramref name="lingerMs"/> or
    /// <paramref name="sendOpenNow"/> (flush, close, memory pressure); null otherwise. Only when it is the batch
    /// numbered <paramref name="nextOrdinal"/>: an earlier one sealed by an appender is still on its way to the
    /// actor, and batches leave in creation order.
    /// </summary>
    public ProducerBatch? TakeOpen(long nowMs, long lingerMs, bool sendOpenNow, long nextOrdinal)
    {
        lock (_lock)
        {
            if (_open is not { } open || open.Ordinal != nextOrdinal || (!sendOpenNow && nowMs - open.CreatedMs < lingerMs)) return null;
            _open = null;
            _lastBatchRecords = open.RecordCount;
            open.Seal();
            return open;
        }
    }

    /// <summary>Partition actor: when the open batch (if any) is due, in ms since boot.</summary>
    public long? OpenBatchDue(long lingerMs)
    {
        lock (_lock) return _open is { } open ? open.CreatedMs + lingerMs : null;
    }

    /// <summary>Partition actor: the creation time of the open batch, for delivery timeouts.</summary>
    public long? OpenCreatedMs()
    {
        lock (_lock) return _open?.CreatedMs;
    }

    /// <summary>Stops appends for good and hands over the open batch, sealed, if any (producer closing or aborting).</summary>
    public ProducerBatch? Close()
    {
        lock (_lock)
        {
            _closed = true;
            var open = _open;
            _open = null;
            open?.Seal();
            return open;
        }
    }

    /// <summary>
    /// Batches the partition actor holds (sealed, in flight, retries), as of its last drain. Java counts its deque (unsent
    /// and retried batches); in-flight ones count here too, since max.in.flight applies per partition here, so a slow
    /// broker's backlog shows there first.
    /// </summary>
    public int QueuedBatches => _queuedBatches;

    /// <summary>Since when (monotonic ms) batches have been waiting that the actor could not send; long.MaxValue when none wait.</summary>
    public long StalledSinceMs => Volatile.Read(ref _stalledSinceMs);

    /// <summary>Whether appends still have an open batch here; read without the lock, so only a hint.</summary>
    public bool HasOpenBatch => Volatile.Read(ref _open) is not null;

    /// <summary>
    /// Partition actor, after each drain: its queue (<paramref name="queuedBatches"/>) and whether batches wait
    /// (<paramref name="waiting"/>) although it sent some (<paramref name="drained"/>) or none. As Java's node latency
    /// stats: a drain restarts the stalled clock, a wait without a drain keeps it running, an empty queue stops it.
    /// </summary>
    public void PublishLoad(int queuedBatches, bool waiting, bool drained, long nowMs)
    {
        _queuedBatches = queuedBatches;
        var stalledSince = !waiting ? long.MaxValue : drained ? nowMs : Math.Min(Volatile.Read(ref _stalledSinceMs), nowMs);
        Volatile.Write(ref _stalledSinceMs, stalledSince);
    }

    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakeupPending, 1) == 0) Actor.Tell(Partition.PartitionActor.Wakeup.Instance, ActorRefs.NoSender);
    }

    /// <summary>Partition actor, on each wakeup: later appends may wake it again.</summary>
    /// <remarks>
    /// Before the actor looks at the open batch; a full fence, so an appender whose <see cref="Wake"/> found a wakeup
    /// pending opened its batch before this, and the actor's look (under the lock) sees it.
    /// </remarks>
    public void AcknowledgeWakeup() => Interlocked.Exchange(ref _wakeupPending, 0);

    /// <summary>Hands the full (or replaced) open batch to the partition actor; under the lock, so batches arrive in order.</summary>
    private void SealOpenLocked()
    {
        var open = _open!;
        _open = null;
        _lastBatchRecords = open.RecordCount;
        open.Seal();
        Volatile.Write(ref _wakeupPending, 1); // the BatchSealed wakes the actor for the next open batch too
        Actor.Tell(new Partition.PartitionActor.BatchSealed(open), ActorRefs.NoSender);
    }
}
