namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>ProducerPerformance.Stats</c>: totals, a reporting window printed every 5 s, and up to 500,000
/// sampled latencies for the percentiles. Unlike Java's (called from one I/O thread) it is called from several
/// partition actors at once, so updates take a short lock; the window line is printed outside it. With
/// <c>--warmup-records</c> (Kafka 4.x) a second one counts the steady state: it is labelled in its total line, and
/// once it starts the whole run's stats stop printing windows (<see cref="SuppressWindows"/>), so each window is printed once.
/// </summary>
internal sealed class PerfStats
{
    public const long DefaultReportingIntervalMs = 5000;
    private const double MiB = 1024.0 * 1024.0;

    private readonly Lock _gate = new();
    private readonly TextWriter _output;
    private readonly long _reportingIntervalMs;
    private readonly long _start;
    private readonly int[] _latencies;
    private readonly long _sampling;
    private long _iteration;
    private int _index;
    private long _count;
    private long _bytes;
    private int _maxLatency;
    private long _totalLatency;
    private long _windowStart;
    private long _windowCount;
    private int _windowMaxLatency;
    private long _windowTotalLatency;
    private long _windowBytes;
    private readonly string _label;
    private bool _windowsSuppressed;

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
        _latencies = new int[numRecords / _sampling + 1];
    }

    /// <summary>One acknowledged record (failures are not counted, as in Kafka).</summary>
    public void Record(int latencyMs, int bytes, long nowMs)
    {
        string? window = null;
        lock (_gate)
        {
            _count++;
            _bytes += bytes;
            _totalLatency += latencyMs;
            _maxLatency = Math.Max(_maxLatency, latencyMs);
            _windowCount++;
            _windowBytes += bytes;
            _windowTotalLatency += latencyMs;
            _windowMaxLatency = Math.Max(_windowMaxLatency, latencyMs);
            if (_iteration % _sampling == 0 && _index < _latencies.Length) _latencies[_index++] = latencyMs;
            if (nowMs - _windowStart >= _reportingIntervalMs)
            {
                if (!_windowsSuppressed) window = WindowLine(nowMs);
                NewWindow(nowMs);
            }
            _iteration++;
        }
        if (window is not null) _output.WriteLine(window);
    }

    /// <summary>Stops printing window lines (Kafka's <c>suppressPrinting</c>): the steady-state stats print them from now on.</summary>
    public void SuppressWindows()
    {
        lock (_gate) _windowsSuppressed = true;
    }

    /// <summary><c>%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.</c></summary>
    private string WindowLine(long nowMs)
    {
        var elapsed = (double)(nowMs - _windowStart);
        var recordsPerSec = 1000.0 * _windowCount / elapsed;
        var mbPerSec = 1000.0 * _windowBytes / elapsed / MiB;
        return $"{JavaFormat.Integer(_windowCount)} records sent, {JavaFormat.Fixed(recordsPerSec, 1)} records/sec " +
               $"({JavaFormat.Fixed(mbPerSec, 2)} MB/sec), {JavaFormat.Fixed(_windowTotalLatency / (double)_windowCount, 1)} ms avg latency, " +
               $"{JavaFormat.Fixed(_windowMaxLatency, 1)} ms max latency.";
    }

    private void NewWindow(long nowMs)
    {
        _windowStart = nowMs;
        _windowCount = 0;
        _windowMaxLatency = 0;
        _windowTotalLatency = 0;
        _windowBytes = 0;
    }

    /// <summary>
    /// <c>%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency,
    /// %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.</c>
    /// </summary>
    public string TotalLine(long nowMs)
    {
        lock (_gate)
        {
            var elapsed = (double)(nowMs - _start);
            var recordsPerSec = 1000.0 * _count / elapsed;
            var mbPerSec = 1000.0 * _bytes / elapsed / MiB;
            var p = Percentiles(_latencies, _index, 0.5, 0.95, 0.99, 0.999);
            return $"{JavaFormat.Integer(_count)}{_label} records sent, {JavaFormat.Fixed(recordsPerSec)} records/sec " +
                   $"({JavaFormat.Fixed(mbPerSec, 2)} MB/sec), {JavaFormat.Fixed(_totalLatency / (double)_count, 2)} ms avg latency, " +
                   $"{JavaFormat.Fixed(_maxLatency, 2)} ms max latency, {p[0]} ms 50th, {p[1]} ms 95th, {p[2]} ms 99th, {p[3]} ms 99.9th.";
        }
    }

    /// <summary>Sorts the samples in place and picks <c>samples[(int)(p * size)]</c>, as Kafka does (0 when there are none).</summary>
    private static int[] Percentiles(int[] latencies, int count, params double[] percentiles)
    {
        var size = Math.Min(count, latencies.Length);
        Array.Sort(latencies, 0, size);
        var values = new int[percentiles.Length];
        for (var i = 0; i < percentiles.Length; i++)
            values[i] = size == 0 ? 0 : latencies[Math.Min((int)(percentiles[i] * size), size - 1)];
        return values;
    }
}
