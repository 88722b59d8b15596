using Akka.Actor;
using KafkaActors.Accumulator;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>
/// Who waits for a topic's route (a blocking Send, PartitionsFor, a stream stage, each by Ask): answered
/// with the route once it is built, failed at its max.block.ms deadline or as soon as the topic is refused.
/// A ProducerActor handler: owned by that actor, not thread-safe.
/// </summary>
internal sealed class RouteWaiters(ITimerScheduler timers)
{
    private readonly Dictionary<string, List<RouteWaiter>> _byTopic = new(StringComparer.Ordinal);
    private long _nextId;

    public void Add(string topic, IActorRef replyTo, long deadlineMs)
    {
        var waiter = new RouteWaiter(++_nextId, replyTo, deadlineMs);
        if (!_byTopic.TryGetValue(topic, out var waiters)) _byTopic[topic] = waiters = [];
        waiters.Add(waiter);
        timers.StartSingleTimer(("route", waiter.Id), new RouteWaitExpired(waiter.Id), TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - MonotonicClock.NowMs)));
    }

    public void Routed(TopicRoute route)
    {
        if (!_byTopic.Remove(route.Topic, out var waiters)) return;
        foreach (var waiter in waiters)
        {
            timers.Cancel(("route", waiter.Id));
            waiter.ReplyTo.Tell(route);
        }
    }

    /// <summary>A waiter's deadline: it fails with the error <paramref name="timeout"/> makes for its topic.</summary>
    public void Expire(long id, Func<string, Exception> timeout)
    {
        foreach (var (topic, waiters) in _byTopic)
        {
            var index = waiters.FindIndex(w => w.Id == id);
            if (index < 0) continue;
            var waiter = waiters[index];
            waiters.RemoveAt(index);
            waiter.ReplyTo.Tell(new Status.Failure(timeout(topic)));
            return;
        }
    }

    public void Fail(string topic, Exception cause)
    {
        if (!_byTopic.Remove(topic, out var waiters)) return;
        foreach (var waiter in waiters)
        {
            timers.Cancel(("route", waiter.Id));
            waiter.ReplyTo.Tell(new Status.Failure(cause));
        }
    }

    public void FailAll(Exception cause)
    {
        foreach (var topic in _byTopic.Keys.ToList()) Fail(topic, cause);
    }
}
