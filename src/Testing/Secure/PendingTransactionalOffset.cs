namespace KafkaActors.Testing.Secure;

/// <summary>
/// An offset a transactional producer sent with TxnOffsetCommit and the mock accepted, waiting for the transaction's
/// EndTxn: what Kafka's group coordinator keeps as a pending transactional offset. Immutable; thread-safe.
/// </summary>
/// <param name="TransactionalId">The producer's transactional.id.</param>
/// <param name="ProducerId">The producer id the TxnOffsetCommit carried; EndTxn with this id commits or aborts it.</param>
/// <param name="GroupId">The consumer group the offset is for.</param>
/// <param name="Topic">Topic.</param>
/// <param name="Partition">Partition.</param>
/// <param name="Offset">The committed offset (the next offset the group will read).</param>
/// <param name="LeaderEpoch">The committed leader epoch (-1 when none, and always before TxnOffsetCommit v2).</param>
/// <param name="Metadata">The committed metadata string, or null.</param>
public sealed record PendingTransactionalOffset(
    string TransactionalId,
    long ProducerId,
    string GroupId,
    string Topic,
    int Partition,
    long Offset,
    int LeaderEpoch,
    string? Metadata);
