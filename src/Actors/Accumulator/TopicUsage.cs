namespace KafkaActors.Accumulator;

/// <summary>
/// When a topic was last sent to, for metadata.max.idle.ms (Java's <c>ProducerMetadata</c> stamps a topic on every
/// send). Shared by the successive routes of one topic: senders stamp it, the MetadataActor reads it. Thread-safe;
/// stamped at most once a second, so sends from many threads do not fight over its cache line.
/// </summary>
internal sealed class TopicUsage
{
    private const long ResolutionMs = 1000;
    private long _lastUsedMs = MonotonicClock.NowMs;

    /// <summary>The last send, to within a second (on <see cref="MonotonicClock"/>).</summary>
    public long LastUsedMs => Volatile.Read(ref _lastUsedMs);

    public void Touch()
    {
        var now = MonotonicClock.NowMs;
        if (now - Volatile.Read(ref _lastUsedMs) >= ResolutionMs) Volatile.Write(ref _lastUsedMs, now);
    }
}
