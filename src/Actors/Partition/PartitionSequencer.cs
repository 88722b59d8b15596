using KafkaActors.Accumulator;
using KafkaActors.Protocol.Errors;

namespace KafkaActors.Partition;

/// <summary>What to do with a batch a broker refused.</summary>
internal enum RetryDecision
{
    /// <summary>Give up: the batch fails with the error.</summary>
    Fail,
    /// <summary>Send it again later, in order.</summary>
    Retry,
    /// <summary>Send it again, under a new producer epoch (the broker's sequence state is lost or has a gap).</summary>
    RetryAfterEpochBump,
    /// <summary>Fail it, and move to a new epoch so later batches do not inherit its sequence gap.</summary>
    FailAndBumpEpoch,
}

/// <summary>
/// One partition's idempotence state (the per-partition part of Java's <c>TransactionManager</c>):
/// producer id and epoch, the next sequence to assign, the last acknowledged one, and the rules that
/// classify sequence errors (KIP-360). Owned by one partition actor; not thread-safe.
/// </summary>
internal sealed class PartitionSequencer(bool idempotent)
{
    private int _nextSequence;
    private int _lastAcked = -1;
    private bool _resetPending;
    private bool _bumpRequested;

    public bool Idempotent { get; } = idempotent;
    public long ProducerId { get; private set; } = -1;
    public short Epoch { get; private set; } = -1;

    /// <summary>Idempotent, and no batch of the current epoch acknowledged yet (the broker may hold no state for it).</summary>
    public bool AwaitingFirstAcknowledgement => Idempotent && _lastAcked < 0;

    /// <summary>
    /// Ready to send: a producer id is known (or not needed), no epoch change is waiting for in-flight batches, and no
    /// new epoch has been asked for.
    /// </summary>
    public bool CanSend => !Idempotent || (ProducerId >= 0 && !_resetPending && !_bumpRequested);

    /// <summary>
    /// A batch with sequences failed or expired, leaving a gap, and the producer was asked for a new epoch: nothing more
    /// goes out under this one (Java's unresolved sequences stop the partition's drain until the bump), since the broker
    /// would refuse it as out of order. Cleared by the next producer id or epoch; the producer answers every request
    /// with one, or has already sent the newer one a stale request names.
    /// </summary>
    public void OnEpochBumpRequested() => _bumpRequested = Idempotent && ProducerId >= 0;

    /// <summary>A new producer id or epoch. Sequences restart at 0 once the batches in flight under the old one are back.</summary>
    public void OnProducerId(long producerId, short epoch)
    {
        if (producerId != ProducerId || epoch != Epoch) _bumpRequested = false;
        if (ProducerId >= 0 && (producerId != ProducerId || epoch != Epoch)) _resetPending = true;
        ProducerId = producerId;
        Epoch = epoch;
    }

    /// <summary>Called when nothing is in flight: applies a pending epoch change to the batches waiting for a retry.</summary>
    public void ApplyPendingReset(IEnumerable<ProducerBatch> unacknowledged)
    {
        if (!_resetPending) return;
        _resetPending = false;
        _nextSequence = 0;
        _lastAcked = -1;
        foreach (var batch in unacknowledged) batch.ResetSequence();
    }

    /// <summary>Writes producer id, epoch and (on a first attempt, or after a reset) a new base sequence into the batch.</summary>
    public void Prepare(ProducerBatch batch)
    {
        if (!Idempotent)
        {
            batch.PrepareForSend(-1, -1, -1);
            return;
        }
        if (batch.BaseSequence < 0 || batch.ProducerEpoch != Epoch || batch.ProducerId != ProducerId)
        {
            batch.PrepareForSend(ProducerId, Epoch, _nextSequence);
            _nextSequence = Advance(_nextSequence, batch.RecordCount);
        }
        else
        {
            batch.PrepareForSend(ProducerId, Epoch, batch.BaseSequence);
        }
    }

    /// <summary>
    /// A batch refused as too large was split: the new batches take its sequences in order, under its producer id and epoch,
    /// so the partition's next sequence stays where it was and no epoch bump is needed (Java's <c>ProducerBatch.split</c>
    /// with <c>TransactionManager.removeInFlightBatch</c>/<c>addInFlightBatch</c>). Unsequenced batches stay unsequenced:
    /// they get sequences at their first send, like any new batch. Should the epoch have moved on meanwhile, the pending
    /// reset (<see cref="ApplyPendingReset"/>) re-sequences them with the other retries.
    /// </summary>
    public void OnSplit(ProducerBatch split, IReadOnlyList<ProducerBatch> pieces)
    {
        if (!Idempotent || split.BaseSequence < 0) return;
        var sequence = split.BaseSequence;
        foreach (var piece in pieces)
        {
            piece.AssignSequence(split.ProducerId, split.ProducerEpoch, sequence);
            sequence = Advance(sequence, piece.RecordCount);
        }
    }

    public void OnAcknowledged(ProducerBatch batch)
    {
        if (Idempotent && batch.ProducerEpoch == Epoch && batch.ProducerId == ProducerId)
            _lastAcked = Advance(batch.BaseSequence, batch.RecordCount - 1);
    }

    /// <summary>
    /// Java's <c>canRetry</c> for the idempotent producer. <paramref name="earlierPending"/> says whether
    /// an older batch of this partition is itself waiting to be retried.
    /// </summary>
    public RetryDecision Classify(ProducerBatch batch, ErrorCode error, bool transport, bool earlierPending)
    {
        if (transport) return RetryDecision.Retry;
        if (!Idempotent) return error.IsRetriable() ? RetryDecision.Retry : RetryDecision.Fail;

        var staleEpoch = batch.ProducerEpoch != Epoch || batch.ProducerId != ProducerId;
        switch (error)
        {
            case ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId or ErrorCode.InvalidProducerEpoch when staleEpoch:
                // Sent before the epoch moved on: it simply goes again under the new one.
                return RetryDecision.Retry;
            case ErrorCode.OutOfOrderSequenceNumber:
                // Behind an older batch that failed: that one goes first and this one follows, no gap.
                // Otherwise the broker has a real gap after our last acknowledged sequence.
                return earlierPending || batch.BaseSequence != Advance(_lastAcked, 1) ? RetryDecision.Retry : RetryDecision.RetryAfterEpochBump;
            case ErrorCode.UnknownProducerId:
                // The broker lost our state (retention, restart): retry once as is, then under a new epoch.
                return batch.UnknownProducerIdCount++ == 0 ? RetryDecision.Retry : RetryDecision.RetryAfterEpochBump;
            case ErrorCode.InvalidProducerEpoch:
                return RetryDecision.FailAndBumpEpoch;
            default:
                return error.IsRetriable() ? RetryDecision.Retry : RetryDecision.FailAndBumpEpoch;
        }
    }

    /// <summary>Sequence numbers wrap to 0 after int.MaxValue, as brokers expect.</summary>
    public static int Advance(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;
}
