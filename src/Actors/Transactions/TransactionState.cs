namespace KafkaActors.Transactions;

/// <summary>Where a transactional producer is (Java's <c>TransactionManager.State</c>).</summary>
public enum TransactionState
{
    /// <summary>Created: InitTransactions has not been called.</summary>
    Uninitialized,
    /// <summary>InitTransactions is finding the coordinator and getting a producer id and epoch (or an abort bumps the epoch).</summary>
    Initializing,
    /// <summary>No transaction is open: BeginTransaction may be called.</summary>
    Ready,
    /// <summary>A transaction is open: records and offsets sent now belong to it.</summary>
    InTransaction,
    /// <summary>CommitTransaction: sending what is buffered, then EndTxn(commit).</summary>
    Committing,
    /// <summary>AbortTransaction: failing what was not sent, then EndTxn(abort).</summary>
    Aborting,
    /// <summary>A send or request of the transaction failed: only AbortTransaction is allowed; the producer stays usable after it.</summary>
    AbortableError,
    /// <summary>The producer was fenced or refused (authorization): it can only be closed.</summary>
    FatalError,
}
