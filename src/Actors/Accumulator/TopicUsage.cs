namespace KafkaActors.Accumulator;

/// <summary>
/// When a topic was last sent to, for metadata.max.idle.ms (Java's <c>ProducerMetadata</c> stamps a topic on every
/// send). Shared by the successive routes of one topic: senders stamp it, the MetadataActor reads it. Thread-safe;
/// stamped at most once a second, so sends from many threads do not fight over its cache line. On
/// Environment.TickCount64, not the Stopwatch clock: every send reads it, and a resolution of a second needs no more.
/// </summary>
internal sealed class TopicUsage
{
    private const long ResolutionMs = 1000;
    private long _lastUsedTicks = Environment.TickCount64;

    /// <summary>How long ago the last send was, to within a second.</summary>
    public long IdleMs => Environment.TickCount64 - Volatile.Read(ref _lastUsedTicks);

    public void Touch()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _lastUsedTicks) >= ResolutionMs) Volatile.Write(ref _lastUsedTicks, now);
    }
}
