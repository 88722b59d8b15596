using System.Globalization;

namespace KafkaActors.Benchmarks.PerfTest;

/// <summary>
/// The totals of Kafka's <c>ProducerPerformance.Stats</c> (count, bytes, average and maximum latency, up to 500,000
/// sampled latencies for the percentiles) and its final line, so <see cref="ConfluentPerfTest"/> reports as
/// <c>kafka-actors perf-test</c> does. Called from librdkafka's delivery-report thread while the sending thread
/// reads nothing until the end: updates take a short lock.
/// </summary>
public sealed class PerfTestReport
{
    private const double MiB = 1024.0 * 1024.0;
    private readonly Lock _gate = new();
    private readonly long _startMs;
    private readonly int[] _latencies;
    private readonly long _sampling;
    private long _iteration;
    private int _index;
    private long _count;
    private long _bytes;
    private int _maxLatency;
    private long _totalLatency;

    public PerfTestReport(long numRecords, long startMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numRecords, 1);
        _startMs = startMs;
        _sampling = numRecords / Math.Min(numRecords, 500_000);
        _latencies = new int[numRecords / _sampling + 1];
    }

    /// <summary>One acknowledged record (failures are not counted, as in Kafka).</summary>
    public void Record(int latencyMs, int bytes)
    {
        lock (_gate)
        {
            _count++;
            _bytes += bytes;
            _totalLatency += latencyMs;
            _maxLatency = Math.Max(_maxLatency, latencyMs);
            if (_iteration % _sampling == 0 && _index < _latencies.Length) _latencies[_index++] = latencyMs;
            _iteration++;
        }
    }

    /// <summary>
    /// <c>%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency,
    /// %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.</c>
    /// </summary>
    public string TotalLine(long nowMs)
    {
        lock (_gate)
        {
            var elapsed = (double)Math.Max(1, nowMs - _startMs);
            var size = Math.Min(_index, _latencies.Length);
            Array.Sort(_latencies, 0, size);
            int At(double p) => size == 0 ? 0 : _latencies[Math.Min((int)(p * size), size - 1)];
            return string.Create(CultureInfo.InvariantCulture,
                $"{_count} records sent, {1000.0 * _count / elapsed:F6} records/sec ({1000.0 * _bytes / elapsed / MiB:F2} MB/sec), " +
                $"{(_count == 0 ? 0 : _totalLatency / (double)_count):F2} ms avg latency, {(double)_maxLatency:F2} ms max latency, " +
                $"{At(0.5)} ms 50th, {At(0.95)} ms 95th, {At(0.99)} ms 99th, {At(0.999)} ms 99.9th.");
        }
    }
}
