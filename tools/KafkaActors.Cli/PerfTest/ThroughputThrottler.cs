namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>ThroughputThrottler</c>: when the average rate since <paramref name="startMs"/> is above the
/// target, sleep on average 1/target seconds per record, in naps of at least 2 ms (the deficit accumulates).
/// A negative target disables throttling.
/// </summary>
internal sealed class ThroughputThrottler(double targetThroughput, long startMs)
{
    private const long NsPerMs = 1_000_000;
    private const long NsPerSec = 1000 * NsPerMs;
    private const long MinSleepNs = 2 * NsPerMs;

    private readonly long _sleepTimeNs = targetThroughput > 0 ? (long)(NsPerSec / targetThroughput) : long.MaxValue;
    private long _sleepDeficitNs;

    public bool ShouldThrottle(long amountSoFar, long sendStartMs)
    {
        if (targetThroughput < 0) return false;
        var elapsedSec = (sendStartMs - startMs) / 1000f;
        return elapsedSec > 0 && amountSoFar / elapsedSec > targetThroughput;
    }

    public void Throttle()
    {
        _sleepDeficitNs += _sleepTimeNs;
        if (_sleepDeficitNs < MinSleepNs) return;

        var sleepStart = Clock.NowNs;
        var remaining = _sleepDeficitNs;
        while (remaining > 0)
        {
            // Like Java's Object.wait(ms, ns), which rounds a partial millisecond up.
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, (remaining + NsPerMs - 1) / NsPerMs)));
            remaining = _sleepDeficitNs - (Clock.NowNs - sleepStart);
        }
        _sleepDeficitNs = 0;
    }
}
