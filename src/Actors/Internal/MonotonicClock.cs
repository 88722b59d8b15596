using System.Diagnostics;

namespace KafkaActors.Internal;

/// <summary>
/// Milliseconds since an arbitrary start, from the high-resolution monotonic Stopwatch: every deadline
/// and age in the producer (linger, timeouts, backoffs) is measured on it. Environment.TickCount64 would
/// be cheaper but can lag by a scheduler tick (several ms on Linux), too coarse for a linger.ms of a few
/// milliseconds. Thread-safe (stateless).
/// </summary>
internal static class MonotonicClock
{
    private static readonly double TicksPerMs = Stopwatch.Frequency / 1000.0;

    public static long NowMs => (long)(Stopwatch.GetTimestamp() / TicksPerMs);
}
