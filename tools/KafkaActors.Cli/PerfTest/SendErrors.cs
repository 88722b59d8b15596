using System.Collections.Concurrent;

namespace KafkaActors.Cli.PerfTest;

/// <summary>Counts failed records and keeps the first few exceptions for the report. Thread-safe.</summary>
internal sealed class SendErrors(int keep = 5)
{
    private readonly ConcurrentQueue<Exception> _first = new();
    private long _count;

    public long Count => Volatile.Read(ref _count);

    public IReadOnlyCollection<Exception> First => _first;

    public void Add(Exception exception)
    {
        if (Interlocked.Increment(ref _count) <= keep) _first.Enqueue(exception);
    }
}
