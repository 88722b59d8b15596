namespace KafkaActors.Internal;

/// <summary>
/// <see cref="MonotonicClock"/>'s milliseconds as of its last advance: a read is one load, for what every send stamps
/// but needs only to within about a second (a topic's last use, for metadata.max.idle.ms), where even
/// Environment.TickCount64 would cost a vDSO call per record. Each producer's MetadataActor advances it once a second,
/// so while a producer runs it lags MonotonicClock by about a second at most (more only while that actor is held up).
/// It never goes back. Thread-safe: process-wide, advanced by any producer.
/// </summary>
internal static class CoarseClock
{
    /// <summary>How often each MetadataActor advances it.</summary>
    public static readonly TimeSpan AdvanceInterval = TimeSpan.FromSeconds(1);

    private static long _nowMs = MonotonicClock.NowMs;

    public static long NowMs => Volatile.Read(ref _nowMs);

    /// <summary>To MonotonicClock's now, unless another producer advanced it further meanwhile.</summary>
    public static void Advance()
    {
        var now = MonotonicClock.NowMs;
        var current = Volatile.Read(ref _nowMs);
        while (now > current)
        {
            var seen = Interlocked.CompareExchange(ref _nowMs, now, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
