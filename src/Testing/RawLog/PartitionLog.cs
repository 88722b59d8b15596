using KafkaActors.Protocol.Records;

namespace KafkaActors.Testing.RawLog;

/// <summary>
/// One partition's stored log, as <see cref="RawLogReader"/> fetched it, with the transactional view a
/// read_committed consumer would get computed from the transaction markers in the log itself. Immutable.
/// </summary>
/// <remarks>
/// The view is computed here because librdkafka's mock (2.16.0, measured) answers every Fetch with a last stable
/// offset equal to the high watermark and no aborted transactions, whatever the isolation level, so a consumer
/// in read_committed sees aborted and open transactions there. The rules are Kafka's: a transactional data batch
/// belongs to its producer id's next control batch in the partition (COMMIT: visible; ABORT: hidden; none yet:
/// open). The last stable offset is the first offset of the earliest open transaction (the high watermark when
/// none is open); read_committed returns nothing at or above it, not even non-transactional records.
/// </remarks>
public sealed class PartitionLog
{
    private readonly Dictionary<StoredBatch, ControlRecordType?> _outcomes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Builds the view over <paramref name="batches"/> (in offset order).</summary>
    public PartitionLog(string topic, int partition, long logStartOffset, long highWatermark, long fetchedLastStableOffset, IReadOnlyList<StoredBatch> batches)
    {
        Topic = topic;
        Partition = partition;
        LogStartOffset = logStartOffset;
        HighWatermark = highWatermark;
        FetchedLastStableOffset = fetchedLastStableOffset;
        Batches = batches;

        // From the end: the outcome of a data batch is the type of the next marker of its producer id.
        var nextMarker = new Dictionary<long, ControlRecordType>();
        for (var i = batches.Count - 1; i >= 0; i--)
        {
            var batch = batches[i];
            if (batch.IsControl)
            {
                if (batch.ControlType is { } type) nextMarker[batch.ProducerId] = type;
            }
            else if (batch.IsTransactional)
            {
                _outcomes[batch] = nextMarker.TryGetValue(batch.ProducerId, out var outcome) ? outcome : null;
            }
        }
        LastStableOffset = batches.FirstOrDefault(b => b.IsTransactional && !b.IsControl && _outcomes[b] is null)?.BaseOffset ?? highWatermark;
    }

    /// <summary>Topic name.</summary>
    public string Topic { get; }

    /// <summary>Partition id.</summary>
    public int Partition { get; }

    /// <summary>The log start offset the broker reported (the mock raises it when it trims old batches).</summary>
    public long LogStartOffset { get; }

    /// <summary>The high watermark when the read finished.</summary>
    public long HighWatermark { get; }

    /// <summary>The last stable offset the broker reported in its Fetch answer (the mock always reports the high watermark).</summary>
    public long FetchedLastStableOffset { get; }

    /// <summary>The last stable offset computed from the markers in the log: the first offset of the earliest open transaction, else the high watermark.</summary>
    public long LastStableOffset { get; }

    /// <summary>Every stored batch, data and control, in offset order.</summary>
    public IReadOnlyList<StoredBatch> Batches { get; }

    /// <summary>
    /// The fate of a transactional data batch: <see cref="ControlRecordType.Commit"/>, <see cref="ControlRecordType.Abort"/>,
    /// or null while its transaction is open. Null too for a control batch or a non-transactional one (check
    /// <see cref="StoredBatch.IsTransactional"/>).
    /// </summary>
    public ControlRecordType? OutcomeOf(StoredBatch batch) => _outcomes.GetValueOrDefault(batch);

    /// <summary>What a read_uncommitted consumer returns: every data record, control records left out.</summary>
    public IReadOnlyList<ConsumedRecord> ReadUncommitted() =>
        Batches.Where(b => !b.IsControl).SelectMany(ToRecords).ToList();

    /// <summary>
    /// What a read_committed consumer returns: data records below <see cref="LastStableOffset"/> that are not
    /// transactional or whose transaction committed.
    /// </summary>
    public IReadOnlyList<ConsumedRecord> ReadCommitted() =>
        Batches.Where(b => !b.IsControl && b.BaseOffset < LastStableOffset && (!b.IsTransactional || _outcomes[b] == ControlRecordType.Commit))
            .SelectMany(ToRecords).ToList();

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Topic}[{Partition}] log {LogStartOffset}..{HighWatermark}, LSO {LastStableOffset} (fetched {FetchedLastStableOffset}), {Batches.Count} batches";

    private IEnumerable<ConsumedRecord> ToRecords(StoredBatch stored)
    {
        var batch = stored.Batch;
        var type = batch.IsLogAppendTime ? RecordTimestampType.LogAppendTime : RecordTimestampType.CreateTime;
        return batch.Records.Select(r => new ConsumedRecord(
            Topic, Partition, r.Offset, r.Key, r.Value,
            r.Headers.Select(h => (h.Key, h.Value)).ToArray(),
            // With LogAppendTime every record carries the batch's max timestamp (the broker's append time).
            batch.IsLogAppendTime ? batch.MaxTimestamp : r.Timestamp,
            type));
    }
}
