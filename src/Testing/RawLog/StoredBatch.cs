using KafkaActors.Protocol.Records;

namespace KafkaActors.Testing.RawLog;

/// <summary>The type of a control record (the key's second field): what a transaction marker says.</summary>
public enum ControlRecordType : short
{
    /// <summary>ABORT (0): the producer's open transaction in this partition was aborted.</summary>
    Abort = 0,
    /// <summary>COMMIT (1): the producer's open transaction in this partition was committed.</summary>
    Commit = 1,
}

/// <summary>
/// One record batch as the broker stored it, with the producer state consumers hide. Read by
/// <see cref="RawLogReader"/>; immutable.
/// </summary>
/// <param name="Partition">Partition id.</param>
/// <param name="Batch">The decoded batch (records decompressed, absolute offsets).</param>
public sealed record StoredBatch(int Partition, RecordBatch Batch)
{
    /// <summary>Offset of the first record.</summary>
    public long BaseOffset => Batch.BaseOffset;

    /// <summary>Offset of the last record (base offset + last offset delta).</summary>
    public long LastOffset => Batch.LastOffset;

    /// <summary>Producer id; -1 for a producer that is neither idempotent nor transactional.</summary>
    public long ProducerId => Batch.ProducerId;

    /// <summary>Producer epoch; -1 without a producer id.</summary>
    public short ProducerEpoch => Batch.ProducerEpoch;

    /// <summary>Sequence of the first record; -1 without a producer id. The mock writes 0 into its control batches.</summary>
    public int BaseSequence => Batch.BaseSequence;

    /// <summary>Number of records in the batch.</summary>
    public int RecordCount => Batch.Records.Count;

    /// <summary>The batch belongs to a transaction (attributes bit 4); data and control batches of transactions both have it.</summary>
    public bool IsTransactional => Batch.IsTransactional;

    /// <summary>The batch is a transaction marker written by the coordinator (attributes bit 5), not producer data.</summary>
    public bool IsControl => Batch.IsControl;

    /// <summary>For a control batch, whether it commits or aborts; null for a data batch.</summary>
    public ControlRecordType? ControlType =>
        IsControl && Batch.Records is [{ Key: { Length: >= 4 } key }, ..]
            ? (ControlRecordType)(short)((key[2] << 8) | key[3])
            : null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"[{Partition}] {BaseOffset}..{LastOffset} pid {ProducerId} epoch {ProducerEpoch} seq {BaseSequence} x{RecordCount}" +
        (IsControl ? $" control {ControlType}" : IsTransactional ? " transactional" : "");
}
