using System.Diagnostics;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Send→ack latency of one record in <see cref="SampleEvery"/>, kept in a preallocated array so
/// measuring allocates nothing. Thread-safe: acknowledgements arrive on the clients' own threads.
/// </summary>
public sealed class LatencyRecorder(int records)
{
    public const int SampleEvery = 16;
    private readonly long[] _sentAt = new long[records / SampleEvery + 1];
    private readonly double[] _latencyMs = new double[records / SampleEvery + 1];
    private int _count;

    public static bool Sampled(int index) => index % SampleEvery == 0;

    public void Sent(int index) => _sentAt[index / SampleEvery] = Stopwatch.GetTimestamp();

    public void Acknowledged(int index)
    {
        var ms = Stopwatch.GetElapsedTime(_sentAt[index / SampleEvery]).TotalMilliseconds;
        _latencyMs[Interlocked.Increment(ref _count) - 1] = ms;
    }

    public (double P50, double P99) Percentiles()
    {
        var count = Volatile.Read(ref _count);
        if (count == 0) return (0, 0);
        var sorted = _latencyMs.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        return (sorted[(int)(count * 0.50)], sorted[Math.Min(count - 1, (int)(count * 0.99))]);
    }
}
