using System.Diagnostics;

namespace KafkaActors.Producer;

/// <summary>
/// Milliseconds from Stopwatch's high-resolution monotonic clock, for deadlines, linger and timeouts.
/// Not Environment.TickCount64: on Linux it reads a coarse clock that can lag by a scheduler tick
/// (several ms), too coarse for linger.ms of a few milliseconds. Thread-safe (stateless).
/// </summary>
internal static class MonotonicClock
{
    private static readonly double TicksPerMs = Stopwatch.Frequency / 1000.0;

    public static long NowMs => (long)(Stopwatch.GetTimestamp() / TicksPerMs);
}
