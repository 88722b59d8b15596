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
/// <see cref="PartitionAccumulator"/>'s open batch.) Thread-safe; every field is guarded by <c>_lock</c>.
/// </summary>
internal sealed class BufferPool
{
    private readonly object _lock = new();
    private readonly Stack<byte[]> _free = new();
    private readonly LinkedList<Waiter> _waiters = new();
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
            return _waiters.Count == 0 ? TakeLocked(size, limited: true) : null;
        }
    }

    /// <summary>Waits (asynchronously) up to <paramref name="maxWait"/> for memory, in FIFO order with other waiters.</summary>
    public Task<byte[]> AllocateAsync(int size, TimeSpan maxWait, CancellationToken cancellation = default) =>
        Queue(size, maxWait, cancellation, blocking: false, out _);

    /// <summary>
    /// Blocks the calling thread up to <paramref name="maxWait"/> for memory (Java's blocking send). It sleeps until
    /// the wait ends, without spinning first as a Task's wait would: memory comes back only once a broker has answered,
    /// long after any spin, and a spinning sender takes CPU from the threads that free it (a saturated producer waits
    /// here about once per batch).
    /// </summary>
    public byte[] Allocate(int size, TimeSpan maxWait, CancellationToken cancellation = default)
    {
        var allocation = Queue(size, maxWait, cancellation, blocking: true, out var waiter);
        waiter?.WaitUntilDone(maxWait, cancellation);
        try
        {
            return allocation.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e)
        {
            throw new InterruptException("Interrupted while waiting for buffer memory.", e);
        }
    }

    /// <summary>Memory now, or a queued <paramref name="waiter"/> (null when the task is already complete).</summary>
    private Task<byte[]> Queue(int size, TimeSpan maxWait, CancellationToken cancellation, bool blocking, out Waiter? waiter)
    {
        CheckSize(size);
        waiter = null;
        lock (_lock)
        {
            if (_closed) return Task.FromException<byte[]>(new ProducerClosedException("Producer closed while allocating memory."));
            // A wait too short to outlast a quiet broker is not held back by the limit (see AdaptiveBufferLimit.QuietMs).
            var limited = maxWait.TotalMilliseconds > AdaptiveBufferLimit.QuietMs;
            if (_waiters.Count == 0)
            {
                var buffer = TakeLocked(size, limited);
                if (buffer is not null) return Task.FromResult(buffer);
            }
            waiter = new Waiter(size, limited, this, blocking);
            waiter.Node = _waiters.AddLast(waiter);
            UpdateWaitingLocked();
        }
        waiter.Arm(maxWait, cancellation);
        return waiter.Task;
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
        List<(Waiter, byte[])>? granted;
        lock (_lock)
        {
            if (buffer.Length == PoolableSize) _free.Push(buffer);
            else _nonPooledAvailable += buffer.Length;
            granted = GrantWaitersLocked();
        }
        Grant(granted);
    }

    /// <summary>
    /// Gives back the memory of a buffer whose array must not be reused (a socket write of unknown fate may
    /// still read it): its size returns to the budget; the array is left to the GC. Serves queued waiters first.
    /// </summary>
    public void DeallocateAbandoned(int size)
    {
        List<(Waiter, byte[])>? granted;
        lock (_lock)
        {
            _nonPooledAvailable += size;
            granted = GrantWaitersLocked();
        }
        Grant(granted);
    }

    /// <summary>
    /// The producer is closed (Java's <c>BufferPool.close</c>): whoever still waits for memory fails with
    /// <see cref="ProducerClosedException"/> now, and so do later waits. Buffers may still be given back.
    /// </summary>
    public void Close()
    {
        List<Waiter> waiting;
        lock (_lock)
        {
            _closed = true;
            waiting = [.. _waiters];
            _waiters.Clear();
            UpdateWaitingLocked();
        }
        Limit?.Dispose();
        foreach (var waiter in waiting) waiter.Fail(new ProducerClosedException("Producer closed while allocating memory."));
    }

    private List<(Waiter, byte[])>? GrantWaitersLocked()
    {
        List<(Waiter, byte[])>? granted = null;
        while (_waiters.First is { } first)
        {
            var taken = TakeLocked(first.Value.Size, first.Value.Limited);
            if (taken is null) break;
            _waiters.RemoveFirst();
            (granted ??= []).Add((first.Value, taken));
        }
        UpdateWaitingLocked();
        return granted;
    }

    /// <summary>The limit rose, or answers stopped: serve the waiters it allows now.</summary>
    private void ServeWaiters()
    {
        List<(Waiter, byte[])>? granted;
        lock (_lock)
        {
            granted = GrantWaitersLocked();
            if (Limit is { AppendersWaiting: true } limit) limit.CheckQuietLater();
        }
        Grant(granted);
    }

    /// <summary>Tells the limit whether an appender it may hold back waits for memory.</summary>
    private void UpdateWaitingLocked()
    {
        if (Limit is { } limit) limit.AppendersWaiting = _waiters.First is { Value.Limited: true };
    }

    private void Grant(List<(Waiter, byte[])>? granted)
    {
        if (granted is null) return;
        foreach (var (waiter, taken) in granted)
        {
            // A waiter that timed out concurrently gives the buffer straight back.
            if (!waiter.Grant(taken)) Deallocate(taken);
        }
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

    private bool Withdraw(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null) return false;
            _waiters.Remove(waiter.Node);
            UpdateWaitingLocked();
            return true;
        }
    }

    /// <summary>
    /// One queued allocation. It completes exactly once — granted, timed out or cancelled — whichever
    /// flips <c>_done</c> first; the losers back off (a late grant hands its buffer back to the pool). A blocking one
    /// also sets its signal once complete, which its thread sleeps on (<see cref="WaitUntilDone"/>).
    /// </summary>
    private sealed class Waiter(int size, bool limited, BufferPool pool, bool blocking)
    {
        private readonly TaskCompletionSource<byte[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // Never disposed: it holds no kernel handle (its WaitHandle is never asked for), and a completer may still be
        // inside Set when the woken thread returns.
        private readonly ManualResetEventSlim? _signal = blocking ? new ManualResetEventSlim(false, spinCount: 0) : null;
        private readonly long _startTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        private int _done;
        private Timer? _timer;
        private CancellationTokenRegistration _registration;
        private long _maxWaitMs;

        public int Size { get; } = size;

        /// <summary>Whether the pool's <see cref="Limit"/> may hold it back (its max.block.ms is long enough).</summary>
        public bool Limited { get; } = limited;
        public LinkedListNode<Waiter>? Node { get; set; }
        public Task<byte[]> Task => _completion.Task;

        /// <summary>
        /// Starts the clocks; called once the waiter is queued, so a grant may already have beaten it. A blocking waiter's
        /// clocks are its own thread's (<see cref="WaitUntilDone"/>): no timer or registration per wait.
        /// </summary>
        public void Arm(TimeSpan maxWait, CancellationToken cancellation)
        {
            _maxWaitMs = (long)maxWait.TotalMilliseconds;
            if (_signal is not null) return;
            _timer = new Timer(static state => ((Waiter)state!).Expire(null), this, maxWait, Timeout.InfiniteTimeSpan);
            if (cancellation.CanBeCanceled) _registration = cancellation.Register(() => Expire(cancellation));
            if (Volatile.Read(ref _done) == 1) Cleanup(); // granted meanwhile: stop the clocks we just started
        }

        /// <summary>
        /// A blocking waiter's thread: sleeps until the allocation is granted or has failed, and expires the waiter
        /// itself once <paramref name="maxWait"/> has passed or <paramref name="cancellation"/> is cancelled.
        /// </summary>
        public void WaitUntilDone(TimeSpan maxWait, CancellationToken cancellation)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                while (true)
                {
                    var leftMs = Math.Ceiling((maxWait - System.Diagnostics.Stopwatch.GetElapsedTime(started)).TotalMilliseconds);
                    if (leftMs <= 0)
                    {
                        Expire(null);
                        return;
                    }
                    // In slices a wait accepts (int milliseconds): max.block.ms may be longer.
                    if (_signal!.Wait((int)Math.Min(int.MaxValue, leftMs), cancellation)) return;
                }
            }
            catch (OperationCanceledException)
            {
                Expire(cancellation);
            }
        }

        public bool Grant(byte[] buffer)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return false;
            Finish();
            _completion.TrySetResult(buffer);
            _signal?.Set();
            return true;
        }

        public void Fail(Exception error)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            Finish();
            _completion.TrySetException(error);
            _signal?.Set();
        }

        private void Expire(CancellationToken? cancelled)
        {
            if (Interlocked.CompareExchange(ref _done, 1, 0) != 0) return;
            pool.Withdraw(this);
            Finish();
            if (cancelled is { } token)
            {
                _completion.TrySetCanceled(token);
            }
            else
            {
                pool._metrics.RecordBufferExhausted();
                _completion.TrySetException(new BufferExhaustedException(
                    $"Failed to allocate {Size} bytes within the configured max blocking time {_maxWaitMs} ms. " +
                    $"Total memory: {pool.TotalMemory} bytes. Available memory: {pool.AvailableMemory} bytes. Poolable size: {pool.PoolableSize} bytes"));
            }
            _signal?.Set();
        }

        private void Finish()
        {
            pool._metrics.RecordBufferPoolWait(System.Diagnostics.Stopwatch.GetTimestamp() - _startTicks);
            Cleanup();
        }

        private void Cleanup()
        {
            Interlocked.Exchange(ref _timer, null)?.Dispose();
            _registration.Dispose();
        }
    }
}
