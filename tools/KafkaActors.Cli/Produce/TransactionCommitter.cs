using KafkaActors.Errors;
using KafkaActors.Transactions;

namespace KafkaActors.Cli.Produce;

/// <summary>
/// The transactions of <c>produce --transactional-id</c>: one is begun before the first record after a commit, and
/// committed after <c>recordsPerTransaction</c> records or at the end of the input. A transaction that does not
/// commit is reported as one line on <paramref name="errors"/> (the lines it held and why) and aborted when the
/// producer allows it. A transaction in which a record failed is aborted, never committed: the producer fails the
/// commit when a batch failed, but a record failed before it was batched (e.g. no metadata for its topic within
/// max.block.ms) does not fail the commit. Owned by the command's send loop; not thread-safe.
/// </summary>
internal sealed class TransactionCommitter(KafkaProducer<string?, string?> producer, int recordsPerTransaction, DeliveryTracker tracker, TextWriter errors)
{
    private long _firstLine;
    private long _lastLine;
    private int _records;
    private long _failedBefore;

    /// <summary>The number of the open (or last) transaction, from 1.</summary>
    public int Number { get; private set; }

    public int Committed { get; private set; }

    public int Failed { get; private set; }

    public bool IsOpen { get; private set; }

    /// <summary>True while the producer can begin another transaction (not after a fatal error or a failed abort).</summary>
    public bool CanContinue => producer.TransactionState == TransactionState.Ready;

    /// <summary>Java's initTransactions; a failure (e.g. authorization) propagates and ends the run.</summary>
    public void Init() => producer.InitTransactions();

    /// <summary>Before the record of input line <paramref name="line"/> is sent: begins a transaction unless one is open.</summary>
    public void BeforeSend(long line)
    {
        if (!IsOpen)
        {
            producer.BeginTransaction();
            IsOpen = true;
            Number++;
            _firstLine = line;
            _records = 0;
            _failedBefore = tracker.Failed;
        }
        _lastLine = line;
    }

    /// <summary>After a record was handed to the producer: commits once the transaction holds enough records.</summary>
    /// <returns>False when that commit failed.</returns>
    public bool AfterSend() => ++_records < recordsPerTransaction || Complete();

    /// <summary>
    /// Ends the open transaction, if any: commits it, or aborts it when one of its records has failed (a commit would
    /// leave that record out).
    /// </summary>
    /// <returns>True when it committed or none was open.</returns>
    public bool Complete()
    {
        if (!IsOpen) return true;
        IsOpen = false;
        // Failures before the send returned are counted by now (the producer completes them in Send).
        if (tracker.Failed > _failedBefore && tracker.LastFailure is { } failure)
        {
            Fail("was aborted: a record failed", failure);
            return false;
        }
        try
        {
            producer.CommitTransaction();
            Committed++;
            return true;
        }
        catch (KafkaException e)
        {
            Fail("was not committed", e);
            return false;
        }
    }

    /// <summary>Aborts the open transaction because the input stopped early (<paramref name="why"/> is printed by the caller).</summary>
    public void AbortOpen()
    {
        if (!IsOpen) return;
        IsOpen = false;
        Failed++;
        TryAbort();
    }

    private void Fail(string what, Exception exception)
    {
        Failed++;
        // A commit refused in AbortableError or FatalError carries the error that caused it: that is what the user needs.
        var cause = exception is TransactionStateException { InnerException: { } inner } ? inner : exception;
        errors.WriteLine($"Error: transaction {Number} ({Lines}) {what}: {cause.GetType().Name}: {cause.Message}");
        TryAbort();
    }

    private string Lines => _firstLine == _lastLine ? $"line {_firstLine}" : $"lines {_firstLine}-{_lastLine}";

    private void TryAbort()
    {
        if (producer.TransactionState is not (TransactionState.InTransaction or TransactionState.AbortableError)) return;
        try
        {
            producer.AbortTransaction();
        }
        catch (KafkaException)
        {
            // Then the producer is not Ready (CanContinue is false), and closing it ends the run.
        }
    }
}
