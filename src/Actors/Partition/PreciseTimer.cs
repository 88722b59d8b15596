using System.Diagnostics;
using Akka.Actor;

namespace KafkaActors.Partition;

/// <summary>
/// A one-shot timer that tells an actor a message, with the sub-millisecond precision linger.ms needs
/// (see <see cref="PreciseScheduler"/>). Rescheduling supersedes the previous due time; stale firings
/// are dropped by generation. Owned by one actor; <see cref="Fire"/> runs on the scheduler thread.
/// </summary>
internal sealed class PreciseTimer(IActorRef target, object message) : IDisposable
{
    private long _generation;
    private volatile bool _disposed;

    public void Schedule(TimeSpan due)
    {
        var generation = Interlocked.Increment(ref _generation);
        var at = Stopwatch.GetTimestamp() + (long)(due.TotalSeconds * Stopwatch.Frequency);
        PreciseScheduler.Shared.Schedule(this, generation, at);
    }

    internal void Fire(long generation)
    {
        if (!_disposed && generation == Volatile.Read(ref _generation)) target.Tell(message, ActorRefs.NoSender);
    }

    public void Dispose() => _disposed = true;
}
