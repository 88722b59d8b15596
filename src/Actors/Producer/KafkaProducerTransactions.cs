using System.Runtime.ExceptionServices;
using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Transactions;

namespace KafkaActors;

/// <summary>
/// Java's transactional API on the facade, for a producer with a transactional.id. Each call is a message to the
/// producer actor (<see cref="InitTransactions"/>, <see cref="CommitTransaction"/>, …), answered once the
/// coordinator has; the blocking forms wait at most their timeout (max.block.ms by default) and then throw
/// <see cref="KafkaTimeoutException"/> while the operation goes on: calling again awaits the same result, as in Java.
/// Thread-safe; one transaction at a time per producer.
/// </summary>
public sealed partial class KafkaProducer<TKey, TValue>
{
    /// <summary>The transaction state (null for a producer without transactional.id).</summary>
    public TransactionState? TransactionState => _runtime.Transactions?.State;

    /// <summary>
    /// Java's initTransactions: finds the coordinator, gets the producer id and epoch, and lets the coordinator
    /// finish what an earlier producer with the same transactional.id left open. Call once, before the first transaction.
    /// </summary>
    /// <exception cref="KafkaTimeoutException">Not done within <paramref name="timeout"/> (max.block.ms by default); call again to keep waiting.</exception>
    /// <exception cref="ProducerFencedException">Another producer took over the transactional.id.</exception>
    public void InitTransactions(TimeSpan? timeout = null) => Await<TransactionsInitialized>(KafkaActors.InitTransactions.Instance, "InitTransactions", timeout);

    /// <inheritdoc cref="InitTransactions(TimeSpan?)"/>
    public Task InitTransactionsAsync(CancellationToken cancellation = default) =>
        AskAsync<TransactionsInitialized>(KafkaActors.InitTransactions.Instance, cancellation);

    /// <summary>Java's beginTransaction: opens a transaction (no request is sent); records sent from now on belong to it.</summary>
    /// <exception cref="TransactionStateException">Not Ready: before InitTransactions, with a transaction open, or after an error.</exception>
    public void BeginTransaction()
    {
        // In FatalError the pipeline would throw the bare fatal error; the state machine's refusal names the state
        // (TransactionStateException, the cause inside), as documented for every call in an error state.
        if (Machine.State != Transactions.TransactionState.FatalError) _runtime.Pipeline.ThrowIfClosed();
        Machine.BeginTransaction();
    }

    /// <summary>
    /// Java's sendOffsetsToTransaction: the consumer offsets of <paramref name="group"/> are committed with the
    /// transaction, and only if it commits. Each offset is the next one to consume (last consumed + 1).
    /// </summary>
    public void SendOffsetsToTransaction(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group, TimeSpan? timeout = null) =>
        Await<OffsetsSentToTransaction>(new KafkaActors.SendOffsetsToTransaction(offsets, group), "SendOffsetsToTransaction", timeout);

    /// <inheritdoc cref="SendOffsetsToTransaction(IReadOnlyDictionary{TopicPartition,OffsetAndMetadata},ConsumerGroupMetadata,TimeSpan?)"/>
    public Task SendOffsetsToTransactionAsync(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group, CancellationToken cancellation = default) =>
        AskAsync<OffsetsSentToTransaction>(new KafkaActors.SendOffsetsToTransaction(offsets, group), cancellation);

    /// <summary>
    /// Java's commitTransaction: sends what is buffered, waits for every record of the transaction, then commits.
    /// If a record failed, the commit fails (<see cref="TransactionStateException"/> in state AbortableError, with the
    /// record's error inside): call <see cref="AbortTransaction"/>, after which the producer is usable again.
    /// </summary>
    public void CommitTransaction(TimeSpan? timeout = null) => Await<TransactionCommitted>(KafkaActors.CommitTransaction.Instance, "CommitTransaction", timeout);

    /// <inheritdoc cref="CommitTransaction(TimeSpan?)"/>
    public Task CommitTransactionAsync(CancellationToken cancellation = default) =>
        AskAsync<TransactionCommitted>(KafkaActors.CommitTransaction.Instance, cancellation);

    /// <summary>
    /// Java's abortTransaction: records not yet sent fail with <see cref="TransactionAbortedException"/>, sent ones
    /// complete, then the transaction is aborted (read_committed consumers never see its records).
    /// </summary>
    public void AbortTransaction(TimeSpan? timeout = null) => Await<TransactionAborted>(KafkaActors.AbortTransaction.Instance, "AbortTransaction", timeout);

    /// <inheritdoc cref="AbortTransaction(TimeSpan?)"/>
    public Task AbortTransactionAsync(CancellationToken cancellation = default) =>
        AskAsync<TransactionAborted>(KafkaActors.AbortTransaction.Instance, cancellation);

    private TransactionStateMachine Machine => _runtime.Transactions
        ?? throw new KafkaException("Transactional method invoked on a non-transactional producer: set transactional.id.");

    private void Await<TReply>(object message, string operation, TimeSpan? timeout)
    {
        _ = Machine;
        var wait = timeout ?? TimeSpan.FromMilliseconds(_runtime.Settings.MaxBlockMs);
        object reply;
        try
        {
            reply = Actor.Ask<object>(message, wait < TimeSpan.Zero ? TimeSpan.Zero : wait).GetAwaiter().GetResult();
        }
        catch (AskTimeoutException e)
        {
            throw new KafkaTimeoutException($"Timeout expired after {(long)wait.TotalMilliseconds} ms while awaiting {operation}; it goes on, and calling it again awaits it.", e);
        }
        Unwrap<TReply>(reply);
    }

    private async Task AskAsync<TReply>(object message, CancellationToken cancellation)
    {
        _ = Machine;
        Unwrap<TReply>(await Actor.Ask<object>(message, cancellation).ConfigureAwait(false));
    }

    private static void Unwrap<TReply>(object reply)
    {
        switch (reply)
        {
            case TReply:
                return;
            case TransactionFailed failed:
                ExceptionDispatchInfo.Throw(failed.Cause);
                return;
            default:
                throw new KafkaException($"Unexpected answer {reply} from the producer actor.");
        }
    }
}
