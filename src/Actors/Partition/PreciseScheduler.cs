using System.Diagnostics;

namespace KafkaActors.Partition;

/// <summary>
/// One background thread for the whole process that fires <see cref="PreciseTimer"/>s on time. Both
/// Akka's scheduler (10 ms ticks) and .NET's Timer (7-10 ms for a 5 ms timer on Linux, measured here)
/// are too coarse for linger.ms; Monitor.Wait with a timeout wakes within ~0.2 ms of its whole milliseconds and
/// <see cref="PreciseSleep"/> sleeps the rest, neither spinning. Firing only tells an actor a message, so one thread
/// serves every producer. Thread-safe: <see cref="Schedule"/> from any thread; the queue is guarded by one lock.
/// </summary>
internal sealed class PreciseScheduler
{
    public static readonly PreciseScheduler Shared = new();

    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;
    private readonly object _lock = new();
    private readonly PriorityQueue<(PreciseTimer Timer, long Generation), long> _due = new();
    private Thread? _thread;

    /// <summary>Firings still due, superseded ones included (each is dropped when its time comes): for diagnostics.</summary>
    public int Pending
    {
        get { lock (_lock) return _due.Count; }
    }

    public void Schedule(PreciseTimer timer, long generation, long dueTimestamp)
    {
        lock (_lock)
        {
            var earliest = _due.TryPeek(out _, out var first) ? first : long.MaxValue;
            _due.Enqueue((timer, generation), dueTimestamp);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "kafka-actors-linger" };
                _thread.Start();
            }
            else if (dueTimestamp < earliest)
            {
                Monitor.Pulse(_lock);
            }
        }
    }

    private void Run()
    {
        var fired = new List<(PreciseTimer Timer, long Generation)>();
        while (true)
        {
            long tail = 0;
            lock (_lock)
            {
                while (true)
                {
                    if (!_due.TryPeek(out _, out var due))
                    {
                        Monitor.Wait(_lock);
                        continue;
                    }
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait <= 0) break;
                    // Monitor.Wait counts whole milliseconds (it truncates a TimeSpan, so a shorter wait returns at
                    // once and this loop would spin): wait those here, where an earlier timer can Pulse us, and sleep
                    // the remainder below, outside the lock.
                    if (wait >= OneMillisecond)
                    {
                        Monitor.Wait(_lock, (int)(wait / OneMillisecond));
                        continue;
                    }
                    tail = wait;
                    break;
                }
                if (tail == 0) CollectDue(fired);
            }
            if (tail > 0)
            {
                // Under a millisecond: a timer scheduled meanwhile for even sooner waits for this one, at most that long.
                PreciseSleep.For(tail);
                continue;
            }
            foreach (var (timer, generation) in fired) timer.Fire(generation);
            fired.Clear();
        }
    }

    private void CollectDue(List<(PreciseTimer Timer, long Generation)> fired)
    {
        var now = Stopwatch.GetTimestamp();
        while (_due.TryPeek(out var entry, out var due) && due <= now)
        {
            _due.Dequeue();
            fired.Add(entry);
        }
    }
}
