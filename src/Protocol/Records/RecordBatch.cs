namespace KafkaActors.Protocol.Records;

/// <summary>A decoded RecordBatch v2 (what a reader sees; the producer never builds these).</summary>
public sealed record RecordBatch(
    long BaseOffset,
    int PartitionLeaderEpoch,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    IReadOnlyList<Record> Records)
{
    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionMask);
    public bool IsTransactional => (Attributes & RecordBatchLayout.TransactionalFlag) != 0;
    public bool IsControl => (Attributes & RecordBatchLayout.ControlFlag) != 0;
    public bool IsLogAppendTime => (Attributes & RecordBatchLayout.TimestampTypeFlag) != 0;
    public long LastOffset => BaseOffset + LastOffsetDelta;
}

/// <summary>A decoded record with absolute offset and timestamp.</summary>
public sealed record Record(long Offset, long Timestamp, byte[]? Key, byte[]? Value, IReadOnlyList<RecordHeader> Headers);
