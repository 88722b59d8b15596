namespace KafkaActors.Metrics;

/// <summary>
/// Java's sampled <c>Max</c>: the largest value recorded in the current sample window and the
/// <c>samples - 1</c> before it (metrics.sample.window.ms each), so a value drops out between
/// (samples - 1) and samples windows after it was recorded, as Java's purge of obsolete samples does.
/// Windows are aligned to multiples of the window length. Recorded per batch or per response, never per
/// record. Thread-safe (a short lock; contention is rare at that rate).
/// </summary>
internal sealed class WindowedMax(long windowMs, int samples)
{
    private readonly object _lock = new();
    private readonly long _windowMs = Math.Max(1, windowMs);
    private readonly long[] _window = NewWindows(Math.Max(1, samples));
    private readonly long[] _max = new long[Math.Max(1, samples)];

    private static long[] NewWindows(int samples)
    {
        var windows = new long[samples];
        Array.Fill(windows, long.MinValue);
        return windows;
    }

    public void Record(long value, long nowMs)
    {
        var window = nowMs / _windowMs;
        var slot = (int)(window % _window.Length);
        lock (_lock)
        {
            if (_window[slot] != window)
            {
                _window[slot] = window;
                _max[slot] = value;
            }
            else if (value > _max[slot]) _max[slot] = value;
        }
    }

    /// <summary>The largest value still in the windows; 0 when there is none (Java reports NaN, which most exporters drop).</summary>
    public long Read(long nowMs)
    {
        var window = nowMs / _windowMs;
        var oldest = window - _window.Length + 1;
        var max = 0L;
        lock (_lock)
            for (var i = 0; i < _window.Length; i++)
                if (_window[i] >= oldest && _window[i] <= window && _max[i] > max) max = _max[i];
        return max;
    }
}
