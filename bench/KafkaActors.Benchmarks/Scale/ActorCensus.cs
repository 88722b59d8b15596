using Akka.Actor;
using KafkaActors.Partition;

namespace KafkaActors.Benchmarks.Scale;

/// <summary>
/// Counts what lives under the producers of one ActorSystem, by asking the actors themselves: every partition actor
/// (ActorSelection /user/*/partition-*) answers <see cref="PartitionActor.DescribeTimers"/> with its armed Akka timers
/// (ITimerScheduler.ActiveTimers) and whether its linger timer is armed; every child of a producer answers Identify.
/// The replies are counted by a throwaway actor until the expected number arrived or none came for a while.
/// </summary>
public static class ActorCensus
{
    public sealed record Result(int PartitionActors, int ArmedSchedulerTimers, int ArmedLingerTimers, int ProducerChildren, int PendingPreciseFirings);

    public static async Task<Result> Take(ActorSystem system, int expectedPartitionActors)
    {
        var timers = await Collect(system, "/user/*/partition-*", PartitionActor.DescribeTimers.Instance, expectedPartitionActors);
        var children = await Collect(system, "/user/*/*", new Identify(null), -1);
        return new Result(timers.Replies, timers.SchedulerTimers, timers.LingerTimers, children.Replies, PreciseScheduler.Shared.Pending);
    }

    private static async Task<Counter.Counts> Collect(ActorSystem system, string path, object message, int expected)
    {
        var done = new TaskCompletionSource<Counter.Counts>(TaskCreationOptions.RunContinuationsAsynchronously);
        var counter = system.ActorOf(Props.Create(() => new Counter(expected, done)));
        system.ActorSelection(path).Tell(message, counter);
        var counts = await done.Task;
        system.Stop(counter);
        return counts;
    }

    /// <summary>Counts replies; done at the expected count, or after a second without one. Owned by its actor.</summary>
    private sealed class Counter : ReceiveActor, IWithTimers
    {
        public sealed record Counts(int Replies, int SchedulerTimers, int LingerTimers);

        private int _replies, _schedulerTimers, _lingerTimers, _sinceLast;

        public Counter(int expected, TaskCompletionSource<Counts> done)
        {
            Receive<PartitionActor.TimersDescribed>(t =>
            {
                _schedulerTimers += t.SchedulerTimers;
                _lingerTimers += t.LingerArmed ? 1 : 0;
                Replied(expected, done);
            });
            Receive<ActorIdentity>(id =>
            {
                if (id.Subject is not null) Replied(expected, done);
            });
            Receive<string>(_ =>
            {
                if (++_sinceLast >= 10) done.TrySetResult(new Counts(_replies, _schedulerTimers, _lingerTimers));
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("quiet", "tick", TimeSpan.FromMilliseconds(100));

        private void Replied(int expected, TaskCompletionSource<Counts> done)
        {
            _sinceLast = 0;
            if (++_replies == expected) done.TrySetResult(new Counts(_replies, _schedulerTimers, _lingerTimers));
        }
    }
}
