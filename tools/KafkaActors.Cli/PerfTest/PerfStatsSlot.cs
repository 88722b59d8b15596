namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// One thread's share of a <see cref="PerfStats"/>: its totals, its current window and its latency samples (every
/// <c>sampling</c>-th of its records, as Kafka samples every n-th record). Owned by the thread that records into it,
/// which counts a batch's records without a lock (<see cref="Record"/>) and then adds them to what others read under the
/// slot's lock (<see cref="Publish"/>); that lock is uncontended except when <see cref="PerfStats"/> closes a window or
/// adds up the totals, so a batch costs one uncontended lock and no cache-line transfer between threads. Thread-safe as
/// long as only the owner calls <see cref="Record"/> and <see cref="Publish"/>.
/// </summary>
internal sealed class PerfStatsSlot(long sampling, int sampleCapacity)
{
    private readonly Lock _gate = new();
    // Guarded by _gate.
    private int[] _samples = new int[Math.Min(sampleCapacity, 1024)];
    private int _sampleCount;
    private Window _total;
    private Window _window;
    // The owner's, unpublished: its records since its last Publish, their samples, and the records left until the next
    // sample (the first record is sampled, then every sampling-th).
    private Window _pending;
    private int[] _pendingSamples = new int[64];
    private int _pendingSampleCount;
    private long _untilSample = 1;

    /// <summary>Counts of a window or of the whole run.</summary>
    public struct Window
    {
        public long Count;
        public long Bytes;
        public long TotalLatency;
        public int MaxLatency;

        public void Add(int latencyMs, int bytes)
        {
            Count++;
            Bytes += bytes;
            TotalLatency += latencyMs;
            if (latencyMs > MaxLatency) MaxLatency = latencyMs;
        }

        public void Add(in Window other)
        {
            Count += other.Count;
            Bytes += other.Bytes;
            TotalLatency += other.TotalLatency;
            MaxLatency = Math.Max(MaxLatency, other.MaxLatency);
        }
    }

    /// <summary>The owner: one record, not yet seen by others.</summary>
    public void Record(int latencyMs, int bytes)
    {
        _pending.Add(latencyMs, bytes);
        if (--_untilSample != 0) return;
        _untilSample = sampling;
        if (_pendingSampleCount == _pendingSamples.Length) Array.Resize(ref _pendingSamples, 2 * _pendingSamples.Length);
        _pendingSamples[_pendingSampleCount++] = latencyMs;
    }

    /// <summary>The owner: adds the records since the last call to the totals and the window (samples beyond the capacity are dropped).</summary>
    public void Publish()
    {
        if (_pending.Count == 0) return;
        lock (_gate)
        {
            _total.Add(_pending);
            _window.Add(_pending);
            var kept = Math.Min(_pendingSampleCount, sampleCapacity - _sampleCount);
            if (kept > 0)
            {
                if (_sampleCount + kept > _samples.Length)
                    Array.Resize(ref _samples, (int)Math.Min(Math.Max(2L * _samples.Length, _sampleCount + kept), sampleCapacity));
                Array.Copy(_pendingSamples, 0, _samples, _sampleCount, kept);
                _sampleCount += kept;
            }
        }
        _pending = default;
        _pendingSampleCount = 0;
    }

    /// <summary>Adds this slot's window to <paramref name="window"/> and starts a new one.</summary>
    public void TakeWindow(ref Window window)
    {
        lock (_gate)
        {
            window.Add(_window);
            _window = default;
        }
    }

    /// <summary>Adds this slot's totals to <paramref name="totals"/> and its samples to <paramref name="samples"/>.</summary>
    public void AddTotals(ref Window totals, List<int> samples)
    {
        lock (_gate)
        {
            totals.Add(_total);
            samples.AddRange(new ArraySegment<int>(_samples, 0, _sampleCount));
        }
    }
}
