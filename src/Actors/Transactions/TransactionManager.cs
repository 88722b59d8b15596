using Akka.Actor;
using Akka.Event;
using KafkaActors.Errors;
using KafkaActors.Network;
using KafkaActors.Partition;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Producer;
using KafkaActors.Settings;

namespace KafkaActors.Transactions;

/// <summary>What <see cref="TransactionManager"/> asks of the ProducerActor, beyond what the producer id needs.</summary>
internal interface ITransactionHost : IProducerIdHost
{
    /// <summary>Sends everything buffered or waiting now; <paramref name="reply"/> is told to the actor once every such record has its outcome.</summary>
    void FlushAll(object reply);

    /// <summary>Fails the records still waiting for metadata or memory.</summary>
    void FailWaitingSends(Exception cause);

    /// <summary>Hands the producer id and epoch to the partitions (sequences restart for a new epoch).</summary>
    void AdoptProducerId(long producerId, short epoch);

    /// <summary>The producer can never send again: every waiting and future record fails with <paramref name="error"/>.</summary>
    void Fatal(Exception error);
}

/// <summary>
/// The transactional half of Java's <c>TransactionManager</c>: finds the transaction coordinator, gets the producer
/// id and epoch (InitTransactions), adds partitions to the transaction before their first batch is sent, adds
/// offsets (AddOffsetsToTxn, then TxnOffsetCommit to the group coordinator), and ends transactions (EndTxn) once
/// every batch is complete. Requests go one at a time, in order, each retried until it succeeds or fails the
/// transaction (abortable) or the producer (fatal), as Java classifies the errors. States and their rules are in
/// <see cref="TransactionStateMachine"/>. A ProducerActor handler: owned by that actor; not thread-safe.
/// </summary>
internal sealed class TransactionManager(ProducerSettings settings, TransactionStateMachine machine, ITransactionHost host,
    IActorRef self, ITimerScheduler timers, ILoggingAdapter log)
{
    private const string RetryTimer = "transaction-retry";
    private readonly string _transactionalId = settings.TransactionalId!;
    private readonly LinkedList<TransactionRequest> _queue = new();
    private readonly Dictionary<string, int> _groupCoordinators = new(StringComparer.Ordinal);
    private readonly HashSet<TopicPartition> _pendingPartitions = [];
    private readonly HashSet<TopicPartition> _addingPartitions = [];
    private readonly HashSet<TopicPartition> _partitionsInTransaction = [];
    private readonly Dictionary<TopicPartition, IActorRef> _partitionActors = [];
    private readonly List<IActorRef> _completionWaiters = [];
    private long _producerId = -1;
    private short _epoch = -1;
    private int _coordinator = -1;
    private TransactionRequest? _inFlight;
    private long _requestId;
    private bool _retryScheduled;
    private int _failures;
    private bool _transactionStarted;
    private bool _epochBumpRequired;
    private long _flushId;
    private bool _abortPending; // the epoch bump runs as the last step of an abort: its waiters hear "aborted"

    public TransactionState State => machine.State;

    // ---- the user's operations ---------------------------------------------------------------

    public void OnInitTransactions(IActorRef replyTo)
    {
        if (machine.State == TransactionState.Initializing && !_abortPending)
        {
            _completionWaiters.Add(replyTo); // a retried call after a timeout awaits the same result, as Java's
            return;
        }
        if (!Try(() => machine.TransitionTo(TransactionState.Initializing, "InitTransactions"), replyTo)) return;
        _completionWaiters.Add(replyTo);
        Enqueue(new InitProducerIdStep(Bump: false));
    }

    public void OnBeginTransaction(IActorRef replyTo)
    {
        if (Try(machine.BeginTransaction, replyTo)) replyTo.Tell(TransactionBegun.Instance);
    }

    public void OnSendOffsets(SendOffsetsToTransaction offsets, IActorRef replyTo)
    {
        if (machine.State != TransactionState.InTransaction)
        {
            Try(() => machine.EnsureSendAllowed("SendOffsetsToTransaction"), replyTo);
            return;
        }
        if (offsets.Offsets.Count == 0)
        {
            replyTo.Tell(OffsetsSentToTransaction.Instance);
            return;
        }
        Enqueue(new AddOffsetsStep(offsets, replyTo));
    }

    public void OnCommit(IActorRef replyTo)
    {
        if (machine.State == TransactionState.Committing)
        {
            _completionWaiters.Add(replyTo);
            return;
        }
        if (!Try(() => machine.TransitionTo(TransactionState.Committing, "CommitTransaction"), replyTo)) return;
        _completionWaiters.Add(replyTo);
        host.FlushAll(new TransactionFlushed(++_flushId));
    }

    public void OnAbort(IActorRef replyTo)
    {
        if (machine.State == TransactionState.Aborting || (machine.State == TransactionState.Initializing && _abortPending))
        {
            _completionWaiters.Add(replyTo);
            return;
        }
        if (!Try(() => machine.TransitionTo(TransactionState.Aborting, "AbortTransaction"), replyTo)) return;
        // A commit still waiting (it failed, or its caller gave up waiting) hears that it did not commit.
        if (_completionWaiters.Count > 0)
            FailWaiters(new TransactionStateException(TransactionState.Aborting, $"The transaction of transactional.id {_transactionalId} was aborted instead of committed.", machine.LastError));
        _completionWaiters.Add(replyTo);
        var aborted = new TransactionAbortedException($"Failing the record: the transaction of transactional.id {_transactionalId} was aborted before it was sent.", machine.LastError);
        AbortUnsent(aborted);
        host.FlushAll(new TransactionFlushed(++_flushId));
    }

    /// <summary>Closing with a transaction open: abort it, as Java's Sender does on a graceful shutdown. False when there is nothing to abort.</summary>
    public bool AbortForClose(IActorRef replyTo)
    {
        if (machine.State is not (TransactionState.InTransaction or TransactionState.AbortableError or TransactionState.Committing or TransactionState.Aborting)) return false;
        if (machine.State == TransactionState.Committing)
        {
            _completionWaiters.Add(replyTo); // let the commit finish
            return true;
        }
        log.Info("Aborting the open transaction of transactional.id {0}: the producer is closing", _transactionalId);
        OnAbort(replyTo);
        return true;
    }

    // ---- from the partitions -----------------------------------------------------------------

    /// <summary>A partition actor has a batch of the open transaction to send: add its partition first.</summary>
    public void OnAddPartition(TopicPartition partition, IActorRef partitionActor)
    {
        _partitionActors[partition] = partitionActor;
        if (_partitionsInTransaction.Contains(partition))
        {
            partitionActor.Tell(PartitionActor.AddedToTransaction.Instance);
            return;
        }
        if (machine.State is not (TransactionState.InTransaction or TransactionState.Committing)) return; // its batches are aborted
        if (_addingPartitions.Contains(partition) || !_pendingPartitions.Add(partition)) return;
        // One AddPartitionsToTxn at a time: partitions asking while one is in flight go in the next (queued on its success).
        if (!_queue.Contains(AddPartitionsStep.Instance)) Enqueue(AddPartitionsStep.Instance);
    }

    /// <summary>A batch of the transaction failed: the transaction can only be aborted now (or the producer is fenced).</summary>
    public void OnBatchFailed(Exception error)
    {
        if (TransactionErrors.IsFatalForBatch(error))
        {
            var fenced = error is ApiException { ErrorCode: ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch } api
                ? new ProducerFencedException(api.ErrorCode, $"{api.Message} Another producer with the same transactional.id has taken over; this one can only be closed.")
                : error;
            Fatal(fenced);
            return;
        }
        EnterAbortableError(error);
    }

    /// <summary>A partition's sequences have a gap (or the broker lost them): the abort that must follow also bumps the epoch (KIP-360).</summary>
    public void OnEpochBumpRequested(long producerId, short epoch)
    {
        if (producerId != _producerId || epoch != _epoch) return;
        _epochBumpRequired = true;
        EnterAbortableError(new OutOfOrderSequenceException(
            $"A batch of transactional.id {_transactionalId} (producer id {producerId}, epoch {epoch}) failed and left a sequence gap; the transaction must be aborted."));
    }

    /// <summary>The flush that commit or abort began has passed: every batch of the transaction has its outcome.</summary>
    public void OnFlushed(TransactionFlushed flushed)
    {
        if (flushed.Id != _flushId) return;
        switch (machine.State)
        {
            case TransactionState.Committing:
                if (_transactionStarted) Enqueue(new EndTxnStep(Commit: true));
                else CompleteTransaction();
                break;
            case TransactionState.Aborting:
                if (_transactionStarted) Enqueue(new EndTxnStep(Commit: false));
                else CompleteTransaction();
                break;
            case TransactionState.AbortableError:
                // A batch failed while committing: the commit fails, and the user aborts.
                FailWaiters(new TransactionStateException(TransactionState.AbortableError,
                    $"Cannot commit the transaction of transactional.id {_transactionalId}: {machine.LastError?.Message} Call AbortTransaction; the producer is usable after it.",
                    machine.LastError));
                break;
        }
    }

    // ---- requests ----------------------------------------------------------------------------

    public void OnRetryDue()
    {
        _retryScheduled = false;
        Pump();
    }

    public void OnCluster() => Pump();

    private void Enqueue(TransactionRequest request)
    {
        _queue.AddLast(request);
        Pump();
    }

    /// <summary>Sends the next request when none is in flight: first the coordinator lookup it needs, if any.</summary>
    private void Pump()
    {
        if (_inFlight is not null || _retryScheduled || _queue.First is not { } first) return;
        var request = first.Value;
        var (type, key) = request.Coordinator;
        var coordinator = type == CoordinatorType.Group ? _groupCoordinators.GetValueOrDefault(key!, -1) : _coordinator;
        int node;
        TransactionRequest sending;
        if (coordinator < 0)
        {
            sending = new FindCoordinatorStep(type, key ?? _transactionalId);
            node = AnyBroker();
        }
        else
        {
            sending = request;
            node = coordinator;
        }
        var connection = node >= 0 ? host.ConnectionTo(node) : null;
        if (connection is null)
        {
            host.RequestMetadataUpdate();
            ScheduleRetry();
            return;
        }
        var body = Build(sending);
        if (body is null)
        {
            _queue.RemoveFirst(); // nothing left to ask (e.g. the partitions were aborted)
            Pump();
            return;
        }
        _inFlight = sending;
        connection.Tell(new ConnectionActor.Request(body, new TransactionRequestToken(++_requestId), self));
    }

    private IKafkaRequest? Build(TransactionRequest request)
    {
        switch (request)
        {
            case FindCoordinatorStep find:
                return new FindCoordinatorRequest(find.Key, find.Type);
            case InitProducerIdStep init:
                return init.Bump
                    ? new InitProducerIdRequest(_transactionalId, settings.TransactionTimeoutMs, _producerId, _epoch)
                    : new InitProducerIdRequest(_transactionalId, settings.TransactionTimeoutMs);
            case AddPartitionsStep:
                if (_pendingPartitions.Count == 0) return null;
                _addingPartitions.UnionWith(_pendingPartitions);
                _pendingPartitions.Clear();
                var topics = _addingPartitions.GroupBy(p => p.Topic)
                    .Select(g => new AddPartitionsToTxnTopic(g.Key, g.Select(p => p.Partition).Order().ToList())).ToList();
                return new AddPartitionsToTxnRequest(_transactionalId, _producerId, _epoch, topics);
            case AddOffsetsStep add:
                return new AddOffsetsToTxnRequest(_transactionalId, _producerId, _epoch, add.Offsets.Group.GroupId);
            case TxnOffsetCommitStep commit:
                var group = commit.Offsets.Group;
                var offsets = commit.Remaining.GroupBy(o => o.Key.Topic)
                    .Select(g => new TxnOffsetCommitTopic(g.Key, g.Select(o =>
                        new TxnOffsetCommitPartition(o.Key.Partition, o.Value.Offset, o.Value.LeaderEpoch ?? -1, o.Value.Metadata)).ToList())).ToList();
                return new TxnOffsetCommitRequest(_transactionalId, group.GroupId, _producerId, _epoch, offsets, group.GenerationId, group.MemberId, group.GroupInstanceId);
            case EndTxnStep end:
                return new EndTxnRequest(_transactionalId, _producerId, _epoch, end.Commit);
            default:
                throw new InvalidOperationException($"Unknown transactional request {request}");
        }
    }

    public void OnResponse(ConnectionActor.Response response)
    {
        if (response.Token is not TransactionRequestToken token || token.Id != _requestId || _inFlight is not { } request) return;
        _inFlight = null;
        var context = $"{request.Name} for transactional.id {_transactionalId} on node {response.NodeId}";
        switch (request)
        {
            case FindCoordinatorStep find:
                OnFindCoordinator(find, FindCoordinatorResponse.Parse(response.Body, response.Version), context);
                break;
            case InitProducerIdStep:
                OnInitProducerId(InitProducerIdResponse.Parse(response.Body, response.Version), context);
                break;
            case AddPartitionsStep:
                OnAddPartitions(AddPartitionsToTxnResponse.Parse(response.Body, response.Version), context);
                break;
            case AddOffsetsStep add:
                OnAddOffsets(add, AddOffsetsToTxnResponse.Parse(response.Body, response.Version).ErrorCode, context);
                break;
            case TxnOffsetCommitStep commit:
                OnTxnOffsetCommit(commit, TxnOffsetCommitResponse.Parse(response.Body, response.Version), context);
                break;
            case EndTxnStep end:
                OnEndTxn(end, EndTxnResponse.Parse(response.Body, response.Version).ErrorCode, context);
                break;
        }
        Pump();
    }

    /// <summary>No answer (connection lost, request timed out): look the coordinator up again and retry, as Java does.</summary>
    public void OnRequestFailed(ConnectionActor.RequestFailed failed)
    {
        if (failed.Token is not TransactionRequestToken token || token.Id != _requestId || _inFlight is not { } request) return;
        _inFlight = null;
        if (request is AddPartitionsStep) RequeueAdding();
        if (failed.Cause is ApiException { ErrorCode: ErrorCode.UnsupportedVersion } or AuthenticationException)
        {
            Fatal(new KafkaException($"{request.Name} for transactional.id {_transactionalId} failed: {failed.Cause.Message}", failed.Cause));
            return;
        }
        log.Debug("{0} failed ({1}); retrying", request.Name, failed.Cause.Message);
        Retry(request, lookup: true);
    }

    private void OnFindCoordinator(FindCoordinatorStep find, FindCoordinatorResponse response, string context)
    {
        var found = response.Coordinators.FirstOrDefault(c => c.Key == find.Key) ?? response.Coordinators.FirstOrDefault();
        var code = found?.ErrorCode ?? ErrorCode.CoordinatorNotAvailable;
        switch (TransactionErrors.Classify(code, TransactionErrorKind.Fatal))
        {
            case TransactionErrorKind.None:
                _failures = 0;
                if (find.Type == CoordinatorType.Group) _groupCoordinators[find.Key] = found!.NodeId;
                else _coordinator = found!.NodeId;
                if (!host.Snapshot.Brokers.ContainsKey(found.NodeId)) host.RequestMetadataUpdate();
                return;
            case TransactionErrorKind.Retry or TransactionErrorKind.RetryAfterLookup:
                ScheduleRetry();
                return;
            case TransactionErrorKind.Abortable when find.Type == CoordinatorType.Group:
                FailHead(ErrorMapping.ToException(code, context, found?.ErrorMessage));
                return;
            default:
                Fatal(TransactionErrors.ToException(code, context));
                return;
        }
    }

    private void OnInitProducerId(InitProducerIdResponse response, string context)
    {
        switch (TransactionErrors.Classify(response.ErrorCode, TransactionErrorKind.Fatal))
        {
            case TransactionErrorKind.None:
                _queue.RemoveFirst();
                _failures = 0;
                _producerId = response.ProducerId;
                _epoch = response.ProducerEpoch;
                _epochBumpRequired = false;
                log.Debug("Transactional.id {0}: producer id {1}, epoch {2}", _transactionalId, _producerId, _epoch);
                host.AdoptProducerId(_producerId, _epoch);
                machine.TransitionTo(TransactionState.Ready, "InitTransactions");
                ReplyWaiters(_abortPending ? TransactionAborted.Instance : TransactionsInitialized.Instance);
                _abortPending = false;
                return;
            case var kind:
                OnError(kind, response.ErrorCode, context);
                return;
        }
    }

    private void OnAddPartitions(AddPartitionsToTxnResponse response, string context)
    {
        var failed = new List<(TopicPartition Partition, ErrorCode Code)>();
        foreach (var topic in response.Topics)
            foreach (var p in topic.Partitions)
            {
                var partition = new TopicPartition(topic.Name, p.PartitionIndex);
                if (!_addingPartitions.Contains(partition)) continue;
                if (p.ErrorCode == ErrorCode.None)
                {
                    _addingPartitions.Remove(partition);
                    _partitionsInTransaction.Add(partition);
                    _transactionStarted = true;
                    if (_partitionActors.TryGetValue(partition, out var actor)) actor.Tell(PartitionActor.AddedToTransaction.Instance);
                }
                else if (p.ErrorCode != ErrorCode.OperationNotAttempted)
                {
                    failed.Add((partition, p.ErrorCode));
                }
            }
        if (failed.Count == 0 && _addingPartitions.Count == 0)
        {
            _failures = 0;
            _queue.RemoveFirst();
            if (_pendingPartitions.Count > 0) _queue.AddLast(AddPartitionsStep.Instance);
            return;
        }
        // Every partition not added is asked for again, unless one error ends the transaction.
        var code = failed.Count > 0 ? failed.MaxBy(f => (int)TransactionErrors.Classify(f.Code, TransactionErrorKind.Abortable)).Code : ErrorCode.OperationNotAttempted;
        var kind = failed.Count > 0 ? TransactionErrors.Classify(code, TransactionErrorKind.Abortable) : TransactionErrorKind.Retry;
        RequeueAdding();
        var names = string.Join(", ", failed.Select(f => $"{f.Partition} ({f.Code.KafkaName()})"));
        OnError(kind, code, $"{context}, partitions {names}", retryFastOnConcurrent: true);
    }

    private void OnAddOffsets(AddOffsetsStep add, ErrorCode code, string context)
    {
        var kind = TransactionErrors.Classify(code, TransactionErrorKind.Fatal);
        if (kind != TransactionErrorKind.None)
        {
            OnError(kind, code, context);
            return;
        }
        _failures = 0;
        _transactionStarted = true;
        _queue.First!.Value = new TxnOffsetCommitStep(add.Offsets, add.ReplyTo);
    }

    private void OnTxnOffsetCommit(TxnOffsetCommitStep commit, TxnOffsetCommitResponse response, string context)
    {
        var errors = response.Topics.SelectMany(t => t.Partitions.Select(p => (Partition: new TopicPartition(t.Name, p.PartitionIndex), p.ErrorCode)))
            .Where(p => p.ErrorCode != ErrorCode.None).ToList();
        if (errors.Count == 0)
        {
            _failures = 0;
            _queue.RemoveFirst();
            commit.ReplyTo.Tell(OffsetsSentToTransaction.Instance);
            return;
        }
        var failedPartitions = errors.Select(e => e.Partition).ToHashSet();
        commit.Remaining = commit.Remaining.Where(o => failedPartitions.Contains(o.Key)).ToDictionary();
        var worst = errors.MaxBy(e => (int)TransactionErrors.Classify(e.ErrorCode, TransactionErrorKind.Fatal));
        var kind = TransactionErrors.Classify(worst.ErrorCode, TransactionErrorKind.Fatal);
        if (worst.ErrorCode is ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.RequestTimedOut)
            _groupCoordinators.Remove(commit.Offsets.Group.GroupId);
        OnError(kind, worst.ErrorCode, $"{context}, group {commit.Offsets.Group.GroupId}, partition {worst.Partition}");
    }

    private void OnEndTxn(EndTxnStep end, ErrorCode code, string context)
    {
        var kind = TransactionErrors.Classify(code, TransactionErrorKind.Fatal);
        if (kind != TransactionErrorKind.None)
        {
            OnError(kind, code, context);
            return;
        }
        _failures = 0;
        _queue.RemoveFirst();
        CompleteTransaction();
    }

    /// <summary>The error of the request at the head of the queue.</summary>
    private void OnError(TransactionErrorKind kind, ErrorCode code, string context, bool retryFastOnConcurrent = false)
    {
        var request = _queue.First!.Value;
        switch (kind)
        {
            case TransactionErrorKind.Retry:
                log.Debug("{0}: {1}; retrying", context, code.KafkaName());
                Retry(request, lookup: false, fast: retryFastOnConcurrent && code == ErrorCode.ConcurrentTransactions);
                return;
            case TransactionErrorKind.RetryAfterLookup:
                log.Debug("{0}: {1}; looking the coordinator up again", context, code.KafkaName());
                Retry(request, lookup: true);
                return;
            case TransactionErrorKind.Abortable when request is not (InitProducerIdStep or EndTxnStep):
                FailHead(ErrorMapping.ToException(code, context));
                return;
            default:
                Fatal(TransactionErrors.ToException(code, context));
                return;
        }
    }

    private void Retry(TransactionRequest request, bool lookup, bool fast = false)
    {
        if (lookup && request is not FindCoordinatorStep)
        {
            var (type, key) = request.Coordinator;
            if (type == CoordinatorType.Group) _groupCoordinators.Remove(key!);
            else _coordinator = -1;
        }
        ScheduleRetry(fast);
    }

    private void ScheduleRetry(bool fast = false)
    {
        _failures++;
        var backoff = fast
            ? TimeSpan.FromMilliseconds(Math.Min(20, settings.RetryBackoffMs)) // Java's short wait for CONCURRENT_TRANSACTIONS on AddPartitions
            : ExponentialBackoff.For(settings.RetryBackoffMs, settings.RetryBackoffMaxMs, _failures);
        _retryScheduled = true;
        timers.StartSingleTimer(RetryTimer, TransactionRetryDue.Instance, backoff);
    }

    /// <summary>The request at the head failed the transaction: abortable, its own waiter (if any) hears why.</summary>
    private void FailHead(Exception error)
    {
        var request = _queue.First!.Value;
        _queue.RemoveFirst();
        FailCaller(request, error);
        EnterAbortableError(error);
    }

    private void RequeueAdding()
    {
        _pendingPartitions.UnionWith(_addingPartitions);
        _addingPartitions.Clear();
    }

    // ---- outcomes ----------------------------------------------------------------------------

    private void EnterAbortableError(Exception error)
    {
        if (!machine.TryEnterAbortableError(error)) return;
        log.Warning("The transaction of transactional.id {0} must be aborted: {1}", _transactionalId, error.Message);
        AbortUnsent(error);
        // Requests that only extend the transaction are pointless now; the user's abort ends it.
        for (var node = _queue.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value is AddPartitionsStep or AddOffsetsStep or TxnOffsetCommitStep && !ReferenceEquals(node.Value, _inFlight))
            {
                FailCaller(node.Value, error);
                _queue.Remove(node);
            }
            node = next;
        }
    }

    /// <summary>Java's abortUndrainedBatches: what has never been sent fails now; what was sent completes (its sequences are taken).</summary>
    private void AbortUnsent(Exception cause)
    {
        _pendingPartitions.Clear();
        host.TellPartitions(new PartitionActor.AbortUndrainedBatches(cause));
        host.FailWaitingSends(cause);
    }

    /// <summary>EndTxn succeeded (or there was nothing to end): the partitions start afresh; an abort that left a sequence gap bumps the epoch first.</summary>
    private void CompleteTransaction()
    {
        var committed = machine.State == TransactionState.Committing;
        foreach (var actor in _partitionActors.Values) actor.Tell(PartitionActor.TransactionEnded.Instance);
        _partitionActors.Clear();
        _partitionsInTransaction.Clear();
        _pendingPartitions.Clear();
        _addingPartitions.Clear();
        _transactionStarted = false;
        if (!committed && _epochBumpRequired)
        {
            machine.TransitionTo(TransactionState.Initializing, "AbortTransaction");
            _abortPending = true;
            _queue.AddFirst(new InitProducerIdStep(Bump: true));
            return;
        }
        machine.TransitionTo(TransactionState.Ready, committed ? "CommitTransaction" : "AbortTransaction");
        ReplyWaiters(committed ? TransactionCommitted.Instance : TransactionAborted.Instance);
    }

    private void Fatal(Exception error)
    {
        log.Error(error, "Transactional.id {0} cannot go on", _transactionalId);
        machine.EnterFatalError(error);
        foreach (var request in _queue) FailCaller(request, error);
        _queue.Clear();
        _inFlight = null;
        FailWaiters(error);
        host.Fatal(error);
    }

    /// <summary>A SendOffsetsToTransaction's caller waits on its own step: it hears the error.</summary>
    private static void FailCaller(TransactionRequest request, Exception error)
    {
        if (request is AddOffsetsStep add) add.ReplyTo.Tell(new TransactionFailed(error));
        if (request is TxnOffsetCommitStep commit) commit.ReplyTo.Tell(new TransactionFailed(error));
    }

    private void ReplyWaiters(object reply)
    {
        foreach (var waiter in _completionWaiters) waiter.Tell(reply);
        _completionWaiters.Clear();
    }

    private void FailWaiters(Exception error) => ReplyWaiters(new TransactionFailed(error));

    private bool Try(Action transition, IActorRef replyTo)
    {
        try
        {
            transition();
            return true;
        }
        catch (KafkaException e)
        {
            replyTo.Tell(new TransactionFailed(e));
            return false;
        }
    }

    private int AnyBroker()
    {
        var brokers = host.Snapshot.Brokers;
        return brokers.Count == 0 ? -1 : brokers.Keys.OrderBy(id => id).Skip(_failures % brokers.Count).First();
    }

    /// <summary>The token of a transactional request: only the latest one's answer counts.</summary>
    internal sealed record TransactionRequestToken(long Id);

    /// <summary>The flush begun by a commit or abort has passed.</summary>
    internal sealed record TransactionFlushed(long Id) : INoSerializationVerificationNeeded;

    internal sealed class TransactionRetryDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly TransactionRetryDue Instance = new();
    }
}
