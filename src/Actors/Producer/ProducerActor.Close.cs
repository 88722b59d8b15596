using Akka.Actor;
using Akka.Event;
using KafkaActors.Errors;
using KafkaActors.Partition;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>
/// Closing (Java's <c>KafkaProducer.close(timeout)</c>), driven by the <see cref="Close"/> message through
/// <see cref="ClosePhase"/>s: Flushing (no new records; those accepted, queued here too, are sent) until the
/// timeout, then Aborting (what is left fails with ProducerClosedException, in-flight batches included), then
/// ClosingConnections, then the answer and the stop. Each phase is bounded, so Close returns within its
/// timeout plus <see cref="AbortGrace"/> and <see cref="ConnectionCloseGrace"/> at most.
/// </summary>
public sealed partial class ProducerActor<TKey, TValue>
{
    private const string CloseTimer = "close";

    /// <summary>How long aborted partition actors get to report their records' outcomes.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>The least time connections get to close gracefully, even when the close timeout is spent.</summary>
    private static readonly TimeSpan ConnectionCloseGrace = TimeSpan.FromMilliseconds(100);

    private readonly List<IActorRef> _closeRequesters = [];
    private ClosePhase _closePhase = ClosePhase.Open;
    private long _closeDeadlineMs;
    private long _closeTimeoutMs;
    private int _connectionsClosing;
    private bool _closingFlushStarted;

    private void OnClose(Close close, IActorRef replyTo)
    {
        if (!replyTo.IsNobody()) _closeRequesters.Add(replyTo);
        if (_closePhase == ClosePhase.Closed) replyTo.Tell(Akka.Done.Instance);
        if (_closePhase != ClosePhase.Open) return;

        _closePhase = ClosePhase.Flushing;
        _runtime.BeginClose(); // new records fail; the accepted ones, queued here too, still go out
        var timeout = close.Timeout < TimeSpan.Zero ? TimeSpan.Zero : close.Timeout;
        _closeTimeoutMs = (long)timeout.TotalMilliseconds;
        _closeDeadlineMs = MonotonicClock.NowMs + _closeTimeoutMs;
        Timers.StartSingleTimer(CloseTimer, new CloseTimerElapsed(ClosePhase.Flushing), timeout);
        // A flush barrier behind every record queued here, answered to this actor (Flushed): once all are
        // appended, appends stop and the last flush begins.
        _sendQueues.Flush(Self);
    }

    /// <summary>The close barrier passed every topic's queue: everything accepted is appended.</summary>
    private void OnCloseBarrierPassed()
    {
        if (_closePhase == ClosePhase.Flushing && !_closingFlushStarted) BeginClosingFlush();
    }

    private void BeginClosingFlush()
    {
        _closingFlushStarted = true;
        Accumulator.Close();
        var self = Self;
        Flusher.FlushAsync(Accumulator).ContinueWith(_ => self.Tell(CloseFlushed.Instance), TaskContinuationOptions.ExecuteSynchronously);
    }

    private void OnCloseFlushed()
    {
        if (_closePhase is ClosePhase.Flushing or ClosePhase.Aborting) CloseConnectionsNow();
    }

    private void OnCloseTimer(ClosePhase phase)
    {
        if (phase != _closePhase) return; // a phase that ended in time
        switch (phase)
        {
            case ClosePhase.Flushing:
                AbortRemaining();
                break;
            case ClosePhase.Aborting:
                _log.Warning("{0} batch(es) still incomplete {1} ms after the close abort; closing anyway", Accumulator.IncompleteCount, (long)AbortGrace.TotalMilliseconds);
                CloseConnectionsNow();
                break;
            case ClosePhase.ClosingConnections:
                FinishClose();
                break;
        }
    }

    /// <summary>The close timeout passed: every record still incomplete fails now, wherever it is.</summary>
    private void AbortRemaining()
    {
        _closePhase = ClosePhase.Aborting;
        var cause = new ProducerClosedException($"Producer is closed forcefully: not acknowledged within the close timeout of {_closeTimeoutMs} ms.");
        FailPending(cause);
        FailRouteWaiters(cause);
        Accumulator.Pool.Close();
        // Partition actors fail their batches, in flight too (their buffers are abandoned, not awaited), and stop.
        foreach (var partition in _partitions.Values) partition.Actor.Tell(new PartitionActor.AbortBatches(cause));
        // The closing flush, if it began, completes now that its batches fail; else it begins (behind nothing now).
        if (!_closingFlushStarted) BeginClosingFlush();
        Timers.StartSingleTimer(CloseTimer, new CloseTimerElapsed(ClosePhase.Aborting), AbortGrace);
    }

    /// <summary>Every record has its outcome: close each broker connection, FIN after its queued writes.</summary>
    private void CloseConnectionsNow()
    {
        _closePhase = ClosePhase.ClosingConnections;
        Accumulator.Pool.Close();
        _connectionsClosing = _connections.ShutdownAll(Self);
        if (_connectionsClosing == 0)
        {
            FinishClose();
            return;
        }
        var left = Math.Max(_closeDeadlineMs - MonotonicClock.NowMs, (long)ConnectionCloseGrace.TotalMilliseconds);
        Timers.StartSingleTimer(CloseTimer, new CloseTimerElapsed(ClosePhase.ClosingConnections), TimeSpan.FromMilliseconds(left));
    }

    private void OnConnectionClosed()
    {
        if (_closePhase == ClosePhase.ClosingConnections && --_connectionsClosing == 0) FinishClose();
    }

    private void FinishClose()
    {
        _closePhase = ClosePhase.Closed;
        Timers.Cancel(CloseTimer);
        var stopped = new ProducerClosedException("The producer closed before the record was sent.");
        FailPending(stopped);
        FailRouteWaiters(stopped);
        foreach (var requester in _closeRequesters) requester.Tell(Akka.Done.Instance);
        _closeRequesters.Clear();
        Context.Stop(Self);
    }
}
