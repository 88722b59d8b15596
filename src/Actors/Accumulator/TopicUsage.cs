namespace KafkaActors.Accumulator;

/// <summary>
/// When a topic was last sent to, for metadata.max.idle.ms (Java's <c>ProducerMetadata</c> stamps a topic on every
/// send). Shared by the successive routes of one topic: senders stamp it, the MetadataActor reads it. Thread-safe;
/// stamped from <see cref="CoarseClock"/>, so a send reads no clock and writes only when that clock has moved (once a
/// second), and sends from many threads do not fight over its cache line. The stamp is at most about a second older
/// than the last send, as when it was stamped at most once a second.
/// </summary>
internal sealed class TopicUsage
{
    private long _lastUsedMs = MonotonicClock.NowMs;

    /// <summary>How long ago the last send was, to within about a second (never less than it really is).</summary>
    public long IdleMs => MonotonicClock.NowMs - Volatile.Read(ref _lastUsedMs);

    public void Touch()
    {
        var now = CoarseClock.NowMs;
        if (now > Volatile.Read(ref _lastUsedMs)) Volatile.Write(ref _lastUsedMs, now);
    }
}
