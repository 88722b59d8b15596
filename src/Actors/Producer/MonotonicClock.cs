using System.Diagnostics;

namespace KafkaActors.Producer;

/// <summary>
/// Milliseconds from a high-resolution monotonic clock. MonotonicClock.NowMs is coarse on Linux
/// (it can lag by a scheduler tick, several ms), too coarse for linger.ms of a few milliseconds.
/// </summary>
internal static class MonotonicClock
{
    private static readonly double TicksPerMs = Stopwatch.Frequency / 1000.0;

    public static long NowMs => (long)(Stopwatch.GetTimestamp() / TicksPerMs);
}
