namespace KafkaActors.Accumulator;

/// <summary>
/// How much of buffer.memory appenders may fill now: just enough to keep the brokers busy. When records come
/// faster than the brokers take them, Java fills all of buffer.memory and every record then waits behind it
/// (latency ≈ buffer.memory / throughput, Little's law); a broker needs far less queued to stay busy. So the
/// <see cref="BufferPool"/> lets appenders wait once this limit is in use, and the connections steer it from what
/// they see (TCP Vegas's rule, with requests for packets): a Produce answer that found fewer than
/// <see cref="GrowBelow"/> requests queued at its broker raises it by one batch.size, one that found more than
/// <see cref="ShrinkAbove"/> lowers it by an eighth of what is above the floor (at least one), both only while appenders wait for memory (otherwise memory limits
/// nothing, and the signal says nothing about it).
///
/// It starts low, at the <see cref="Floor"/>, as TCP starts with a small window: a producer's first records then
/// wait for the brokers' first answers instead of filling buffer.memory with batches nobody needs queued yet (a fresh
/// process that takes 32 MiB of 16 KiB arrays at once spends tens of milliseconds on page faults and on collections
/// that copy them, and its records wait behind them). Until the first answer that finds a queue (slow start)
/// each raise is by an eighth of the limit (at least one batch.size), so a link that needs much in flight gets it
/// within tens of answers; after it, raises are additive.
///
/// buffer.memory keeps Java's meaning, as an upper bound: the limit never exceeds it, and when no Produce answer has
/// come for <see cref="QuietMs"/> (a broker down or stalled) it is lifted until the next one, so a producer that
/// cannot deliver buffers up to buffer.memory and blocks max.block.ms as Java's does. Before any answer, the quiet time
/// runs from the first check (the first allocation made while another buffer is in use).
///
/// Owned by the producer's <see cref="BufferPool"/> (which applies it under its lock); fed by every ConnectionActor.
/// Thread-safe: the limit and the time of the last answer are single longs written with Interlocked/Volatile, the
/// slow-start flag is volatile; a step lost to a concurrent one only makes the walk slower.
/// </summary>
internal sealed class AdaptiveBufferLimit : IDisposable
{
    /// <summary>Requests queued ahead at the broker below which it may run dry: more memory.</summary>
    public const double GrowBelow = 0.5;

    /// <summary>Requests queued ahead at the broker above which memory only adds waiting: less memory.</summary>
    public const double ShrinkAbove = 1.5;

    /// <summary>No Produce answer for this long lifts the limit (the brokers are not taking data anyway).</summary>
    public const long QuietMs = 100;

    // No answer yet, and the quiet time not started either (see EffectiveLimit).
    private const long NotStarted = long.MinValue;

    private readonly Action _serveWaiters;
    private readonly Timer _quietCheck;
    private long _limit;
    private long _lastAnswerMs = NotStarted;
    private volatile bool _appendersWaiting;
    private volatile bool _slowStart = true;

    /// <summary>Starts at the <see cref="Floor"/> and rises by <paramref name="step"/> (batch.size), up to <paramref name="totalMemory"/> (buffer.memory).</summary>
    /// <param name="totalMemory">buffer.memory.</param>
    /// <param name="step">batch.size.</param>
    /// <param name="serveWaiters">The pool's: grant what waiters the limit now allows (it rose, or answers stopped).</param>
    public AdaptiveBufferLimit(long totalMemory, int step, Action serveWaiters)
    {
        _serveWaiters = serveWaiters;
        _quietCheck = new Timer(static state => ((AdaptiveBufferLimit)state!)._serveWaiters(), this, Timeout.Infinite, Timeout.Infinite);
        TotalMemory = totalMemory;
        Step = Math.Max(1, step);
        Floor = Math.Min(totalMemory, Math.Max(4L * Step, 1L << 20));
        _limit = Floor;
    }

    public long TotalMemory { get; }

    /// <summary>One batch.size: the unit appenders allocate in.</summary>
    public int Step { get; }

    /// <summary>
    /// The least the limit goes down to: four batches (at least 1 MiB), so one can fill while the brokers have some
    /// queued, even when a slow wake-up of the appender (a busy machine) makes answers look like queueing.
    /// </summary>
    public long Floor { get; }

    /// <summary>The limit as steered, whether or not it is lifted for quiet now.</summary>
    public long Limit => Interlocked.Read(ref _limit);

    /// <summary>What appenders may have allocated at <paramref name="nowMs"/>: <see cref="TotalMemory"/> while no answers come.</summary>
    public long EffectiveLimit(long nowMs)
    {
        var lastAnswerMs = Volatile.Read(ref _lastAnswerMs);
        if (lastAnswerMs == NotStarted)
        {
            // The first check: the brokers have a quiet time from now to give their first answer.
            Interlocked.CompareExchange(ref _lastAnswerMs, nowMs, NotStarted);
            return Limit;
        }
        return nowMs - lastAnswerMs >= QuietMs ? TotalMemory : Limit;
    }

    /// <summary>
    /// BufferPool, under its lock: whether an appender waits for memory (one this limit may hold back). While one
    /// does, a check after <see cref="QuietMs"/> serves it if no answer came meanwhile.
    /// </summary>
    public bool AppendersWaiting
    {
        get => _appendersWaiting;
        set
        {
            if (value && !_appendersWaiting) _quietCheck.Change(QuietMs + 1, Timeout.Infinite);
            _appendersWaiting = value;
        }
    }

    /// <summary>BufferPool, with appenders still waiting after serving them: look again after <see cref="QuietMs"/>.</summary>
    public void CheckQuietLater() => _quietCheck.Change(QuietMs + 1, Timeout.Infinite);

    /// <summary>
    /// A connection got a Produce answer at <paramref name="nowMs"/> that had <paramref name="queuedAhead"/> requests
    /// (its estimate) waiting at the broker before it. A raised limit serves waiters at once.
    /// </summary>
    public void OnProduceAnswer(double queuedAhead, long nowMs)
    {
        Volatile.Write(ref _lastAnswerMs, nowMs);
        if (!_appendersWaiting) return;
        var limit = Limit;
        if (queuedAhead < GrowBelow && limit < TotalMemory)
        {
            var raise = _slowStart ? Math.Max(Step, limit / 8) : Step;
            if (Interlocked.CompareExchange(ref _limit, Math.Min(TotalMemory, limit + raise), limit) == limit) _serveWaiters();
        }
        else if (queuedAhead > ShrinkAbove)
        {
            _slowStart = false;
            if (limit <= Floor) return;
            // Down by an eighth of what is above the floor (at least a step): from 32 MiB of 16 KiB batches a step at
            // a time would take ~2,000 answers, longer than many a saturated run lasts; up is additive from now on (AIMD).
            Interlocked.CompareExchange(ref _limit, Math.Max(Floor, limit - Math.Max(Step, (limit - Floor) / 8)), limit);
        }
    }

    public void Dispose() => _quietCheck.Dispose();
}
