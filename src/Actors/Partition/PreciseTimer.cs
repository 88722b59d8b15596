using Akka.Actor;

namespace KafkaActors.Partition;

/// <summary>
/// A one-shot timer that tells an actor a message, with the millisecond precision linger.ms needs. Akka's
/// scheduler ticks every 10 ms by default, which would turn linger.ms = 5 into 10-20 ms of latency.
/// Rescheduling allocates nothing.
/// </summary>
internal sealed class PreciseTimer : IDisposable
{
    private readonly Timer _timer;

    public PreciseTimer(IActorRef target, object message)
    {
        _timer = new Timer(static state =>
        {
            var (actor, tick) = ((IActorRef, object))state!;
            actor.Tell(tick, ActorRefs.NoSender);
        }, (target, message), Timeout.Infinite, Timeout.Infinite);
    }

    public void Schedule(TimeSpan due) => _timer.Change(due, Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer.Dispose();
}
