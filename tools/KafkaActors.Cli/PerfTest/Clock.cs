using System.Diagnostics;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Milliseconds on a monotonic clock, for send→ack latencies and rates (Kafka's tool uses the wall clock;
/// a monotonic one cannot jump). <see cref="Environment.TickCount64"/> is avoided: on Linux it is a coarse
/// clock with a resolution of several milliseconds.
/// </summary>
internal static class Clock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static long NowMs => (long)Stopwatch.GetElapsedTime(Origin).TotalMilliseconds;

    public static long NowNs => (long)(Stopwatch.GetElapsedTime(Origin).Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond));
}
