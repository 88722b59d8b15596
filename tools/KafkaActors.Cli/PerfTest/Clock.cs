using System.Diagnostics;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Milliseconds on a monotonic clock, for send→ack latencies and rates (Kafka's tool uses the wall clock;
/// a monotonic one cannot jump). <see cref="Environment.TickCount64"/> is avoided: on Linux it is a coarse
/// clock with a resolution of several milliseconds. Read once per send and once per acknowledgement, so it is one raw
/// <see cref="Stopwatch.GetTimestamp"/> and an integer division (by a constant once the JIT has seen
/// the static readonly field), without a TimeSpan or a double. Thread-safe.
/// </summary>
internal static class Clock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();
    private static readonly long TicksPerMs = Stopwatch.Frequency / 1000;
    private static readonly double NsPerTick = 1_000_000_000.0 / Stopwatch.Frequency;

    /// <summary>Whole milliseconds since the first use (truncated, as the elapsed TimeSpan's were).</summary>
    public static long NowMs => (Stopwatch.GetTimestamp() - Origin) / TicksPerMs;

    public static long NowNs => (long)((Stopwatch.GetTimestamp() - Origin) * NsPerTick);
}
