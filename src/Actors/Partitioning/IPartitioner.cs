namespace KafkaActors.Partitioning;

/// <summary>What a partitioner knows about a topic: its partition count and the partitions that have a leader now.</summary>
public readonly ref struct PartitionerContext(int partitionCount, ReadOnlySpan<int> availablePartitions)
{
    internal PartitionerContext(int partitionCount, ReadOnlySpan<int> availablePartitions, ITopicLoad? load, bool availableFixedWithLoad = false)
        : this(partitionCount, availablePartitions)
    {
        Load = load;
        AvailableFixedWithLoad = availableFixedWithLoad && load is not null;
    }

    public int PartitionCount { get; } = partitionCount;
    public ReadOnlySpan<int> AvailablePartitions { get; } = availablePartitions;

    /// <summary>The partitions' queues, for the built-in partitioner's adaptive choice; null when unknown.</summary>
    internal ITopicLoad? Load { get; }

    /// <summary>
    /// Every context with this <see cref="Load"/> carries these same available partitions (both come from one immutable
    /// route), so a partition once found among them stays found while the load is the same object.
    /// </summary>
    internal bool AvailableFixedWithLoad { get; }
}

/// <summary>
/// Chooses the partition of a record that has none set (Java's <c>Partitioner</c>). Called with the
/// serialized key and value on the thread that appends (the sender's, the producer actor's or a stream
/// stage's): must be thread-safe and allocation-free. An exception it throws fails that record only:
/// thrown to a sender that appends at once (as Java's send throws it), else the record's outcome. One
/// thrown by <see cref="OnAppended"/> is logged and ignored, since the record is already in its batch.
/// </summary>
public interface IPartitioner
{
    int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context);

    /// <summary>
    /// Told after a record this partitioner placed was appended to <paramref name="partition"/>: <paramref name="bytes"/>
    /// is what it added to its batch (for the record that opened a batch, with the batch header, as Java counts).
    /// </summary>
    void OnAppended(string topic, int partition, int bytes) { }
}
