using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Partition;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>What <see cref="ProducerCloser{TKey,TValue}"/> asks of the ProducerActor.</summary>
internal interface IProducerCloseHost
{
    /// <summary>Queues a flush barrier behind every record waiting, answered to the ProducerActor with <see cref="Flushed"/>.</summary>
    void FlushSendQueues();

    /// <summary>Every record waiting for metadata or memory fails now.</summary>
    void FailPending(Exception cause);

    /// <summary>Every wait for a route (the MetadataActor's) fails now.</summary>
    void FailRouteWaiters(Exception cause);

    /// <summary>Tells every partition actor.</summary>
    void TellPartitions(object message);

    /// <summary>Closes every broker connection (FIN after its queued writes); returns how many will report <c>Closed</c>.</summary>
    int CloseConnections();
}

/// <summary>
/// Closing (Java's <c>KafkaProducer.close(timeout)</c>), driven by the <see cref="Close"/> message through
/// <see cref="ClosePhase"/>s: Flushing (no new records; those accepted, queued in the send queues too, are sent)
/// until the timeout, then Aborting (what is left fails with ProducerClosedException, in-flight batches included),
/// then ClosingConnections, then the answer and the stop. Each phase is bounded, so Close returns within its
/// timeout plus <see cref="AbortGrace"/> and <see cref="ConnectionCloseGrace"/> at most.
/// A ProducerActor handler (its timers, and <paramref name="context"/> to stop it): owned by that actor, not thread-safe.
/// </summary>
internal sealed class ProducerCloser<TKey, TValue>(ProducerRuntime<TKey, TValue> runtime, IProducerCloseHost host, IActorContext context, ITimerScheduler timers, ILoggingAdapter log)
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

    private RecordAccumulator Accumulator => runtime.Accumulator;

    public void OnClose(Close close, IActorRef replyTo)
    {
        if (!replyTo.IsNobody()) _closeRequesters.Add(replyTo);
        if (_closePhase == ClosePhase.Closed) replyTo.Tell(Akka.Done.Instance);
        if (_closePhase != ClosePhase.Open) return;

        _closePhase = ClosePhase.Flushing;
        runtime.BeginClose(); // new records fail; the accepted ones, queued in the send queues too, still go out
        var timeout = close.Timeout < TimeSpan.Zero ? TimeSpan.Zero : close.Timeout;
        _closeTimeoutMs = (long)timeout.TotalMilliseconds;
        _closeDeadlineMs = MonotonicClock.NowMs + _closeTimeoutMs;
        timers.StartSingleTimer(CloseTimer, new CloseTimerElapsed(ClosePhase.Flushing), timeout);
        // A flush barrier behind every record queued, answered to the ProducerActor (Flushed): once all are
        // appended, appends stop and the last flush begins.
        host.FlushSendQueues();
    }

    /// <summary>The close barrier passed every topic's queue: everything accepted is appended.</summary>
    public void OnCloseBarrierPassed()
    {
        if (_closePhase == ClosePhase.Flushing && !_closingFlushStarted) BeginClosingFlush();
    }

    private void BeginClosingFlush()
    {
        _closingFlushStarted = true;
        Accumulator.Close();
        var self = context.Self;
        Flusher.FlushAsync(Accumulator).ContinueWith(_ => self.Tell(CloseFlushed.Instance), TaskContinuationOptions.ExecuteSynchronously);
    }

    public void OnCloseFlushed()
    {
        if (_closePhase is ClosePhase.Flushing or ClosePhase.Aborting) CloseConnectionsNow();
    }

    public void OnCloseTimer(ClosePhase phase)
    {
        if (phase != _closePhase) return; // a phase that ended in time
        switch (phase)
        {
            case ClosePhase.Flushing:
                AbortRemaining();
                break;
            case ClosePhase.Aborting:
                log.Warning("{0} batch(es) still incomplete {1} ms after the close abort; closing anyway", Accumulator.IncompleteCount, (long)AbortGrace.TotalMilliseconds);
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
        host.FailPending(cause);
        host.FailRouteWaiters(cause);
        Accumulator.Pool.Close();
        // Partition actors fail their batches, in flight too (their buffers are abandoned, not awaited), and stop.
        host.TellPartitions(new PartitionActor.AbortBatches(cause));
        // The closing flush, if it began, completes now that its batches fail; else it begins (behind nothing now).
        if (!_closingFlushStarted) BeginClosingFlush();
        timers.StartSingleTimer(CloseTimer, new CloseTimerElapsed(ClosePhase.Aborting), AbortGrace);
    }

    /// <summary>Every record has its outcome: close each broker connection, FIN after its queued writes.</summary>
    private void CloseConnectionsNow()
    {
        _closePhase = ClosePhase.ClosingConnections;
        Accumulator.Pool.Close();
        _connectionsClosing = host.CloseConnections();
        if (_connectionsClosing == 0)
        {
            FinishClose();
            return;
        }
        var left = Math.Max(_closeDeadlineMs - MonotonicClock.NowMs, (long)ConnectionCloseGrace.TotalMilliseconds);
        timers.StartSingleTimer(CloseTimer, new CloseTimerElapsed(ClosePhase.ClosingConnections), TimeSpan.FromMilliseconds(left));
    }

    public void OnConnectionClosed()
    {
        if (_closePhase == ClosePhase.ClosingConnections && --_connectionsClosing == 0) FinishClose();
    }

    private void FinishClose()
    {
        _closePhase = ClosePhase.Closed;
        timers.Cancel(CloseTimer);
        var stopped = new ProducerClosedException("The producer closed before the record was sent.");
        host.FailPending(stopped);
        host.FailRouteWaiters(stopped);
        foreach (var requester in _closeRequesters) requester.Tell(Akka.Done.Instance);
        _closeRequesters.Clear();
        context.Stop(context.Self);
    }
}
