namespace KafkaActors.Testing;

/// <summary>How a record's timestamp was assigned (the timestamp-type bit of the batch attributes).</summary>
public enum RecordTimestampType
{
    /// <summary>The record carried no timestamp.</summary>
    NotAvailable = -1,
    /// <summary>Set by the producer.</summary>
    CreateTime = 0,
    /// <summary>Set by the broker on append (the mock always writes 1234).</summary>
    LogAppendTime = 1,
}

/// <summary>One record as read back by <see cref="KafkaReader"/>.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition id.</param>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="Key">Key bytes; null for a null key.</param>
/// <param name="Value">Value bytes; null for a tombstone.</param>
/// <param name="Headers">Headers in wire order; a header value may be null.</param>
/// <param name="Timestamp">Unix milliseconds.</param>
/// <param name="TimestampType">Whether <paramref name="Timestamp"/> is create or log-append time.</param>
public sealed record ConsumedRecord(
    string Topic,
    int Partition,
    long Offset,
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<(string Key, byte[]? Value)> Headers,
    long Timestamp,
    RecordTimestampType TimestampType);
