using System.Collections.Concurrent;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Counts failed records and keeps the first few distinct errors (by type and message) with how many records
/// each failed, so a thousand identical failures make one line of the report. The first failure that ends the
/// run (an authentication failure) is kept apart in <see cref="EndedBy"/>. Thread-safe.
/// </summary>
internal sealed class SendErrors(int keep = 5)
{
    private readonly ConcurrentDictionary<(Type, string), Entry> _distinct = new();
    private readonly ConcurrentQueue<Entry> _first = new();
    private long _count;
    private Exception? _endedBy;

    /// <summary>One distinct error and the number of records it failed.</summary>
    public sealed class Entry(Exception exception)
    {
        private long _records;

        public Exception Exception { get; } = exception;

        public long Records => Volatile.Read(ref _records);

        internal void Add() => Interlocked.Increment(ref _records);
    }

    public long Count => Volatile.Read(ref _count);

    /// <summary>The first distinct errors, at most <c>keep</c>, in the order they first happened.</summary>
    public IReadOnlyCollection<Entry> First => _first;

    /// <summary>Records whose error is not in <see cref="First"/>.</summary>
    public long NotShown => Count - _first.Sum(e => e.Records);

    /// <summary>The first failure that ends the run (see <see cref="ErrorLine.EndsTheRun"/>), or null.</summary>
    public Exception? EndedBy => Volatile.Read(ref _endedBy);

    public void Add(Exception exception)
    {
        if (ErrorLine.EndsTheRun(exception)) Interlocked.CompareExchange(ref _endedBy, exception, null);
        var key = (exception.GetType(), exception.Message);
        if (!_distinct.TryGetValue(key, out var entry) && _distinct.Count < keep)
        {
            var added = new Entry(exception);
            entry = _distinct.GetOrAdd(key, added);
            if (ReferenceEquals(entry, added)) _first.Enqueue(entry);
        }
        entry?.Add();
        Interlocked.Increment(ref _count);
    }
}
