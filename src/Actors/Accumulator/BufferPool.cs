using KafkaActors.Errors;
using KafkaActors.Metrics;

namespace KafkaActors.Accumulator;

/// <summary>
/// Bounds the memory of all record batches to buffer.memory (Java's <c>BufferPool</c>). Buffers of
/// exactly batch.size are kept on a free list and reused, so steady-state sending allocates none;
/// other sizes come from the remaining budget. Callers that find no memory wait, first come first
/// served, up to max.block.ms, then get <see cref="BufferExhaustedException"/>. The one exception to the bound:
/// the pieces of a split batch take their memory at once (<see cref="AllocateForSplit"/>), briefly overdrawing it.
/// A producer's pool may also hold appenders back below buffer.memory (<see cref="Limit"/>, an
/// <see cref="AdaptiveBufferLimit"/>) while the brokers have enough queued; never an allocation whose max.block.ms is
/// shorter than that limit's quiet time, so it never causes a BufferExhaustedException Java would not throw.
///
/// Shared by one producer's appenders (facade callers, the ProducerActor, stream stages), which take
/// buffers, and its partition actors, which give them back through each batch's <see cref="BufferLease"/>.
/// (The other objects appenders share with actors are the <see cref="RecordAccumulator"/>'s routes and each
/// <see cref="PartitionAccumulator"/>'s open batch.) Thread-safe; every field is guarded by <c>_lock</c>, and so is the queue of
/// <see cref="BufferWaiter"/>s.
/// </summary>
internal sealed class BufferPool
{
    private readonly object _lock = new();
    private readonly Stack<byte[]> _free = new();
    private readonly LinkedList<BufferWaiter> _waiters = new();
    private readonly ProducerMetrics _metrics;
    private long _nonPooledAvailable;
    private bool _closed;

    /// <summary>A pool of <paramref name="totalMemory"/> bytes (buffer.memory) keeping buffers of <paramref name="poolableSize"/> (batch.size).</summary>
    /// <param name="totalMemory">buffer.memory.</param>
    /// <param name="poolableSize">batch.size.</param>
    /// <param name="metrics">Where waits and exhaustion are counted.</param>
    /// <param name="adaptiveLimit">Whether appenders are held back below <paramref name="totalMemory"/> by an <see cref="AdaptiveBufferLimit"/>.</param>
    public BufferPool(long totalMemory, int poolableSize, ProducerMetrics metrics, bool adaptiveLimit = false)
    {
        TotalMemory = totalMemory;
        PoolableSize = poolableSize;
        _nonPooledAvailable = totalMemory;
        _metrics = metrics;
        if (adaptiveLimit) Limit = new AdaptiveBufferLimit(totalMemory, poolableSize, ServeWaiters);
    }

    public long TotalMemory { get; }
    public int PoolableSize { get; }

    /// <summary>How much of <see cref="TotalMemory"/> appenders may fill now; null when all of it (Java's pool).</summary>
    public AdaptiveBufferLimit? Limit { get; }

    public long AvailableMemory
    {
        get { lock (_lock) return _nonPooledAvailable + (long)_free.Count * PoolableSize; }
    }

    /// <summary>Bytes held on the free list for reuse (at most buffer.memory): memory of the producer, not of any partition.</summary>
    public long FreeListBytes
    {
        get { lock (_lock) return (long)_free.Count * PoolableSize; }
    }

    /// <summary>Callers waiting for memory: batches should be sent without lingering to free some.</summary>
    public int QueuedWaiters
    {
        get { lock (_lock) return _waiters.Count; }
    }

    /// <summary>A buffer of at least <paramref name="size"/> bytes if memory is free now and nobody is queued before us; else null.</summary>
    public byte[]? TryAllocate(int size)
    {
        CheckSize(size);
        lock (_lock)
        {
            return TakeNowLocked(size, limited: true);
        }
    }

    /// <summary>Waits (asynchronously) up to <paramref name="maxWait"/> for memory, in FIFO order with other waiters.</summary>
    public Task<byte[]> AllocateAsync(int size, TimeSpan maxWait, CancellationToken cancellation = default)
    {
        CheckSize(size);
        AsyncBufferWaiter waiter;
        lock (_lock)
        {
            if (_closed) return Task.FromException<byte[]>(ClosedWhileAllocating());
            var limited = IsLimited(maxWait);
            if (TakeNowLocked(size, limited) is { } buffer) return Task.FromResult(buffer);
            waiter = new AsyncBufferWaiter(this, size, limited);
            EnqueueLocked(waiter);
        }
        waiter.Arm(maxWait, cancellation);
        return waiter.Task;
    }

    /// <summary>
    /// Blocks the calling thread up to <paramref name="maxWait"/> for memory (Java's blocking send), in FIFO order with
    /// other waiters, on the thread's own <see cref="BlockingBufferWaiter"/>.
    /// </summary>
    public byte[] Allocate(int size, TimeSpan maxWait, CancellationToken cancellation = default)
    {
        CheckSize(size);
        BlockingBufferWaiter waiter;
        lock (_lock)
        {
            if (_closed) throw ClosedWhileAllocating();
            var limited = IsLimited(maxWait);
            if (TakeNowLocked(size, limited) is { } buffer) return buffer;
            waiter = BlockingBufferWaiter.Begin(this, size, limited);
            EnqueueLocked(waiter);
        }
        return waiter.Wait(maxWait, cancellation);
    }

    /// <summary>A wait too short to outlast a quiet broker is not held back by the limit (see AdaptiveBufferLimit.QuietMs).</summary>
    private static bool IsLimited(TimeSpan maxWait) => maxWait.TotalMilliseconds > AdaptiveBufferLimit.QuietMs;

    private static ProducerClosedException ClosedWhileAllocating() => new("Producer closed while allocating memory.");

    /// <summary>Memory now, unless somebody is queued before us.</summary>
    private byte[]? TakeNowLocked(int size, bool limited) => _waiters.Count == 0 ? TakeLocked(size, limited) : null;

    private void EnqueueLocked(BufferWaiter waiter)
    {
        _waiters.AddLast(waiter.Node);
        UpdateWaitingLocked();
    }

    /// <summary>
    /// For the pieces of a split batch (see <see cref="ProducerBatch.Split"/>): a buffer of exactly <paramref name="size"/>
    /// bytes now, even when less is free. Java allocates them off the pool (on the heap, uncounted); a partition actor
    /// cannot wait for memory either, but here they are counted: the budget may go below zero, and appenders wait until
    /// it is repaid. The overdraft is small, because the split batch gives its own buffer back right after.
    /// </summary>
    public byte[] AllocateForSplit(int size)
    {
        lock (_lock)
        {
            if (size == PoolableSize && _free.Count > 0) return _free.Pop();
            _nonPooledAvailable -= size;
        }
        return NewBuffer(size);
    }

    /// <summary>Gives a buffer back; serves queued waiters first.</summary>
    public void Deallocate(byte[] buffer)
    {
        Grants granted;
        lock (_lock)
        {
            if (buffer.Length == PoolableSize) _free.Push(buffer);
            else _nonPooledAvailable += buffer.Length;
            granted = GrantWaitersLocked();
        }
        granted.HandOver(this);
    }

    /// <summary>
    /// Gives back the memory of a buffer whose array must not be reused (a socket write of unknown fate may
    /// still read it): its size returns to the budget; the array is left to the GC. Serves queued waiters first.
    /// </summary>
    public void DeallocateAbandoned(int size)
    {
        Grants granted;
        lock (_lock)
        {
            _nonPooledAvailable += size;
            granted = GrantWaitersLocked();
        }
        granted.HandOver(this);
    }

    /// <summary>
    /// The producer is closed (Java's <c>BufferPool.close</c>): whoever still waits for memory fails with
    /// <see cref="ProducerClosedException"/> now, and so do later waits. Buffers may still be given back.
    /// </summary>
    public void Close()
    {
        List<(BufferWaiter Waiter, int Generation)> waiting;
        lock (_lock)
        {
            _closed = true;
            waiting = [.. _waiters.Select(w => (w, w.Generation))];
            _waiters.Clear();
            UpdateWaitingLocked();
        }
        Limit?.Dispose();
        foreach (var (waiter, generation) in waiting) waiter.Fail(ClosedWhileAllocating(), generation);
    }

    private Grants GrantWaitersLocked()
    {
        var granted = new Grants();
        while (_waiters.First is { Value: var first })
        {
            var taken = TakeLocked(first.Size, first.Limited);
            if (taken is null) break;
            // The generation first: once off the queue, the waiter's owner may begin its next use (in another pool).
            granted.Add(first, first.Generation, taken);
            _waiters.RemoveFirst();
        }
        UpdateWaitingLocked();
        return granted;
    }

    /// <summary>The limit rose, or answers stopped: serve the waiters it allows now.</summary>
    private void ServeWaiters()
    {
        Grants granted;
        lock (_lock)
        {
            granted = GrantWaitersLocked();
            if (Limit is { AppendersWaiting: true } limit) limit.CheckQuietLater();
        }
        granted.HandOver(this);
    }

    /// <summary>Tells the limit whether an appender it may hold back waits for memory.</summary>
    private void UpdateWaitingLocked()
    {
        if (Limit is { } limit) limit.AppendersWaiting = _waiters.First is { Value.Limited: true };
    }

    private byte[]? TakeLocked(int size, bool limited)
    {
        if (limited && Limit is { } limit)
        {
            // One allocation always fits when nothing else is in use: a record larger than the limit must not wait for quiet.
            var inUse = TotalMemory - _nonPooledAvailable - (long)_free.Count * PoolableSize;
            if (inUse > 0 && inUse + size > limit.EffectiveLimit(MonotonicClock.NowMs)) return null;
        }
        // A split's overdraft (negative non-pooled budget) is repaid from the free list before a pooled buffer is reused.
        if (size == PoolableSize && _free.Count > 0 && _nonPooledAvailable >= 0) return _free.Pop();
        // Free pooled buffers back into the general budget until the request fits.
        var free = (long)_free.Count * PoolableSize;
        if (_nonPooledAvailable + free < size) return null;
        while (_nonPooledAvailable < size) { _free.Pop(); _nonPooledAvailable += PoolableSize; }
        _nonPooledAvailable -= size;
        return NewBuffer(size);
    }

    /// <summary>
    /// A new array. One of batch.size goes on the free list and usually lives as long as the producer, so it is
    /// allocated on the pinned object heap: it never passes through gen0 and gen1, where every collection of a filling
    /// pool would copy it, and a socket write that pins it cannot fragment gen0. Other sizes are used once and left to
    /// the GC, so they start in gen0 like any array.
    /// </summary>
    private byte[] NewBuffer(int size) => GC.AllocateUninitializedArray<byte>(size, pinned: size == PoolableSize);

    private void CheckSize(int size)
    {
        if (size > TotalMemory)
            throw new RecordTooLargeException($"Attempt to allocate {size} bytes, but there is a hard limit of {TotalMemory} on memory allocations (buffer.memory).");
    }

    /// <summary>A waiter that gave up leaves the queue (unless a grant took it off first); false when it was not queued.</summary>
    internal bool Withdraw(BufferWaiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node.List != _waiters) return false;
            _waiters.Remove(waiter.Node);
            UpdateWaitingLocked();
            return true;
        }
    }

    /// <summary>A waiter's time waiting, granted or not.</summary>
    internal void RecordWait(long stopwatchTicks) => _metrics.RecordBufferPoolWait(stopwatchTicks);

    /// <summary>What a waiter that gave up after <paramref name="maxWaitMs"/> fails with (counted).</summary>
    internal BufferExhaustedException Exhausted(int size, long maxWaitMs)
    {
        _metrics.RecordBufferExhausted();
        return new BufferExhaustedException(
            $"Failed to allocate {size} bytes within the configured max blocking time {maxWaitMs} ms. " +
            $"Total memory: {TotalMemory} bytes. Available memory: {AvailableMemory} bytes. Poolable size: {PoolableSize} bytes");
    }

    /// <summary>
    /// Buffers granted under the lock, handed over after it: the first in fields (the usual case allocates nothing), any
    /// more in a list. Lives on one caller's stack.
    /// </summary>
    private struct Grants
    {
        private BufferWaiter? _waiter;
        private int _generation;
        private byte[]? _buffer;
        private List<(BufferWaiter Waiter, int Generation, byte[] Buffer)>? _more;

        public void Add(BufferWaiter waiter, int generation, byte[] buffer)
        {
            if (_waiter is null) (_waiter, _generation, _buffer) = (waiter, generation, buffer);
            else (_more ??= []).Add((waiter, generation, buffer));
        }

        public readonly void HandOver(BufferPool pool)
        {
            if (_waiter is null) return;
            HandOver(pool, _waiter, _generation, _buffer!);
            if (_more is null) return;
            foreach (var (waiter, generation, buffer) in _more) HandOver(pool, waiter, generation, buffer);
        }

        // A waiter that gave up meanwhile gives the buffer straight back.
        private static void HandOver(BufferPool pool, BufferWaiter waiter, int generation, byte[] buffer)
        {
            if (!waiter.Grant(buffer, generation)) pool.Deallocate(buffer);
        }
    }
}
