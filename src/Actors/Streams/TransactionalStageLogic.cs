using Akka;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using KafkaActors.Errors;
using KafkaActors.Transactions;
using Directive = Akka.Streams.Supervision.Directive;

namespace KafkaActors.Streams;

/// <summary>
/// One materialization of a transactional flow or sink: <see cref="ProducerStageLogic{TIn,TKey,TValue,TOut}"/>'s
/// send path inside transactions of its producer, which it has to itself while it runs. Not thread-safe: owned by
/// the stage; the producer's answers come back through async callbacks.
///
/// Lifecycle: InitTransactions (unless the producer is already Ready) → Ready → the first element begins a
/// transaction (BeginTransaction, and the <see cref="TransactionalStreamSettings.CommitInterval"/> timer) →
/// InTransaction → after <see cref="TransactionalStreamSettings.CommitEveryRecords"/> records, when the timer
/// fires, or when upstream completes, and once no record waits for metadata or memory: Committing, with nothing
/// pulled (SendOffsetsToTransaction with the highest offset + 1 per partition, then CommitTransaction; an element
/// pulled before the commit began is held for the next transaction) → Ready, and the transaction's results are
/// emitted in input order. Results leave only once their transaction committed.
///
/// Any failure (a record, the offsets, the commit, upstream, downstream cancelling) aborts the open transaction and
/// then fails the stage (completes it, for a cancellation), whatever the supervision strategy: a transaction with a
/// failed record can only be aborted. A failure during a commit waits for its outcome: committed, the stage fails;
/// failed, it aborts first. Stopped abruptly (the materializer shut down), it aborts without waiting. A producer the
/// stage created for this materialization is closed when it stops.
/// </summary>
internal sealed class TransactionalStageLogic<TIn, TKey, TValue, TOut> : ProducerStageLogic<TIn, TKey, TValue, TOut>
{
    private enum Phase
    {
        Initializing,
        Ready,
        InTransaction,
        Committing,
        Aborting,
    }

    private static readonly object CommitTimer = new();

    private readonly KafkaProducer<TKey, TValue> _producer;
    private readonly int _parallelism;
    private readonly int _commitEveryRecords;
    private readonly TimeSpan _commitInterval;
    private readonly ConsumerGroupMetadata? _group;
    private readonly Func<TIn, PartitionOffset?>? _offsetOf;
    private readonly bool _ownsProducer;
    private readonly Dictionary<TopicPartition, long> _offsets = new(); // highest consumed offset per partition in the open transaction
    private readonly Action<Task> _onInitialized;
    private readonly Action<Task> _onOffsetsSent;
    private readonly Action<Task> _onCommitted;
    private readonly Action<Task> _onAborted;
    private Phase _phase = Phase.Initializing;
    private int _records;          // records taken into the open transaction
    private bool _commitDue;       // the open transaction is to commit as soon as no record waits
    private int _releasable;       // records at the head of the queue whose transaction committed
    private Exception? _failure;   // the stage fails with it once the open transaction is aborted
    private bool _cancelled;       // downstream cancelled: abort, then complete
    private TIn? _held;            // pushed while committing (pulled before the commit began)
    private bool _holding;

    public TransactionalStageLogic(
        Shape shape,
        Inlet<TIn> inlet,
        Outlet<TOut>? outlet,
        KafkaProducer<TKey, TValue> producer,
        int parallelism,
        Attributes attributes,
        Func<TIn, ProducerRecord<TKey, TValue>> recordOf,
        Func<RecordMetadata, ProducerRecord<TKey, TValue>, TIn, TOut>? onSuccess,
        TaskCompletionSource<Done>? completion,
        StageTransactions<TIn> transactions)
        : base(shape, inlet, outlet, producer, parallelism, attributes, recordOf, onSuccess, onFailure: null, completion)
    {
        _producer = producer;
        _parallelism = parallelism;
        _commitEveryRecords = transactions.Settings.CommitEveryRecords;
        _commitInterval = transactions.Settings.CommitInterval;
        _group = transactions.Settings.ConsumerGroup;
        _offsetOf = transactions.OffsetOf;
        _ownsProducer = transactions.OwnsProducer;
        _onInitialized = GetAsyncCallback<Task>(OnInitialized);
        _onOffsetsSent = GetAsyncCallback<Task>(OnOffsetsSent);
        _onCommitted = GetAsyncCallback<Task>(OnCommitted);
        _onAborted = GetAsyncCallback<Task>(OnAborted);
    }

    public override void PreStart()
    {
        base.PreStart(); // pulls nothing while Initializing
        var state = _producer.TransactionState;
        if (state == TransactionState.Uninitialized)
        {
            Then(_producer.InitTransactionsAsync(), _onInitialized);
        }
        else if (state == TransactionState.Ready)
        {
            _phase = Phase.Ready;
            PullIfRoom();
        }
        else
        {
            Fail(new TransactionStateException(state!.Value,
                $"A transactional stage needs its producer to itself, Ready or not yet initialized; its transaction state is {state}."));
        }
    }

    protected override bool MayPull => _phase is Phase.Ready or Phase.InTransaction && !_commitDue && _failure is null;

    protected override bool OnElement(TIn element)
    {
        switch (_phase)
        {
            case Phase.Committing:
                // Pulled before the commit began: it belongs to the next transaction, sent once this one committed.
                _held = element;
                _holding = true;
                return false;
            case Phase.Aborting:
                return false; // the stage fails once the abort is done
        }
        if (_phase == Phase.Ready)
        {
            try
            {
                _producer.BeginTransaction();
            }
            catch (Exception e)
            {
                Fail(e);
                return false;
            }
            _phase = Phase.InTransaction;
            ScheduleOnce(CommitTimer, _commitInterval);
        }
        PartitionOffset? offset;
        try
        {
            offset = _offsetOf?.Invoke(element);
        }
        catch (Exception e)
        {
            Fail(e); // user code: its transaction is aborted like any other failure's
            return false;
        }
        if (offset is { } consumed && (!_offsets.TryGetValue(consumed.TopicPartition, out var highest) || consumed.Offset > highest))
            _offsets[consumed.TopicPartition] = consumed.Offset;
        // Full at N records, or when the queue is (a transaction's records hold their slots until it commits).
        if (++_records >= _commitEveryRecords || InFlight + 1 >= _parallelism) _commitDue = true;
        return true;
    }

    protected override void OnAppended()
    {
        if (_commitDue) StartCommit();
    }

    protected override void OnTimer(object timerKey)
    {
        if (_phase != Phase.InTransaction || _failure is not null) return;
        _commitDue = true;
        if (!IsWaiting) StartCommit();
    }

    protected override bool TryRelease()
    {
        if (_releasable == 0) return false;
        _releasable--;
        return true;
    }

    protected override bool OnInputDrained()
    {
        if (_failure is not null) return false;
        if (_phase == Phase.InTransaction) StartCommit(); // graceful completion commits the tail
        return _phase == Phase.Ready;
    }

    // Records of a transaction commit or abort together: dropping one and going on is not an option.
    protected override Directive DirectiveFor(Exception error) => Directive.Stop;

    protected override void Fail(Exception error)
    {
        if (_failure is not null) return; // the first failure is the stage's; an abort for it is under way
        _failure = error;
        switch (_phase)
        {
            case Phase.InTransaction:
                Abort();
                break;
            case Phase.Committing: // OnCommitted (or OnOffsetsSent) decides
            case Phase.Aborting:
                break;
            default:
                End();
                break;
        }
    }

    public override void OnDownstreamFinish(Exception cause)
    {
        // Results can no longer be emitted: abort what they belong to, then stop as the base stage does.
        _cancelled = true;
        Fail(cause);
    }

    private void StartCommit()
    {
        if (_phase != Phase.InTransaction || IsWaiting || _failure is not null) return;
        _phase = Phase.Committing;
        CancelTimer(CommitTimer);
        if (_offsets.Count == 0)
        {
            Then(_producer.CommitTransactionAsync(), _onCommitted);
            return;
        }
        var offsets = new Dictionary<TopicPartition, OffsetAndMetadata>(_offsets.Count);
        foreach (var (partition, consumed) in _offsets) offsets[partition] = new OffsetAndMetadata(consumed + 1);
        _offsets.Clear();
        Then(_producer.SendOffsetsToTransactionAsync(offsets, _group!), _onOffsetsSent);
    }

    private void OnInitialized(Task init)
    {
        if (init.Exception is { } e)
        {
            _failure ??= e.GetBaseException();
            End();
            return;
        }
        _phase = Phase.Ready;
        if (_failure is not null)
        {
            End();
            return;
        }
        PullIfRoom();
        MaybeComplete();
    }

    private void OnOffsetsSent(Task sent)
    {
        if (sent.Exception is { } e) _failure ??= e.GetBaseException();
        if (_failure is not null) Abort();
        else Then(_producer.CommitTransactionAsync(), _onCommitted);
    }

    private void OnCommitted(Task commit)
    {
        if (commit.Exception is { } e)
        {
            _failure ??= e.GetBaseException();
            Abort();
            return;
        }
        _phase = Phase.Ready;
        _records = 0;
        _commitDue = false;
        // Nothing is pulled while committing: every record still queued belongs to a committed transaction.
        _releasable = InFlight;
        if (_failure is not null)
        {
            End();
            return;
        }
        if (_holding)
        {
            var element = _held!;
            _held = default;
            _holding = false;
            if (OnElement(element)) Send(element);
        }
        Emit(); // pulls again, and completes once upstream has and everything is out
    }

    private void Abort()
    {
        _phase = Phase.Aborting;
        CancelTimer(CommitTimer);
        _offsets.Clear();
        Then(_producer.AbortTransactionAsync(), _onAborted);
    }

    private void OnAborted(Task abort)
    {
        _phase = Phase.Ready;
        if (abort.Exception is { } e)
            Log.Error(e.GetBaseException(), "Aborting the transaction of the failed stream failed too; the coordinator aborts it after transaction.timeout.ms.");
        End();
    }

    /// <summary>Nothing is open any more: complete (downstream cancelled) or fail with the first failure.</summary>
    private void End()
    {
        if (_cancelled) CompleteStage();
        else base.Fail(_failure!);
    }

    private static void Then(Task task, Action<Task> callback) =>
        task.ContinueWith(callback, TaskContinuationOptions.ExecuteSynchronously);

    public override void PostStop()
    {
        // Stopped abruptly (e.g. the materializer shut down) with a transaction open: abort it, without waiting.
        var aborted = Task.CompletedTask;
        if (_phase == Phase.InTransaction && _producer.TransactionState is TransactionState.InTransaction or TransactionState.AbortableError)
            aborted = _producer.AbortTransactionAsync();
        base.PostStop();
        // A producer the stage created goes with it, once nothing of its transaction is open (a close does not abort).
        if (_ownsProducer) aborted = aborted.ContinueWith(_ => _producer.DisposeAsync().AsTask(), TaskContinuationOptions.ExecuteSynchronously).Unwrap();
        aborted.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.ExecuteSynchronously);
    }
}
