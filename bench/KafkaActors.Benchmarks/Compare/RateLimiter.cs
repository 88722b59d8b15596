using System.Diagnostics;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Paces a sending loop at a fixed rate against an absolute schedule (record n is due n/rate seconds after the start),
/// so an oversleep is made up at once and the average rate stays exact. The clock is read once every few records
/// (about 50 µs of the schedule; every record at rates up to 20,000 msg/s), not per record; the loop
/// naps whenever it is 1 ms or more ahead, so it runs at most about 1 ms of records ahead (500 at 500,000 msg/s), well
/// under linger.ms, and spends no CPU spinning. Owned by one sending loop; not thread-safe.
/// </summary>
public sealed class RateLimiter
{
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;
    private readonly int _perSecond;
    private readonly int _checkEvery;
    private readonly long _start = Stopwatch.GetTimestamp();

    /// <param name="perSecond">Records per second; 0 or less: no pacing.</param>
    public RateLimiter(int perSecond)
    {
        _perSecond = perSecond;
        _checkEvery = Math.Max(1, perSecond / 20_000);
    }

    /// <summary>Before sending record number <paramref name="sent"/> (counted from 0): returns once it is due, or nearly.</summary>
    public void Wait(int sent)
    {
        if (_perSecond <= 0 || sent % _checkEvery != 0) return;
        var due = _start + (long)((double)sent * Stopwatch.Frequency / _perSecond);
        while (true)
        {
            var ahead = due - Stopwatch.GetTimestamp();
            if (ahead < OneMillisecond) return;
            Thread.Sleep((int)(ahead / OneMillisecond));
        }
    }
}
