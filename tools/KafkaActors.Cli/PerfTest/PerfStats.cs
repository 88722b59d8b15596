namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>ProducerPerformance.Stats</c>: totals, a reporting window printed every 5 s, and about 500,000
/// sampled latencies for the percentiles (every n-th record of each thread rather than of the whole run; below 1M
/// records, every record, as in Kafka). Unlike Java's (called from one I/O thread) it is called from several
/// partition actors at once. So that they do not contend for one lock per record, each calling thread counts into its
/// own <see cref="PerfStatsSlot"/>: without a lock per record, then once per batch (<see cref="EndBatch"/>) into the
/// slot's totals and window under that slot's lock, which only the window closer and the total line ever take besides
/// its owner; the window line is printed outside them. Every record is in exactly one window: the closer moves each
/// slot's window out under its lock. With <c>--warmup-records</c> (Kafka 4.x) a second one counts the steady
/// state: it is labelled in its total line, and once it starts the whole run's stats stop printing windows
/// (<see cref="SuppressWindows"/>), so each window is printed once. Thread-safe.
/// </summary>
internal sealed class PerfStats
{
    public const long DefaultReportingIntervalMs = 5000;
    private const double MiB = 1024.0 * 1024.0;

    private static int s_lastId;
    // This thread's slot of each PerfStats, indexed by _id (a [ThreadStatic] array rather than ThreadLocal, whose values
    // vanish when their thread exits: a retired pool thread's counts must stay in the totals).
    [ThreadStatic] private static PerfStatsSlot?[]? t_slots;

    private readonly int _id = Interlocked.Increment(ref s_lastId);
    // Guards _slots (the list) and the window.
    private readonly Lock _windowGate = new();
    private readonly List<PerfStatsSlot> _slots = [];
    private readonly long _sampling;
    private readonly int _sampleCapacity;
    private readonly TextWriter _output;
    private readonly long _reportingIntervalMs;
    private readonly long _start;
    private readonly string _label;
    // Written under _windowGate, read by every record to see whether the window is over.
    private long _windowStart;
    private volatile bool _windowsSuppressed;

    /// <param name="steadyState">True for the steady-state stats after the warm-up: its total line says so.</param>
    public PerfStats(long numRecords, TextWriter output, long startMs, long reportingIntervalMs = DefaultReportingIntervalMs, bool steadyState = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(reportingIntervalMs, 1);
        _label = steadyState ? " steady state" : "";
        ArgumentOutOfRangeException.ThrowIfLessThan(numRecords, 1);
        _output = output;
        _reportingIntervalMs = reportingIntervalMs;
        _start = startMs;
        _windowStart = startMs;
        _sampling = numRecords / Math.Min(numRecords, 500_000);
        _sampleCapacity = (int)(numRecords / _sampling + 1);
    }

    /// <summary>
    /// The calling thread's slot: it counts that thread's acknowledged records (failures are not counted, as in Kafka)
    /// without a lock, until the thread's <see cref="EndBatch"/>. Only that thread may use it.
    /// </summary>
    public PerfStatsSlot ThreadSlot()
    {
        var slots = t_slots;
        return (slots is not null && _id < slots.Length ? slots[_id] : null) ?? NewSlot();
    }

    /// <summary>
    /// The calling thread's records since its last call (one batch's) join the totals and the window, under one lock;
    /// then the window is closed if <paramref name="nowMs"/> is past its end.
    /// </summary>
    public void EndBatch(long nowMs)
    {
        ThreadSlot().Publish();
        if (nowMs - Volatile.Read(ref _windowStart) >= _reportingIntervalMs) CloseWindow(nowMs);
    }

    /// <summary>One acknowledged record on its own: counted in <see cref="ThreadSlot"/>, then <see cref="EndBatch"/>.</summary>
    public void Record(int latencyMs, int bytes, long nowMs)
    {
        ThreadSlot().Record(latencyMs, bytes);
        EndBatch(nowMs);
    }

    /// <summary>The calling thread's first record: its slot, registered so that windows and totals include it.</summary>
    private PerfStatsSlot NewSlot()
    {
        var slot = new PerfStatsSlot(_sampling, _sampleCapacity);
        lock (_windowGate) _slots.Add(slot);
        var slots = t_slots;
        if (slots is null || slots.Length <= _id) Array.Resize(ref t_slots, Math.Max(_id + 1, 2 * (slots?.Length ?? 4)));
        t_slots![_id] = slot;
        return slot;
    }

    /// <summary>Stops printing window lines (Kafka's <c>suppressPrinting</c>): the steady-state stats print them from now on.</summary>
    public void SuppressWindows() => _windowsSuppressed = true;

    private void CloseWindow(long nowMs)
    {
        string? line = null;
        lock (_windowGate)
        {
            // Another thread may have closed it meanwhile.
            if (nowMs - _windowStart < _reportingIntervalMs) return;
            var window = new PerfStatsSlot.Window();
            foreach (var slot in _slots) slot.TakeWindow(ref window);
            if (!_windowsSuppressed) line = WindowLine(window, nowMs - _windowStart);
            Volatile.Write(ref _windowStart, nowMs);
        }
        if (line is not null) _output.WriteLine(line);
    }

    /// <summary><c>%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.</c></summary>
    private static string WindowLine(in PerfStatsSlot.Window window, long elapsedMs)
    {
        var elapsed = (double)elapsedMs;
        var recordsPerSec = 1000.0 * window.Count / elapsed;
        var mbPerSec = 1000.0 * window.Bytes / elapsed / MiB;
        return $"{JavaFormat.Integer(window.Count)} records sent, {JavaFormat.Fixed(recordsPerSec, 1)} records/sec " +
               $"({JavaFormat.Fixed(mbPerSec, 2)} MB/sec), {JavaFormat.Fixed(window.TotalLatency / (double)window.Count, 1)} ms avg latency, " +
               $"{JavaFormat.Fixed(window.MaxLatency, 1)} ms max latency.";
    }

    /// <summary>
    /// <c>%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency,
    /// %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.</c>
    /// </summary>
    public string TotalLine(long nowMs)
    {
        var totals = new PerfStatsSlot.Window();
        var samples = new List<int>();
        lock (_windowGate)
            foreach (var slot in _slots) slot.AddTotals(ref totals, samples);
        var elapsed = (double)(nowMs - _start);
        var recordsPerSec = 1000.0 * totals.Count / elapsed;
        var mbPerSec = 1000.0 * totals.Bytes / elapsed / MiB;
        var p = Percentiles(samples, 0.5, 0.95, 0.99, 0.999);
        return $"{JavaFormat.Integer(totals.Count)}{_label} records sent, {JavaFormat.Fixed(recordsPerSec)} records/sec " +
               $"({JavaFormat.Fixed(mbPerSec, 2)} MB/sec), {JavaFormat.Fixed(totals.TotalLatency / (double)totals.Count, 2)} ms avg latency, " +
               $"{JavaFormat.Fixed(totals.MaxLatency, 2)} ms max latency, {p[0]} ms 50th, {p[1]} ms 95th, {p[2]} ms 99th, {p[3]} ms 99.9th.";
    }

    /// <summary>Sorts the samples and picks <c>samples[(int)(p * size)]</c>, as Kafka does (0 when there are none).</summary>
    private static int[] Percentiles(List<int> samples, params double[] percentiles)
    {
        samples.Sort();
        var size = samples.Count;
        var values = new int[percentiles.Length];
        for (var i = 0; i < percentiles.Length; i++)
            values[i] = size == 0 ? 0 : samples[Math.Min((int)(percentiles[i] * size), size - 1)];
        return values;
    }
}
