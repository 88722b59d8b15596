using System.Diagnostics;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// perf-test's clocks, Java's: <see cref="NowMs"/> is the wall clock in milliseconds since the epoch
/// (<c>System.currentTimeMillis</c>), the clock the producer stamps a record's CreateTime with, so a send→ack latency is
/// the acknowledgement's time minus the record's CreateTime and the send itself reads no clock in the tool;
/// <see cref="NowNs"/> is monotonic (<c>System.nanoTime</c>), for the throttler's naps. Like Java's tool, a step of the
/// wall clock during a run shows in its figures. <see cref="Environment.TickCount64"/> is avoided: on Linux it is a
/// coarse clock with a resolution of several milliseconds. Thread-safe.
/// </summary>
internal static class Clock
{
    private const long UnixEpochMs = 62_135_596_800_000; // DateTime.UnixEpoch in milliseconds since 0001-01-01
    private static readonly long Origin = Stopwatch.GetTimestamp();
    private static readonly double NsPerTick = 1_000_000_000.0 / Stopwatch.Frequency;

    /// <summary>Milliseconds since the epoch, as <c>DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()</c> (the CreateTime the producer stamps).</summary>
    public static long NowMs => DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond - UnixEpochMs;

    public static long NowNs => (long)((Stopwatch.GetTimestamp() - Origin) * NsPerTick);
}
