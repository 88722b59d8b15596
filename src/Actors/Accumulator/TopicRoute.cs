using KafkaActors.Partitioning;

namespace KafkaActors.Accumulator;

/// <summary>
/// What a sender needs to place a record of one topic: the partition count, the partitions that
/// currently have a leader (for sticky partitioning), and each partition's accumulator, whose published
/// queue sizes the built-in partitioner weighs (<see cref="ITopicLoad"/>). Immutable (but for <see cref="Usage"/>,
/// which a new route of the topic takes over, the cached <see cref="Sticky"/> and <see cref="SenderTopic"/>, and
/// <see cref="IsSuperseded"/>); replaced as a whole when metadata changes (the accumulators, and what they publish, carry over).
/// Thread-safe: any thread may write those; racing writers store equivalent values (the topic's one partitioner state, equal
/// topic strings, true), so whichever write lands is right.
/// </summary>
internal sealed class TopicRoute(string topic, PartitionAccumulator[] partitions, int[] available, TopicUsage? usage = null) : ITopicLoad
{
    public string Topic { get; } = topic;
    public PartitionAccumulator[] Partitions { get; } = partitions;
    public int PartitionCount => Partitions.Length;

    /// <summary>When the topic was last sent to (metadata.max.idle.ms).</summary>
    public TopicUsage Usage { get; } = usage ?? new TopicUsage();

    /// <summary>
    /// The built-in partitioner's state for this topic, looked up by name once per route instead of twice per record.
    /// Set lazily by any sender; racing senders store the same object (the partitioner's one per topic).
    /// </summary>
    public BuiltInPartitioner? Sticky { get; set; }

    /// <summary>
    /// The string instance senders last named this topic with, by which <see cref="RecordAccumulator.TryGetRoute"/>
    /// recognises its cached route; set by any sender that found the route by name.
    /// </summary>
    public string? SenderTopic
    {
        get => Volatile.Read(ref _senderTopic);
        set => Volatile.Write(ref _senderTopic, value);
    }

    private string? _senderTopic;

    /// <summary>Replaced by a newer route of the topic, or removed: found only by name from now on.</summary>
    public bool IsSuperseded => _superseded;

    private volatile bool _superseded;

    /// <summary>RecordAccumulator, once the topic's route has been replaced or removed.</summary>
    public void Supersede() => _superseded = true;

    /// <summary>Partitions with a known leader; all of them when none has one (Java falls back the same way).</summary>
    public int[] AvailablePartitions { get; } = available.Length > 0 ? available : Enumerable.Range(0, partitions.Length).ToArray();

    public int QueuedBatches(int partition) => Partitions[partition].QueuedBatches;

    public long StalledSinceMs(int partition) => Partitions[partition].StalledSinceMs;

    public bool HasOpenBatch(int partition) => Partitions[partition].HasOpenBatch;
}
