using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Metrics;
using KafkaActors.Network;
using KafkaActors.Producer;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Partition;

/// <summary>
/// Owns one partition's batches from the moment they are sealed until their outcome (the per-partition
/// half of Java's <c>Sender</c>, with the partition's deque of Java's <c>RecordAccumulator</c>): keeps the
/// sealed batches appenders hand it (<see cref="BatchSealed"/>, one message per batch), takes the open batch
/// from its <see cref="PartitionAccumulator"/> once it has lingered for linger.ms (or at once when flushing,
/// closing or short of memory), assigns idempotent sequence numbers, keeps at most
/// max.in.flight batches at the leader's connection, retries retriable failures in creation order
/// after a backoff, splits batches refused as too large (KIP-126), expires what outlives delivery.timeout.ms,
/// and completes each record (with its own error when the broker named it, KIP-467).
///
/// Ordering across retries: after a retriable failure it sends nothing new until every batch in flight
/// has come back, then re-sends the failed ones oldest first, so a retry never overtakes a later batch
/// that the broker has not yet rejected.
/// </summary>
internal sealed partial class PartitionActor : ActorBase
{
    private readonly PartitionAccumulator _accumulator;
    private readonly PartitionContext _context;
    private readonly TopicMetrics _topicMetrics;
    private readonly Queue<ProducerBatch> _sealed = new();
    private readonly List<ProducerBatch> _inFlight = [];
    private readonly List<ProducerBatch> _retries = [];
    // Made on first use: most partitions of a large producer are idle most of the time, and an idle one should
    // cost little more than its mailbox (a logger with its source string is ~150 bytes a partition).
    private ILoggingAdapter? _log;
    private PreciseTimer? _lingerTimer;
    private OneShotTimer? _backoffTimer;
    private OneShotTimer? _expiryTimer;
    private IActorRef? _connection;
    private int _leaderId = -1;
    private int _leaderEpoch = -1;
    private long _leaderMovedMs = long.MinValue; // when the leader last changed: retries sent before that skip their backoff
    private readonly PartitionSequencer _sequencer;
    private Exception? _fatal;
    private bool _recovering;
    private long _backoffUntil;
    private long _lingerDue = long.MaxValue;
    private long _expiryDue = long.MaxValue;
    private long _nextOrdinal; // the next batch to come from the appenders: sealed ones arrive in this order
    private Exception? _aborted;
    private bool _addedToTransaction; // transactional: the coordinator has this partition in the open transaction
    private bool _addRequested;

    public PartitionActor(PartitionAccumulator accumulator, PartitionContext context)
    {
        _accumulator = accumulator;
        _context = context;
        _topicMetrics = context.Metrics.ForTopic(accumulator.TopicPartition.Topic);
        _sequencer = new PartitionSequencer(context.Idempotent);
    }

    public static Props Props(PartitionAccumulator accumulator, PartitionContext context) =>
        Akka.Actor.Props.Create(() => new PartitionActor(accumulator, context)).WithDispatcher(ProducerDispatcher.Id).WithMailbox(CompactMailbox.Id);

    private TopicPartition TopicPartition => _accumulator.TopicPartition;

    private ILoggingAdapter Log => _log ??= Context.GetLogger();

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Wakeup:
                _accumulator.AcknowledgeWakeup();
                Drain();
                return true;
            case BatchSealed sealedBatch:
                _accumulator.AcknowledgeWakeup(); // it stands for a Wakeup too (see PartitionAccumulator)
                OnSealed(sealedBatch.Batch);
                return true;
            case ConnectionActor.BatchResult result:
                OnResult(result);
                Drain();
                return true;
            case LingerElapsed:
                _lingerDue = long.MaxValue;
                Drain();
                return true;
            case OneShotTimer.Tick tick:
                OnTimer(tick);
                return true;
            case LeaderChanged leader:
                OnLeaderChanged(leader);
                Drain();
                return true;
            case ProducerIdChanged pid:
                OnProducerId(pid);
                Drain();
                return true;
            case AddedToTransaction:
                _addedToTransaction = true;
                Drain();
                return true;
            case TransactionEnded:
                _addedToTransaction = false;
                _addRequested = false;
                return true;
            case AbortUndrainedBatches abort:
                AbortUndrained(abort.Cause);
                return true;
            case DescribeTimers:
                Sender.Tell(new TimersDescribed(TopicPartition, (_backoffTimer?.IsArmed == true ? 1 : 0) + (_expiryTimer?.IsArmed == true ? 1 : 0), _lingerTimer?.IsArmed ?? false));
                return true;
            case AbortBatches abort:
                // It stays until its parent stops: batches sealed meanwhile are still on their way here.
                _aborted ??= abort.Cause;
                AbortAll(abort.Cause);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Stopped with its producer: nothing here will ever be sent, so every record gets an outcome now.</summary>
    protected override void PostStop()
    {
        _lingerTimer?.Dispose();
        _backoffTimer?.Cancel();
        _expiryTimer?.Cancel();
        var stopped = new ProducerClosedException($"The producer stopped before the record to {TopicPartition} was acknowledged.");
        AbortAll(stopped);
        // Batches sealed after this actor's last message never reach it: fail them from the producer's
        // register of incomplete batches (nobody else holds them any more).
        foreach (var batch in _context.Accumulator.IncompleteBatches)
            if (batch.TopicPartition == TopicPartition && batch.IsClosed && !batch.IsDone && !batch.Lent) Fail(batch, stopped);
    }

    /// <summary>Backoff over, or the oldest batch may have expired; a cancelled or superseded tick is ignored.</summary>
    private void OnTimer(OneShotTimer.Tick tick)
    {
        if (!tick.Timer.TryConsume(tick)) return;
        if (tick.Timer == _expiryTimer)
        {
            _expiryDue = long.MaxValue;
            ExpireBatches();
        }
        Drain();
    }

    private void OnSealed(ProducerBatch batch)
    {
        _nextOrdinal = batch.Ordinal + 1;
        if (_aborted is not null) Fail(batch, _aborted);
        else _sealed.Enqueue(batch);
        Drain(); // also as the Wakeup this BatchSealed stands for: the open batch behind it
    }

    // ---- sending ------------------------------------------------------------------------------

    private void Drain()
    {
        var now = MonotonicClock.NowMs;
        if (_fatal is not null)
        {
            FailQueued(_fatal);
            return;
        }
        if (_inFlight.Count == 0) _sequencer.ApplyPendingReset(_retries);
        var blocked = _connection is null
                      || !_sequencer.CanSend
                      || !InTransaction()
                      || InRetryBackoff(now)
                      || (_recovering && _inFlight.Count > 0);
        var drained = false;
        if (!blocked)
        {
            _recovering = false;
            var sendOpenNow = _context.Accumulator.FlushInProgress || _context.Accumulator.IsClosed || _context.Accumulator.Pool.QueuedWaiters > 0;
            while (_inFlight.Count < MaxInFlightNow)
            {
                if (InRetryBackoff(now)) break; // a retry behind a split's pieces waits out its backoff at the head too
                var batch = TakeRetry() ?? TakeSealed() ?? TakeOpen(now, _context.LingerMs, sendOpenNow);
                if (batch is null) break;
                Send(batch, now);
                drained = true;
            }
        }
        // For the built-in partitioner (KIP-794): the partition's queue, and whether ready batches are stuck.
        _accumulator.PublishLoad(_sealed.Count + _inFlight.Count + _retries.Count, _sealed.Count + _retries.Count > 0, drained, now);
        ScheduleTimers(now, blocked);
    }

    /// <summary>
    /// Transactional producers send a partition's batches only once the coordinator has added the partition to the
    /// transaction; the first batch asks for it (while it lingers). Always true without transactions.
    /// </summary>
    private bool InTransaction()
    {
        if (!_context.Transactional || _addedToTransaction) return true;
        if (!_addRequested && (_sealed.Count > 0 || _retries.Count > 0 || _accumulator.OpenCreatedMs() is not null))
        {
            _addRequested = true;
            Context.Parent.Tell(new ProducerActorMessages.AddPartitionToTransaction(TopicPartition));
        }
        return false;
    }

    /// <summary>
    /// max.in.flight, but 1 until the broker has acknowledged a batch of this epoch: a broker with no state for a
    /// producer accepts any first sequence, so a failed first batch overtaken by the next one could never be written
    /// in order after it (it would get OUT_OF_ORDER_SEQUENCE_NUMBER until it expired).
    /// </summary>
    private int MaxInFlightNow => _sequencer.AwaitingFirstAcknowledgement ? 1 : _context.MaxInFlight;

    /// <summary>
    /// retry.backoff.ms holds back retries only, as Java's <c>RecordAccumulator.shouldBackoff</c> (the first batch, if it
    /// has been sent before): new batches wait behind retries for ordering anyway, a split's pieces (never sent) are not
    /// held back, and once the retries are gone (expired or aborted) new batches go at once. Before, a partition whose
    /// retries had expired held its next batch for the rest of their backoff.
    /// </summary>
    private bool InRetryBackoff(long now) => _retries.Count > 0 && _retries[0].Attempts > 0 && now < _backoffUntil;

    private ProducerBatch? TakeSealed() => _sealed.TryDequeue(out var batch) ? batch : null;

    private ProducerBatch? TakeOpen(long now, long lingerMs, bool sendOpenNow)
    {
        var batch = _accumulator.TakeOpen(now, lingerMs, sendOpenNow, _nextOrdinal);
        if (batch is not null) _nextOrdinal = batch.Ordinal + 1;
        return batch;
    }

    private ProducerBatch? TakeRetry()
    {
        if (_retries.Count == 0) return null;
        var batch = _retries[0];
        _retries.RemoveAt(0);
        return batch;
    }

    private void Send(ProducerBatch batch, long now)
    {
        if (batch.Attempts == 0)
        {
            batch.BuildPayload(_context.Compression, _context.CompressionLevel);
            _topicMetrics.RecordBatch(batch.Payload.Count, batch.UncompressedBytes, batch.RecordCount, batch.MaxRecordSize, now - batch.CreatedMs);
        }
        _sequencer.Prepare(batch);
        batch.Attempts++;
        batch.LastAttemptMs = now;
        batch.Lend();
        _inFlight.Add(batch);
        _connection!.Tell(new ConnectionActor.SendBatch(batch, Self));
    }

    /// <summary>
    /// A new leader (or a new epoch of it), from Metadata or from a Produce answer naming it (KIP-951). As Java's
    /// RecordAccumulator.shouldBackoff, batches that failed at the old leader are retried at the new one without
    /// waiting out retry.backoff.ms: the backoff is there to let a stale leader settle, and the leader is no longer stale.
    /// </summary>
    private void OnLeaderChanged(LeaderChanged leader)
    {
        var moved = leader.LeaderId != _leaderId || leader.LeaderEpoch > _leaderEpoch;
        _leaderId = leader.LeaderId;
        _leaderEpoch = leader.LeaderEpoch;
        _connection = leader.Connection;
        if (!moved || leader.LeaderId < 0) return;
        _leaderMovedMs = MonotonicClock.NowMs;
        _backoffUntil = 0;
    }

    // ---- outcomes -----------------------------------------------------------------------------

    private void OnResult(ConnectionActor.BatchResult result)
    {
        var batch = result.Batch;
        if (!_inFlight.Remove(batch)) return; // already failed by an abort
        batch.Return(result.WriteConfirmed);
        if (batch.IsDone) return; // expired while in flight: its outcome is already reported

        if (result.Transport is null && result.Error == ErrorCode.MessageTooLarge && batch.RecordCount > 1)
        {
            Split(batch, result.ErrorMessage);
            return;
        }

        if (result.Transport is null && (result.Error == ErrorCode.None || (result.Error == ErrorCode.DuplicateSequenceNumber && _context.Idempotent)))
        {
            // A duplicate means an earlier attempt was written: success, but its offset is unknown.
            var baseOffset = result.Error == ErrorCode.None ? result.BaseOffset : -1;
            _sequencer.OnAcknowledged(batch);
            _topicMetrics.RecordSent(batch.RecordCount);
            batch.Complete(baseOffset, result.LogAppendTime, _context.Interceptor, _context.OnCallbackError);
            return;
        }

        var now = MonotonicClock.NowMs;
        // KIP-951: a NOT_LEADER answer that names the new leader moves the partition now (the MetadataActor
        // refreshes only when the hint is no news); otherwise stale metadata is refreshed, as Java's completeBatch.
        if (result.Leader is { } leader) _context.MetadataActor.Tell(leader);
        else if (result.Transport is not null || result.Error.InvalidatesMetadata())
            _context.MetadataActor.Tell(MetadataActor.RequestUpdate.Instance);
        var error = result.Transport ?? ErrorMapping.ToException(result.Error,
            $"Produce of {batch.RecordCount} record(s) to {TopicPartition} on node {_leaderId} failed", result.ErrorMessage);
        var earlierPending = _retries.Count > 0 && _retries[0].Precedes(batch);
        // A failed authentication is no passing network fault: retrying until delivery.timeout.ms would only hide it.
        var decision = result.Transport is AuthenticationException
            ? RetryDecision.FailAndBumpEpoch
            : _sequencer.Classify(batch, result.Error, result.Transport is not null, earlierPending);
        // A transactional producer cannot bump its own epoch (the coordinator owns it): the batch fails, the
        // transaction becomes abortable, and the abort bumps the epoch (KIP-360), as Java's TransactionManager does.
        if (_context.Transactional && decision == RetryDecision.RetryAfterEpochBump) decision = RetryDecision.FailAndBumpEpoch;
        var expired = false;
        if (decision is RetryDecision.Retry or RetryDecision.RetryAfterEpochBump)
        {
            if (batch.Attempts <= _context.Retries && now - batch.CreatedMs < _context.DeliveryTimeoutMs)
            {
                Log.Debug("Retrying {0} (attempt {1}): {2}", batch, batch.Attempts + 1, error.Message);
                _topicMetrics.RecordRetry(batch.RecordCount);
                InsertRetry(batch);
                _recovering = true;
                // No backoff when the leader moved since this batch went out (it failed at the old one).
                _backoffUntil = _leaderMovedMs > batch.LastAttemptMs
                    ? now
                    : now + (long)ExponentialBackoff.For(_context.RetryBackoffMs, _context.RetryBackoffMaxMs, batch.Attempts).TotalMilliseconds;
                if (decision == RetryDecision.RetryAfterEpochBump) RequestEpochBump();
                return;
            }
            if (now - batch.CreatedMs >= _context.DeliveryTimeoutMs)
            {
                error = Expired(batch, now, error);
                expired = true;
            }
            decision = RetryDecision.FailAndBumpEpoch; // out of attempts or time: its sequences leave a gap
        }
        // The broker named the records it refused (KIP-467): each gets its own exception, as in Java.
        var recordExceptions = !expired && result.RecordErrors is { Count: > 0 } recordErrors
            ? RecordErrorMapping.Exceptions(result.Error, result.ErrorMessage, recordErrors, $"Produce to {TopicPartition} on node {_leaderId} failed")
            : null;
        FailDelivery(batch, error, recordExceptions);
        if (decision == RetryDecision.FailAndBumpEpoch && LeavesGap(batch)) RequestEpochBump();
    }

    /// <summary>
    /// MESSAGE_TOO_LARGE for a batch of several records (KIP-126; Java's <c>Sender.completeBatch</c> →
    /// <c>RecordAccumulator.splitAndReenqueue</c>): its records go again in smaller batches, in its place among the retries,
    /// with its sequences (<see cref="PartitionSequencer.OnSplit"/>). Java splits into batch.size; ours never hold more than
    /// batch.size uncompressed, so that could rebuild the same batch for ever: halving (and never above batch.size) makes
    /// each split progress, down to single records, and a single record the broker still refuses fails alone with
    /// RecordTooLargeException. As in Java the new batches are not retries (no attempt counted, no backoff), but like
    /// retries they wait until the batches in flight are back: a broker that enforces sequences refuses those behind the gap.
    /// </summary>
    private void Split(ProducerBatch batch, string? brokerMessage)
    {
        var description = batch.ToString();
        var pieces = batch.Split(Math.Min(_context.BatchSize, Math.Max(RecordBatchLayout.HeaderSize, batch.UncompressedBytes / 2)));
        _sequencer.OnSplit(batch, pieces);
        foreach (var piece in pieces) InsertRetry(piece);
        _recovering = true;
        _context.Metrics.RecordBatchSplit();
        Log.Warning("{0} was too large for node {1} (MESSAGE_TOO_LARGE{2}): split into {3} batches.",
            description, _leaderId, string.IsNullOrEmpty(brokerMessage) ? "" : ": " + brokerMessage, pieces.Count);
    }

    /// <summary>
    /// Whether a batch that failed or expired leaves a gap in the current epoch's sequences. One sequenced under an earlier
    /// epoch does not: the retries are sequenced afresh once the new epoch applies, so asking again would only burn an epoch.
    /// </summary>
    private bool LeavesGap(ProducerBatch batch) =>
        batch.BaseSequence >= 0 && batch.ProducerId == _sequencer.ProducerId && batch.ProducerEpoch == _sequencer.Epoch;

    /// <summary>
    /// Asks the producer for a new epoch; every partition then restarts its sequences at 0. An idempotent producer's
    /// partition sends nothing until it comes (<see cref="PartitionSequencer.OnEpochBumpRequested"/>); a transactional
    /// one's batches fail with the transaction, whose abort brings the new epoch.
    /// </summary>
    private void RequestEpochBump()
    {
        if (!_sequencer.Idempotent || _sequencer.ProducerId < 0) return;
        if (!_context.Transactional) _sequencer.OnEpochBumpRequested();
        Context.Parent.Tell(new Producer.ProducerActorMessages.BumpEpoch(_sequencer.ProducerId, _sequencer.Epoch));
    }

    private void InsertRetry(ProducerBatch batch)
    {
        var index = _retries.FindIndex(batch.Precedes);
        if (index < 0) _retries.Add(batch);
        else _retries.Insert(index, batch);
    }

    private void OnProducerId(ProducerIdChanged pid)
    {
        if (pid.Fatal is not null)
        {
            _fatal = pid.Fatal;
            return;
        }
        _sequencer.OnProducerId(pid.ProducerId, pid.Epoch);
    }

    private void Fail(ProducerBatch batch, Exception error)
    {
        _topicMetrics.RecordError(batch.RecordCount);
        batch.Fail(error, _context.Interceptor, _context.OnCallbackError);
    }

    /// <summary>
    /// A batch the broker refused or that expired: in a transaction, the transaction can no longer commit. With
    /// <paramref name="recordExceptions"/> (the broker named records) each record gets its own exception.
    /// </summary>
    private void FailDelivery(ProducerBatch batch, Exception error, Func<int, Exception>? recordExceptions = null)
    {
        if (recordExceptions is null) Fail(batch, error);
        else
        {
            _topicMetrics.RecordError(batch.RecordCount);
            batch.Fail(recordExceptions, _context.Interceptor, _context.OnCallbackError);
        }
        if (_context.Transactional) Context.Parent.Tell(new ProducerActorMessages.TransactionBatchFailed(error));
    }

    /// <summary>Java's abortUndrainedBatches: batches never sent fail; sent ones (retries included) keep their sequences and complete.</summary>
    private void AbortUndrained(Exception cause)
    {
        while (TakeSealed() is { } batch) Fail(batch, cause);
        if (TakeOpen(long.MaxValue, 0, true) is { } open) Fail(open, cause);
        for (var i = _retries.Count - 1; i >= 0; i--)
        {
            if (_retries[i].BaseSequence >= 0) continue;
            Fail(_retries[i], cause);
            _retries.RemoveAt(i);
        }
        if (!_addedToTransaction) _addRequested = false; // nothing left to add it for
    }

    // ---- expiry and shutdown ------------------------------------------------------------------

    /// <summary>Fails batches older than delivery.timeout.ms: queued ones, and in-flight ones (as Java's KIP-91).</summary>
    private void ExpireBatches()
    {
        var now = MonotonicClock.NowMs;
        var createdBefore = now - _context.DeliveryTimeoutMs;
        // A batch that had a sequence leaves a gap the broker will not skip: later batches need a new epoch (Java's
        // unresolved sequence), whether it expired waiting for a retry or in flight.
        var gap = false;
        for (var i = _retries.Count - 1; i >= 0; i--)
        {
            if (_retries[i].CreatedMs > createdBefore) continue;
            var batch = _retries[i];
            _retries.RemoveAt(i);
            FailDelivery(batch, Expired(batch, now, null));
            gap |= LeavesGap(batch);
        }
        while (_sealed.TryPeek(out var oldest) && oldest.CreatedMs <= createdBefore)
        {
            _sealed.Dequeue();
            FailDelivery(oldest, Expired(oldest, now, null));
        }
        if (_sealed.Count == 0 && _accumulator.OpenCreatedMs() <= createdBefore && TakeOpen(long.MaxValue, 0, true) is { } open)
            FailDelivery(open, Expired(open, now, null));

        // In flight too long: the outcome is reported now (the record may still have been written);
        // the batch stays counted in flight until its answer or request timeout frees the slot.
        foreach (var batch in _inFlight)
        {
            if (batch.IsDone || batch.CreatedMs > createdBefore) continue;
            FailDelivery(batch, Expired(batch, now, null));
            gap |= LeavesGap(batch);
        }
        if (gap) RequestEpochBump();
    }

    private KafkaTimeoutException Expired(ProducerBatch batch, long now, Exception? lastError)
    {
        var why = lastError is not null ? $" Last error: {lastError.Message}"
            : _connection is null ? $" The partition had no leader (last known: {_leaderId})."
            : "";
        return new KafkaTimeoutException(
            $"Expiring {batch.RecordCount} record(s) for {TopicPartition}: {now - batch.CreatedMs} ms has passed since batch creation (delivery.timeout.ms = {_context.DeliveryTimeoutMs}).{why}", lastError);
    }

    private void FailQueued(Exception error)
    {
        while ((TakeRetry() ?? TakeSealed() ?? TakeOpen(long.MaxValue, 0, true)) is { } batch) Fail(batch, error);
    }

    private void AbortAll(Exception cause)
    {
        foreach (var batch in _inFlight)
        {
            Fail(batch, cause);
            // No answer will come back to this actor: the connection may still be writing the payload, so
            // give its memory back without ever reusing the array.
            batch.Return(writeConfirmed: false);
        }
        _inFlight.Clear();
        while ((TakeRetry() ?? TakeSealed()) is { } batch) Fail(batch, cause);
        if (_accumulator.Close() is { } open) Fail(open, cause);
    }

    private void ScheduleTimers(long now, bool blocked)
    {
        if (InRetryBackoff(now)) (_backoffTimer ??= new OneShotTimer(Self)).Start(Context.System.Scheduler, _backoffUntil, now);

        // Linger: wake when the open batch is due, unless something else will wake us first. A timer
        // that fires early or for nothing only causes a harmless extra drain, so while batches come and go
        // timers are only moved earlier; they are cancelled once the partition has nothing left (below).
        var lingerDue = !blocked && _inFlight.Count < MaxInFlightNow ? _accumulator.OpenBatchDue(_context.LingerMs) ?? long.MaxValue : long.MaxValue;
        if (lingerDue < _lingerDue)
        {
            _lingerDue = lingerDue;
            (_lingerTimer ??= new PreciseTimer(Self, LingerElapsed.Instance)).Schedule(TimeSpan.FromMilliseconds(Math.Max(0, lingerDue - now)));
        }

        // Delivery timeout of the oldest queued batch.
        long? oldest = _sealed.TryPeek(out var first) ? first.CreatedMs : _accumulator.OpenCreatedMs();
        foreach (var batch in _retries) oldest = Math.Min(oldest ?? long.MaxValue, batch.CreatedMs);
        foreach (var batch in _inFlight)
            if (!batch.IsDone) oldest = Math.Min(oldest ?? long.MaxValue, batch.CreatedMs);
        var expiryDue = oldest is { } o ? o + _context.DeliveryTimeoutMs : long.MaxValue;
        if (expiryDue < _expiryDue)
        {
            _expiryDue = expiryDue;
            (_expiryTimer ??= new OneShotTimer(Self)).Start(Context.System.Scheduler, expiryDue + 1, now);
        }
        else if (expiryDue == long.MaxValue) CancelTimers();
    }

    /// <summary>
    /// No batch open, queued or awaiting its outcome: an idle partition keeps no timer. Else each would keep its
    /// expiry for delivery.timeout.ms after its last batch (and its linger timer for linger.ms after a flush):
    /// a million armed timers at 100 producers × 10,000 partitions.
    /// </summary>
    private void CancelTimers()
    {
        if (_expiryDue != long.MaxValue)
        {
            _expiryDue = long.MaxValue;
            _expiryTimer?.Cancel();
        }
        if (_lingerDue != long.MaxValue)
        {
            _lingerDue = long.MaxValue;
            _lingerTimer?.Cancel();
        }
        _backoffTimer?.Cancel();
    }
}
