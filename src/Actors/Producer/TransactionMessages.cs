namespace KafkaActors;

// The Tell protocol of transactions: messages to the producer actor (a ProducerActor, or KafkaProducer.Actor) of a
// producer with a transactional.id, each answered to its sender. Records told between BeginTransaction and
// CommitTransaction (or AbortTransaction) belong to that transaction; records told outside one fail with a
// TransactionStateException.

/// <summary>Java's initTransactions: find the coordinator and get the producer id and epoch, aborting what a previous instance left open. Answered <see cref="TransactionsInitialized"/> or <see cref="TransactionFailed"/>.</summary>
public sealed class InitTransactions
{
    public static readonly InitTransactions Instance = new();
    private InitTransactions() { }
}

/// <summary>Open a transaction (no request is sent). Answered <see cref="TransactionBegun"/> or <see cref="TransactionFailed"/>.</summary>
public sealed class BeginTransaction
{
    public static readonly BeginTransaction Instance = new();
    private BeginTransaction() { }
}

/// <summary>
/// Add consumed offsets to the open transaction: they are committed for <see cref="Group"/> if, and only if, the
/// transaction commits. Answered <see cref="OffsetsSentToTransaction"/> or <see cref="TransactionFailed"/>.
/// </summary>
public sealed record SendOffsetsToTransaction(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> Offsets, ConsumerGroupMetadata Group);

/// <summary>Send what is buffered, then commit. Answered <see cref="TransactionCommitted"/> or <see cref="TransactionFailed"/>; after a failure, abort.</summary>
public sealed class CommitTransaction
{
    public static readonly CommitTransaction Instance = new();
    private CommitTransaction() { }
}

/// <summary>Fail what was not sent and abort. Answered <see cref="TransactionAborted"/> or <see cref="TransactionFailed"/>.</summary>
public sealed class AbortTransaction
{
    public static readonly AbortTransaction Instance = new();
    private AbortTransaction() { }
}

/// <summary>The answer to <see cref="InitTransactions"/>: the producer is ready for its first transaction.</summary>
public sealed class TransactionsInitialized
{
    public static readonly TransactionsInitialized Instance = new();
    private TransactionsInitialized() { }
}

/// <summary>The answer to <see cref="BeginTransaction"/>: records told from now on belong to the transaction.</summary>
public sealed class TransactionBegun
{
    public static readonly TransactionBegun Instance = new();
    private TransactionBegun() { }
}

/// <summary>The answer to <see cref="SendOffsetsToTransaction"/>: the offsets are part of the open transaction.</summary>
public sealed class OffsetsSentToTransaction
{
    public static readonly OffsetsSentToTransaction Instance = new();
    private OffsetsSentToTransaction() { }
}

/// <summary>The answer to <see cref="CommitTransaction"/>: every record of the transaction is written and committed.</summary>
public sealed class TransactionCommitted
{
    public static readonly TransactionCommitted Instance = new();
    private TransactionCommitted() { }
}

/// <summary>The answer to <see cref="AbortTransaction"/>: the transaction is aborted; the producer is ready for the next one.</summary>
public sealed class TransactionAborted
{
    public static readonly TransactionAborted Instance = new();
    private TransactionAborted() { }
}

/// <summary>
/// A transactional message could not be carried out: <see cref="Cause"/> says why (a TransactionStateException for a
/// call in the wrong state, the broker's error otherwise). After a failed commit, abort; after a fatal error, close.
/// </summary>
public sealed record TransactionFailed(Exception Cause);
