namespace KafkaActors.Partitioning;

/// <summary>What a partitioner knows about a topic: its partition count and the partitions that have a leader now.</summary>
public readonly ref struct PartitionerContext(int partitionCount, ReadOnlySpan<int> availablePartitions)
{
    public int PartitionCount { get; } = partitionCount;
    public ReadOnlySpan<int> AvailablePartitions { get; } = availablePartitions;
}

/// <summary>
/// Chooses the partition of a record that has none set (Java's <c>Partitioner</c>). Called on the
/// sending thread with the serialized key and value: must be thread-safe and allocation-free.
/// </summary>
public interface IPartitioner
{
    int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context);

    /// <summary>Told after a record of <paramref name="bytes"/> was appended to the partition this partitioner chose.</summary>
    void OnAppended(string topic, int partition, int bytes) { }
}
