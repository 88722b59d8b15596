using System.Diagnostics;

namespace KafkaActors.Partition;

/// <summary>
/// One background thread for the whole process that fires <see cref="PreciseTimer"/>s on time. Both
/// Akka's scheduler (10 ms ticks) and .NET's Timer (7-10 ms for a 5 ms timer on Linux, measured here)
/// are too coarse for linger.ms; Monitor.Wait with a timeout wakes within ~0.2 ms. Firing only tells an
/// actor a message, so one thread serves every producer.
/// </summary>
internal sealed class PreciseScheduler
{
    public static readonly PreciseScheduler Shared = new();

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
            lock (_lock)
            {
                while (true)
                {
                    if (!_due.TryPeek(out _, out var due))
                    {
                        Monitor.Wait(_lock);
                        continue;
                    }
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait <= TimeSpan.Zero) break;
                    Monitor.Wait(_lock, wait);
                }
                var now = Stopwatch.GetTimestamp();
                while (_due.TryPeek(out var entry, out var due) && due <= now)
                {
                    _due.Dequeue();
                    fired.Add(entry);
                }
            }
            foreach (var (timer, generation) in fired) timer.Fire(generation);
            fired.Clear();
        }
    }
}
