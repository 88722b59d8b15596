using Akka.Actor;

namespace KafkaActors.Partition;

/// <summary>
/// A one-shot timer on Akka's scheduler that tells its owner a <see cref="Tick"/>: armed for a due time, re-armed
/// only when that changes, cancelled outright. Lighter than an actor's ITimerScheduler (whose dictionary every
/// IWithTimers actor carries, ~250 bytes, armed or not): a partition actor makes its two on first use. A tick
/// that was cancelled or superseded may still arrive; <see cref="TryConsume"/> tells it apart.
/// Owned by one actor and used only on its thread: not thread-safe.
/// </summary>
internal sealed class OneShotTimer(IActorRef owner)
{
    private ICancelable? _pending;
    private Tick? _tick;
    private long _dueMs = long.MaxValue;

    public bool IsArmed => _tick is not null;

    /// <summary>Arms the timer for <paramref name="dueMs"/> (monotonic ms), unless it is armed for exactly that already.</summary>
    public void Start(IScheduler scheduler, long dueMs, long nowMs)
    {
        if (_tick is not null && _dueMs == dueMs) return;
        Cancel();
        _dueMs = dueMs;
        _tick = new Tick(this);
        _pending = scheduler.ScheduleTellOnceCancelable(TimeSpan.FromMilliseconds(Math.Max(0, dueMs - nowMs)), owner, _tick, ActorRefs.NoSender);
    }

    public void Cancel()
    {
        _pending?.Cancel();
        _pending = null;
        _tick = null;
        _dueMs = long.MaxValue;
    }

    /// <summary>Whether <paramref name="tick"/> is this timer's current firing (then the timer is disarmed); false for a stale one.</summary>
    public bool TryConsume(Tick tick)
    {
        if (!ReferenceEquals(tick, _tick)) return false;
        _pending = null;
        _tick = null;
        _dueMs = long.MaxValue;
        return true;
    }

    /// <summary>One firing; a new instance per arming, so a stale one is recognised by reference.</summary>
    internal sealed class Tick(OneShotTimer timer) : INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression
    {
        public OneShotTimer Timer { get; } = timer;
    }
}
