namespace KafkaActors.Streams;

/// <summary>
/// Where a consumed record came from: its partition and its offset (the record's own, not the next one). Carried as
/// the pass-through of a transactional flow or sink, it is committed for the stream's consumer group with the
/// transaction that wrote the record's results, as <c>Offset + 1</c> (the next record to consume), as Alpakka Kafka's
/// <c>PartitionOffset</c> is. Immutable.
/// </summary>
public readonly record struct PartitionOffset(TopicPartition TopicPartition, long Offset);
