using System.Diagnostics;
using System.Numerics;

namespace KafkaActors.Metrics;

/// <summary>
/// Java's sampled stats in miniature (metrics.sample.window.ms × metrics.num.samples): a snapshot of
/// the counters is kept at each window boundary, and rates are measured from the oldest one still in
/// the last <c>samples</c> windows. Each producer, topic and node has one. Thread-safe.
/// </summary>
internal sealed class MetricWindow<T>(long windowMs, int samples) where T : struct, ISubtractionOperators<T, T, T>
{
    private readonly object _lock = new();
    private readonly Queue<(long Timestamp, T Values)> _history = new();
    private readonly long _windowTicks = (long)(Math.Max(1, windowMs) * (Stopwatch.Frequency / 1000.0));
    private readonly int _sampleCount = Math.Max(1, samples);
    private readonly long _created = Stopwatch.GetTimestamp();

    /// <summary>The instant and counters to measure the current rates from.</summary>
    public (long Timestamp, T Values) Baseline(long now, T current)
    {
        lock (_lock)
        {
            if (_history.Count == 0) _history.Enqueue((_created, default)); // counters start at zero
            var newest = _history.Last();
            if (now - newest.Timestamp >= _windowTicks) _history.Enqueue((now, current));
            while (_history.Count > _sampleCount + 1 || (_history.Count > 1 && now - _history.Peek().Timestamp > _windowTicks * (_sampleCount + 1)))
                _history.Dequeue();
            return _history.Peek();
        }
    }

    /// <summary>The counters' change since the baseline and the seconds it covers (at least 1 ms).</summary>
    public (T Delta, double Seconds) Since(long now, T current)
    {
        var (since, past) = Baseline(now, current);
        return (current - past, Math.Max(Stopwatch.GetElapsedTime(since, now).TotalSeconds, 1e-3));
    }
}
