using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;

namespace KafkaActors.Metadata;

/// <summary>
/// Who waits for a topic's route (a blocking Send, PartitionsFor, a stream stage, the head of a ProducerActor
/// topic queue, each by Ask): answered with the route once the ProducerActor has published it, failed at its
/// max.block.ms deadline or as soon as the topic is refused. A MetadataActor handler: owned by that actor,
/// not thread-safe.
/// </summary>
internal sealed class RouteWaiters(ITimerScheduler timers)
{
    /// <summary>A waiter's max.block.ms deadline passed.</summary>
    internal sealed record Expired(long WaiterId) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    private sealed record Waiter(long Id, IActorRef ReplyTo);

    private readonly Dictionary<string, List<Waiter>> _byTopic = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>The topics someone waits for.</summary>
    public IEnumerable<string> Topics => _byTopic.Keys;

    public void Add(string topic, IActorRef replyTo, long deadlineMs)
    {
        var waiter = new Waiter(++_nextId, replyTo);
        if (!_byTopic.TryGetValue(topic, out var waiters)) _byTopic[topic] = waiters = [];
        waiters.Add(waiter);
        timers.StartSingleTimer(("route", waiter.Id), new Expired(waiter.Id), TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - MonotonicClock.NowMs)));
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
            if (waiters.Count == 0) _byTopic.Remove(topic);
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
