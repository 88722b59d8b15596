using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using KafkaActors.Metrics;
using KafkaActors.Protocol.Records;
using KafkaActors.Settings;

namespace KafkaActors.Accumulator;

/// <summary>
/// The shared front of one producer (Java's <c>RecordAccumulator</c>): the routes of known topics,
/// the buffer pool, and the set of incomplete batches that flush and close wait for. Thread-safe.
/// The ProducerActor publishes routes; senders read them without locking.
/// </summary>
internal sealed class RecordAccumulator
{
    private readonly ConcurrentDictionary<string, TopicRoute> _routes = new(StringComparer.Ordinal);
    private readonly IncompleteBatches _incomplete = new();
    private TopicRoute? _lastRoute; // the route TryGetRoute found last (any sender may replace it; a superseded one is never used)
    private int _flushesInProgress;
    private volatile bool _closed;

    public RecordAccumulator(ProducerSettings settings, ProducerMetrics metrics)
    {
        Settings = settings;
        Pool = new BufferPool(settings.BufferMemory, Math.Max(settings.BatchSize, 1), metrics, adaptiveLimit: settings.BufferAdaptiveLimit);
        // Every batch holds a buffer of at least batch.size from the pool, so buffer.memory / batch.size bounds how many
        // arrays of each kind are in use at once; capped, as a pool reserves that many slots per size up front (64 slots of
        // 17-24 sizes: 9-12 KB a pool, which matters with many producers; small batches miss only small arrays).
        var batches = (int)Math.Clamp(settings.BufferMemory / Math.Max(settings.BatchSize, 1) + 8, 16, 64);
        RecordThunkPool = ArrayPool<ProducerBatch.RecordThunk>.Create(1 << 20, batches);
        CompressionPool = settings.CompressionType == CompressionType.None ? ArrayPool<byte>.Shared : ArrayPool<byte>.Create(1 << 27, batches);
    }

    public ProducerSettings Settings { get; }
    public BufferPool Pool { get; }

    /// <summary>
    /// The batches' per-record arrays (thread-safe: rented by senders, returned by partition actors). This producer's own
    /// rather than the shared pool: it keeps an array of each size for every batch that can exist at once (up to 64), is
    /// never trimmed, and lends one of the next two larger sizes when a size runs out; a miss allocates hundreds of KiB
    /// with 1 MiB batches.
    /// </summary>
    public ArrayPool<ProducerBatch.RecordThunk> RecordThunkPool { get; }

    /// <summary>
    /// The arrays of compressed payloads (thread-safe: rented by partition actors, returned where batches complete), own for
    /// the same reasons: a miss allocates an array of half a batch. The shared pool when nothing is compressed.
    /// </summary>
    public ArrayPool<byte> CompressionPool { get; }

    public bool IsClosed => _closed;

    /// <summary>While a flush runs, partition actors send open batches without waiting for linger.ms.</summary>
    public bool FlushInProgress => Volatile.Read(ref _flushesInProgress) > 0;

    /// <summary>
    /// The topic's current route, if any. Most sends name the topic of the send before with the same string, so the
    /// route last found is kept and recognised by that string's reference: no hashing of the name per record.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetRoute(string topic, out TopicRoute route)
    {
        var last = Volatile.Read(ref _lastRoute);
        if (last is not null && ReferenceEquals(last.SenderTopic, topic) && !last.IsSuperseded)
        {
            route = last;
            return true;
        }
        return TryGetRouteByName(topic, out route);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryGetRouteByName(string topic, out TopicRoute route)
    {
        if (!_routes.TryGetValue(topic, out route!)) return false;
        // Written only when they change, so senders alternating topics cost a store, not a lookup plus a store per record.
        if (!ReferenceEquals(route.SenderTopic, topic)) route.SenderTopic = topic;
        if (!ReferenceEquals(Volatile.Read(ref _lastRoute), route)) Volatile.Write(ref _lastRoute, route);
        return true;
    }

    /// <summary>ProducerActor (the only writer): the topic's new route replaces its old one, which senders then stop using from the cache.</summary>
    public void PublishRoute(TopicRoute route)
    {
        _routes.TryGetValue(route.Topic, out var old);
        _routes[route.Topic] = route;
        old?.Supersede();
    }

    /// <summary>The topic's metadata was forgotten (metadata.max.idle.ms): its next send waits for metadata again.</summary>
    public void RemoveRoute(string topic)
    {
        if (_routes.TryRemove(topic, out var old)) old.Supersede();
    }

    public IEnumerable<TopicRoute> Routes => _routes.Values;

    public void Track(ProducerBatch batch) => _incomplete.Add(batch);

    public void Untrack(ProducerBatch batch) => _incomplete.Remove(batch);

    /// <summary>Every batch not yet completed (a copy): what flush waits for, and what a stopping partition actor fails if it never reached it.</summary>
    public List<ProducerBatch> IncompleteBatches => _incomplete.Snapshot();

    /// <summary>
    /// Begins a flush: wakes every partition with an open batch so it goes out now; returns what to wait for. Only
    /// those: a flush over 10,000 mostly idle partitions should not send 10,000 wakeups. A batch opened after the
    /// check wakes its actor itself, which then sees the flush in progress (counted before the check).
    /// </summary>
    public Task BeginFlush()
    {
        Interlocked.Increment(ref _flushesInProgress);
        foreach (var route in _routes.Values)
            foreach (var partition in route.Partitions)
                if (partition.HasOpenBatch) partition.Wake();
        return Task.WhenAll(_incomplete.Snapshot().Select(b => b.Completion));
    }

    public void EndFlush() => Interlocked.Decrement(ref _flushesInProgress);

    /// <summary>No appends from now on (sends fail with ProducerClosedException).</summary>
    public void Close() => _closed = true;

    public int IncompleteCount => _incomplete.Count;
}
