using KafkaActors.Errors;

namespace KafkaActors.Transactions;

/// <summary>
/// The transaction state of one transactional producer, with Java's transition rules. Shared deliberately: the
/// facade, stream stages and the ProducerActor's told-records path check it on every send (a volatile read), and
/// BeginTransaction changes it on the caller's thread as Java's does, and so does a record refused before it
/// reached a batch (it makes the transaction abortable, as Java's doSend does); every other transition is made by
/// the ProducerActor's <see cref="TransactionManager"/>. Thread-safe: transitions under a lock.
/// </summary>
internal sealed class TransactionStateMachine(string transactionalId)
{
    private readonly object _lock = new();
    private volatile TransactionState _state = TransactionState.Uninitialized;
    private Exception? _lastError;

    public string TransactionalId { get; } = transactionalId;

    public TransactionState State => _state;

    /// <summary>The error that put the producer in AbortableError or FatalError.</summary>
    public Exception? LastError
    {
        get { lock (_lock) return _lastError; }
    }

    /// <summary>Java's beginTransaction: only from Ready; local, no request.</summary>
    public void BeginTransaction()
    {
        lock (_lock)
        {
            ThrowIfFailed("BeginTransaction");
            if (_state != TransactionState.Ready)
                throw Refused("BeginTransaction", _state == TransactionState.Uninitialized ? "call InitTransactions first" : "a transaction is already open or completing");
            _state = TransactionState.InTransaction;
        }
    }

    /// <summary>Every send checks this: records may be sent only inside a transaction that has not failed.</summary>
    public void EnsureSendAllowed(string operation = "send")
    {
        var state = _state;
        if (state == TransactionState.InTransaction) return;
        lock (_lock)
        {
            if (_state is TransactionState.AbortableError or TransactionState.FatalError)
                throw new TransactionStateException(_state,
                    $"Cannot {operation} in state {_state}: an earlier send or request of the transaction failed ({_lastError?.Message}). {Advice(_state)}", _lastError);
            if (_state != TransactionState.InTransaction)
                throw Refused(operation, _state == TransactionState.Ready ? "call BeginTransaction first" : "no transaction is open");
        }
    }

    /// <summary>
    /// Moves to <paramref name="target"/> when Java allows it from the current state; otherwise throws a
    /// <see cref="TransactionStateException"/> naming both, for <paramref name="operation"/>.
    /// </summary>
    public void TransitionTo(TransactionState target, string operation)
    {
        lock (_lock)
        {
            if (target != TransactionState.FatalError)
                ThrowIfFailed(operation, abortableAllowed: target is TransactionState.Aborting or TransactionState.AbortableError);
            if (!IsValid(_state, target))
                throw Refused(operation, $"it cannot move from {_state} to {target}");
            _state = target;
        }
    }

    /// <summary>A send or request of the open transaction failed: only an abort is possible now. False when already fatal or ended.</summary>
    public bool TryEnterAbortableError(Exception error)
    {
        lock (_lock)
        {
            if (_state is not (TransactionState.InTransaction or TransactionState.Committing or TransactionState.AbortableError or TransactionState.Initializing)) return false;
            if (_state != TransactionState.AbortableError) _lastError = error;
            _state = TransactionState.AbortableError;
            return true;
        }
    }

    /// <summary>The producer cannot go on (fenced, not authorized): every later call fails with <paramref name="error"/>.</summary>
    public void EnterFatalError(Exception error)
    {
        lock (_lock)
        {
            if (_state == TransactionState.FatalError) return;
            _lastError = error;
            _state = TransactionState.FatalError;
        }
    }

    /// <summary>The transactional id and state, for messages.</summary>
    public override string ToString() => $"transactional.id {TransactionalId} in state {_state}";

    /// <summary>Java's isTransitionValid.</summary>
    private static bool IsValid(TransactionState source, TransactionState target) => target switch
    {
        TransactionState.Initializing => source is TransactionState.Uninitialized or TransactionState.Aborting,
        TransactionState.Ready => source is TransactionState.Initializing or TransactionState.Committing or TransactionState.Aborting,
        TransactionState.InTransaction => source == TransactionState.Ready,
        TransactionState.Committing => source == TransactionState.InTransaction,
        TransactionState.Aborting => source is TransactionState.InTransaction or TransactionState.AbortableError,
        TransactionState.AbortableError => source is TransactionState.InTransaction or TransactionState.Committing or TransactionState.AbortableError or TransactionState.Initializing,
        TransactionState.FatalError => true,
        _ => false,
    };

    private void ThrowIfFailed(string operation, bool abortableAllowed = false)
    {
        if (_state == TransactionState.FatalError || (_state == TransactionState.AbortableError && !abortableAllowed))
            throw new TransactionStateException(_state,
                $"Cannot {operation} in state {_state} ({TransactionalId}): {_lastError?.Message} {Advice(_state)}", _lastError);
    }

    private TransactionStateException Refused(string operation, string why) =>
        new(_state, $"Cannot {operation} for transactional.id {TransactionalId} in state {_state}: {why}.");

    private static string Advice(TransactionState state) => state == TransactionState.FatalError
        ? "The producer can only be closed."
        : "Call AbortTransaction; the producer is usable after it.";
}
