namespace KafkaActors.Streams;

/// <summary>
/// How a <see cref="TransactionalFlow"/> or <see cref="TransactionalSink"/> cuts its stream into transactions: each
/// is committed after <see cref="CommitEveryRecords"/> records or <see cref="CommitInterval"/> after its first record,
/// whichever comes first, and when the stream completes. Immutable.
/// </summary>
public sealed record TransactionalStreamSettings
{
    /// <summary>The default of <see cref="CommitEveryRecords"/>.</summary>
    public const int DefaultCommitEveryRecords = 1000;

    /// <summary>The default of <see cref="CommitInterval"/>: 100 ms, Alpakka Kafka's <c>eos-commit-interval</c>.</summary>
    public static readonly TimeSpan DefaultCommitInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Records per transaction at most: the transaction is committed once it holds this many. Default: 1000.</summary>
    public int CommitEveryRecords { get; init; } = DefaultCommitEveryRecords;

    /// <summary>How long a transaction stays open at most, from its first record. Default: 100 ms.</summary>
    public TimeSpan CommitInterval { get; init; } = DefaultCommitInterval;

    /// <summary>
    /// The consumer group whose offsets (the elements' <see cref="PartitionOffset"/>s) are committed with each
    /// transaction, through SendOffsetsToTransaction. Required when elements carry offsets; pass the consumer's
    /// group metadata (generation and member id) to have a real broker fence zombie consumers (KIP-447).
    /// </summary>
    public ConsumerGroupMetadata? ConsumerGroup { get; init; }

    /// <summary>Throws unless the values are usable; <paramref name="withOffsets"/>: elements carry offsets, so a group is needed.</summary>
    internal void Validate(bool withOffsets)
    {
        if (CommitEveryRecords <= 0)
            throw new ArgumentOutOfRangeException(nameof(CommitEveryRecords), CommitEveryRecords, "Must be positive.");
        if (CommitInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(CommitInterval), CommitInterval, "Must be positive.");
        if (withOffsets && ConsumerGroup is null)
            throw new ArgumentException($"Elements carry consumer offsets: set {nameof(ConsumerGroup)} to the group to commit them for.", nameof(ConsumerGroup));
    }
}
