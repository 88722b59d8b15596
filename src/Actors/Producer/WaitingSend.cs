using Akka.Actor;
using KafkaActors.Errors;

namespace KafkaActors.Producer;

/// <summary>
/// A record waiting in the ProducerActor for its topic's metadata or for buffer memory, or the marker of a
/// <see cref="FlushBarrier"/>. Created by the facade (SendAsync, or a Send behind waiting records) or by the
/// actor (Tell), then owned by the actor's <see cref="SendQueues{TKey,TValue}"/>. Thread-safe where it has to
/// be: a SendAsync cancellation (any thread) and the actor's append race under the item's lock, so a
/// record is either cancelled while it waits or appended and reported by its batch, never both.
/// </summary>
internal sealed class WaitingSend<TKey, TValue> : INoSerializationVerificationNeeded
{
    private const int Waiting = 0, Done = 1, Cancelled = 2;

    private int _state;
    private SendPipeline<TKey, TValue>? _pipeline;
    private CancellationTokenRegistration _registration;
    private ManualResetEventSlim? _handled;

    public WaitingSend(ProducerRecord<TKey, TValue> record, object? completion, long deadlineMs, bool fromFacade)
    {
        Record = record;
        Completion = completion;
        DeadlineMs = deadlineMs;
        FromFacade = fromFacade;
    }

    private WaitingSend(FlushBarrier barrier)
    {
        Barrier = barrier;
        DeadlineMs = long.MaxValue;
    }

    public static WaitingSend<TKey, TValue> MarkerOf(FlushBarrier barrier) => new(barrier);

    /// <summary>Null for a flush marker.</summary>
    public ProducerRecord<TKey, TValue>? Record { get; }

    /// <summary>How the outcome is delivered (see DeliveryCompletion), or null for fire-and-forget.</summary>
    public object? Completion { get; }

    public long DeadlineMs { get; }

    /// <summary>Counted in <see cref="WaitingSends"/> while it waits.</summary>
    public bool FromFacade { get; }

    public FlushBarrier? Barrier { get; }

    public bool IsMarker => Barrier is not null;

    public CancellationToken Cancellation { get; private set; }

    public bool IsCancelled => Volatile.Read(ref _state) == Cancelled;

    /// <summary>Facade, before telling the record: cancelling fails it now, while it still waits; once appended, cancelling does nothing.</summary>
    public void CancelWith(CancellationToken cancellation, SendPipeline<TKey, TValue> pipeline)
    {
        if (!cancellation.CanBeCanceled) return;
        _pipeline = pipeline;
        Cancellation = cancellation;
        _registration = cancellation.Register(static item => ((WaitingSend<TKey, TValue>)item!).OnCancelled(), this);
    }

    /// <summary>Facade, for a blocking Send behind waiting records: lets the caller wait until the actor is done with it.</summary>
    public ManualResetEventSlim TrackHandled() => _handled = new ManualResetEventSlim();

    private void OnCancelled()
    {
        lock (this)
        {
            if (_state != Waiting) return;
            _state = Cancelled;
        }
        var record = Record!;
        _pipeline!.FailUnbatched(record, record.Partition ?? -1, Completion, CancelledWhileWaiting());
    }

    /// <summary>The outcome of a record whose SendAsync was cancelled before it was appended.</summary>
    public static InterruptException CancelledWhileWaiting(Exception? inner = null) =>
        new("The send was cancelled while waiting for metadata or buffer memory.", inner);

    /// <summary>Actor, holding the item's lock: appended or failed; from now on cancellation does nothing.</summary>
    public void Finish()
    {
        if (_state == Waiting) _state = Done;
        _registration.Unregister(); // not Dispose: that would wait for a cancel callback blocked on our lock
    }

    /// <summary>Actor: the item left the queue (appended, failed or cancelled).</summary>
    public void Dequeued() => _handled?.Set();
}

/// <summary>
/// A Flush told to the ProducerActor while records wait there: it must first pass every topic queue that
/// held records (a marker in each), then flush the accumulator. Owned by the actor; not thread-safe.
/// </summary>
internal sealed class FlushBarrier(IActorRef replyTo, int markers, object reply, bool survivesFailure)
{
    private int _remaining = markers;
    private bool _failed;

    public IActorRef ReplyTo { get; } = replyTo;

    /// <summary>What <see cref="ReplyTo"/> is told once the flush is done.</summary>
    public object Reply { get; } = reply;

    /// <summary>True for a transaction's flush: failed waiting records are done with too, so it goes on.</summary>
    public bool SurvivesFailure { get; } = survivesFailure;

    /// <summary>A marker reached the head of its queue; true once all have.</summary>
    public bool Passed() => --_remaining == 0;

    /// <summary>The producer aborted or stopped: true for the first of its markers, so the flush fails once.</summary>
    public bool Fail()
    {
        if (_failed) return false;
        _failed = true;
        return true;
    }
}
