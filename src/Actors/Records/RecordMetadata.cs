namespace KafkaActors;

/// <summary>
/// Where a record was written (Java's <c>RecordMetadata</c>). A struct: delivering it allocates
/// nothing. <see cref="Offset"/> is -1 when unknown (acks=0, or a failed send); <see cref="Timestamp"/>
/// is the record's CreateTime, or the broker's time for LogAppendTime topics.
/// </summary>
public readonly record struct RecordMetadata(
    string Topic,
    int Partition,
    long Offset,
    long Timestamp,
    int SerializedKeySize,
    int SerializedValueSize)
{
    public const long UnknownOffset = -1;

    public TopicPartition TopicPartition => new(Topic, Partition);

    public bool HasOffset => Offset >= 0;

    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
