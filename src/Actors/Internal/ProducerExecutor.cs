using System.Collections.Concurrent;
using Akka.Dispatch;

namespace KafkaActors.Internal;

/// <summary>
/// The threads under <c>kafka-actors.dispatcher</c>: a few dedicated threads (not the .NET thread pool, which blocked
/// callers can starve) taking actors' mailbox runs from one queue, and sleeping, without spinning, when it is empty.
/// Akka's fork-join executor (its DedicatedThreadPool) spins before it sleeps, about 50 sched_yield calls per thread
/// each time the queue runs dry; a producer at 10,000 records/s runs dry every ~100 µs, so the spinning cost more CPU
/// than the work. Here a thread that finds nothing registers as a sleeper and waits on a monitor; Execute wakes one
/// sleeper per runnable it queues, and none while every thread is awake (a busy thread finds the runnable itself).
/// Created by <see cref="ProducerExecutorConfigurator"/> for each life of the dispatcher. Thread-safe: Execute from
/// any thread; the sleeper and wake-up counts are guarded by <c>_lock</c>.
/// </summary>
internal sealed class ProducerExecutor : ExecutorService
{
    private readonly ConcurrentQueue<IRunnable> _queue = new();
    private readonly object _lock = new();
    private readonly Action<Exception> _onError;
    private int _sleepers; // written under _lock (with Interlocked, for the fence), read without it by Execute
    private int _wakeups; // under _lock: sleepers told to wake that have not yet left their wait
    private volatile bool _shutdown;

    public ProducerExecutor(string id, int threadCount, bool background, Action<Exception> onError) : base(id)
    {
        _onError = onError;
        for (var i = 1; i <= threadCount; i++)
            new Thread(Work) { IsBackground = background, Name = $"{id}_{i}" }.Start();
    }

    public override void Execute(IRunnable run)
    {
        if (_shutdown) throw new RejectedExecutionException($"{Id} is shutting down");
        _queue.Enqueue(run);
        // Dekker with Sleep: this enqueue comes before our read of _sleepers, a sleeper's increment before its look
        // at the queue, so either it sees the runnable or we see it (and wake it).
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _sleepers) == 0) return;
        lock (_lock)
        {
            if (_wakeups >= _sleepers) return; // every sleeper is already on its way up
            _wakeups++;
            Monitor.Pulse(_lock);
        }
    }

    public override void Shutdown()
    {
        _shutdown = true;
        lock (_lock) Monitor.PulseAll(_lock);
    }

    private void Work()
    {
        while (true)
        {
            while (_queue.TryDequeue(out var runnable))
            {
                try
                {
                    runnable.Run();
                }
                catch (Exception e)
                {
                    // A mailbox handles its actor's failures; this is Akka itself failing. Keep the thread.
                    _onError(e);
                }
            }
            if (!Sleep()) return;
        }
    }

    /// <summary>Waits until there may be work; false once shut down with the queue empty.</summary>
    private bool Sleep()
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _sleepers);
            try
            {
                while (_wakeups == 0)
                {
                    if (!_queue.IsEmpty) return true;
                    if (_shutdown) return false;
                    Monitor.Wait(_lock);
                }
                _wakeups--;
                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
        }
    }
}
