using System.Diagnostics;
using Akka.Actor;

namespace KafkaActors.Partition;

/// <summary>
/// A one-shot timer that tells an actor a message, with the sub-millisecond precision linger.ms needs
/// (see <see cref="PreciseScheduler"/>). Rescheduling supersedes the previous due time; stale firings
/// are dropped by generation. Owned by one actor; <see cref="Fire"/> runs on the scheduler thread, so the
/// generations are read and written with interlocked/volatile access.
/// </summary>
internal sealed class PreciseTimer(IActorRef target, object message) : IDisposable
{
    private long _generation;
    private long _firedGeneration; // the latest generation fired or cancelled: only ever raised
    private volatile bool _disposed;

    /// <summary>Whether the latest due time has neither fired nor been cancelled.</summary>
    public bool IsArmed => Volatile.Read(ref _firedGeneration) < Volatile.Read(ref _generation);

    public void Schedule(TimeSpan due)
    {
        var generation = Interlocked.Increment(ref _generation);
        var at = Stopwatch.GetTimestamp() + (long)(due.TotalSeconds * Stopwatch.Frequency);
        PreciseScheduler.Shared.Schedule(this, generation, at);
    }

    /// <summary>
    /// Supersedes the pending due time without a new one. Its entry stays in the scheduler's queue until that time
    /// and is then dropped; a firing racing with this may still tell the message once (harmless: one extra drain).
    /// </summary>
    public void Cancel() => RaiseFired(Interlocked.Increment(ref _generation));

    internal void Fire(long generation)
    {
        if (generation != Volatile.Read(ref _generation)) return;
        RaiseFired(generation);
        if (!_disposed) target.Tell(message, ActorRefs.NoSender);
    }

    public void Dispose() => _disposed = true;

    private void RaiseFired(long generation)
    {
        long seen;
        while ((seen = Volatile.Read(ref _firedGeneration)) < generation && Interlocked.CompareExchange(ref _firedGeneration, generation, seen) != seen)
        {
        }
    }
}
