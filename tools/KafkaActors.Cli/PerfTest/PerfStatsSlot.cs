namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// One thread's share of a <see cref="PerfStats"/>: its totals, its current window and its latency samples (every
/// <c>sampling</c>-th of its records, as Kafka samples every n-th record). Owned by the thread that records into
/// it; its lock is uncontended except when <see cref="PerfStats"/> closes a window or adds up the totals, so a record
/// costs no cache-line transfer between threads. Thread-safe.
/// </summary>
internal sealed class PerfStatsSlot(long sampling, int sampleCapacity)
{
    private readonly Lock _gate = new();
    private int[] _samples = new int[Math.Min(sampleCapacity, 1024)];
    private int _sampleCount;
    private long _iteration;
    private Window _total;
    private Window _window;

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

    public void Record(int latencyMs, int bytes)
    {
        lock (_gate)
        {
            _total.Add(latencyMs, bytes);
            _window.Add(latencyMs, bytes);
            if (_iteration++ % sampling == 0 && _sampleCount < sampleCapacity)
            {
                if (_sampleCount == _samples.Length) Array.Resize(ref _samples, (int)Math.Min(2L * _samples.Length, sampleCapacity));
                _samples[_sampleCount++] = latencyMs;
            }
        }
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
