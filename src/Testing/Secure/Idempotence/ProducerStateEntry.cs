using KafkaActors.Protocol.Errors;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>What the log holds of one appended batch (Kafka's BatchMetadata), for acknowledging its duplicates.</summary>
internal readonly record struct BatchMetadata(short ProducerEpoch, int FirstSequence, int LastSequence, long BaseOffset, int LastOffsetDelta, long Timestamp, long LogAppendTimeMs)
{
    public long LastOffset => BaseOffset + LastOffsetDelta;
}

/// <summary>How a batch fares against the producer state (Kafka's ProducerAppendInfo and ProducerStateEntry.findDuplicateBatch).</summary>
internal readonly record struct AppendCheck(ErrorCode Error, string? Message, BatchMetadata? Duplicate)
{
    public static readonly AppendCheck Accept = new(ErrorCode.None, null, null);

    public bool IsAccepted => Error == ErrorCode.None && Duplicate is null;
}

/// <summary>
/// One producer id's state in one partition, as Kafka's ProducerStateEntry keeps it: the epoch and the metadata of the
/// last <see cref="BatchesToRetain"/> appended batches; plus what the front needs because it learns an append's outcome
/// only from the mock's answer: the one batch forwarded and not yet answered, or one whose answer was lost.
/// </summary>
/// <remarks>Owned by <see cref="IdempotenceEnforcement"/>, which guards every access with its lock; not thread-safe itself.</remarks>
internal sealed class ProducerStateEntry
{
    /// <summary>Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN, which is why producers keep at most 5 requests in flight.</summary>
    public const int BatchesToRetain = 5;

    public const short NoProducerEpoch = -1;

    private readonly Queue<BatchMetadata> _batches = new(BatchesToRetain);

    public short ProducerEpoch { get; private set; } = NoProducerEpoch;

    public IReadOnlyCollection<BatchMetadata> Batches => _batches;

    /// <summary>Forwarded to the mock, answer pending: later batches of this producer and partition wait for it.</summary>
    public InFlightAppend? InFlight { get; set; }

    /// <summary>Forwarded, but the connection closed before the answer: whether the mock stored it is read from its log.</summary>
    public ProducedBatch? Lost { get; set; }

    /// <summary>Where a search of the log for a lost batch starts: after the last batch known appended.</summary>
    public long ScanFrom { get; private set; }

    /// <summary>
    /// Kafka's rules, in Kafka's order: a duplicate of a retained batch (same epoch, same first and last sequence) is
    /// acknowledged with its metadata; an older epoch gets INVALID_PRODUCER_EPOCH; a newer epoch must start at sequence 0,
    /// unless the producer is unknown here; the same epoch must continue at the last sequence + 1. An unknown producer
    /// (no state, e.g. after the front was reset) is accepted at any sequence, as Kafka does since KIP-360 (2.5): it no
    /// longer answers UNKNOWN_PRODUCER_ID for that.
    /// </summary>
    public AppendCheck Check(in ProducedBatch batch, string partition)
    {
        if (batch.ProducerEpoch == ProducerEpoch)
        {
            foreach (var retained in _batches)
                if (retained.FirstSequence == batch.FirstSequence && retained.LastSequence == batch.LastSequence)
                    return new AppendCheck(ErrorCode.None, null, retained);
        }
        if (ProducerEpoch != NoProducerEpoch && batch.ProducerEpoch < ProducerEpoch)
            return new AppendCheck(ErrorCode.InvalidProducerEpoch,
                $"Epoch of producer {batch.ProducerId} in {partition} is {batch.ProducerEpoch}, which is smaller than the last seen epoch {ProducerEpoch}", null);
        if (batch.ProducerEpoch != ProducerEpoch)
        {
            if (batch.FirstSequence != 0 && ProducerEpoch != NoProducerEpoch)
                return new AppendCheck(ErrorCode.OutOfOrderSequenceNumber,
                    $"Invalid sequence number for new epoch of producer {batch.ProducerId} in {partition}: {batch.ProducerEpoch} (request epoch), " +
                    $"{batch.FirstSequence} (seq. number), {ProducerEpoch} (current producer epoch)", null);
            return AppendCheck.Accept;
        }
        var lastSequence = _batches.Count > 0 ? _batches.Last().LastSequence : -1;
        if (!InSequence(lastSequence, batch.FirstSequence))
            return new AppendCheck(ErrorCode.OutOfOrderSequenceNumber,
                $"Out of order sequence number for producer {batch.ProducerId} (epoch {batch.ProducerEpoch}) in {partition}: {batch.FirstSequence} (incoming seq. number), " +
                $"{lastSequence} (current end sequence number)", null);
        return AppendCheck.Accept;
    }

    /// <summary>Records an append the mock confirmed; a new epoch forgets the old epoch's batches (Kafka's ProducerAppendInfo).</summary>
    public void Append(in ProducedBatch batch, long baseOffset, long logAppendTimeMs)
    {
        if (batch.ProducerEpoch != ProducerEpoch)
        {
            ProducerEpoch = batch.ProducerEpoch;
            _batches.Clear();
        }
        if (_batches.Count == BatchesToRetain) _batches.Dequeue();
        var metadata = new BatchMetadata(batch.ProducerEpoch, batch.FirstSequence, batch.LastSequence, baseOffset, batch.LastOffsetDelta, batch.MaxTimestamp, logAppendTimeMs);
        _batches.Enqueue(metadata);
        ScanFrom = Math.Max(ScanFrom, metadata.LastOffset + 1);
    }

    private static bool InSequence(int lastSequence, int nextSequence) =>
        nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == int.MaxValue);
}

/// <summary>A batch forwarded to the mock whose answer is pending; <see cref="Answered"/> completes when it is known (or lost).</summary>
internal sealed class InFlightAppend(ProducedBatch batch)
{
    public ProducedBatch Batch { get; } = batch;

    public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
