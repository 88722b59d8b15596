using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace KafkaActors.Producer;

/// <summary>
/// How many facade records of each topic wait in the ProducerActor (for metadata or memory). While a topic
/// has some, later facade sends to it queue behind them, so records keep the order they were sent in;
/// other topics append directly. Incremented by the facade before it tells the record, decremented by the
/// actor once it is appended or failed. Thread-safe; the common case (nothing waiting anywhere) is one
/// volatile read.
/// </summary>
internal sealed class WaitingSends
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _byTopic = new(StringComparer.Ordinal);
    private int _total;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Any(string topic) => AnyWaiting && AnyFor(topic);

    private bool AnyWaiting => Volatile.Read(ref _total) > 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AnyFor(string topic) => _byTopic.TryGetValue(topic, out var count) && Volatile.Read(ref count.Value) > 0;

    public void Added(string topic)
    {
        Interlocked.Increment(ref _byTopic.GetOrAdd(topic, static _ => new StrongBox<int>()).Value);
        Interlocked.Increment(ref _total);
    }

    public void Removed(string topic)
    {
        if (_byTopic.TryGetValue(topic, out var count)) Interlocked.Decrement(ref count.Value);
        Interlocked.Decrement(ref _total);
    }
}
