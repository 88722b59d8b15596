namespace KafkaActors.Partitioning;

/// <summary>
/// What the built-in partitioner reads about a topic's partitions when it switches its sticky partition
/// (KIP-794): values that each partition's actor publishes after each drain, read without locks by the
/// appending threads. Slightly stale values are fine: they only weigh a random choice. Thread-safe.
/// </summary>
internal interface ITopicLoad
{
    /// <summary>Batches the partition holds past its open batch: sealed, in flight and waiting for a retry.</summary>
    int QueuedBatches(int partition);

    /// <summary>
    /// Since when (ms on the monotonic clock) the partition has had batches ready that it could not send;
    /// <see cref="long.MaxValue"/> while it is not stalled.
    /// </summary>
    long StalledSinceMs(int partition);

    /// <summary>Whether the partition has an open batch (one that appends still go to); a hint, read without its lock.</summary>
    bool HasOpenBatch(int partition);
}
