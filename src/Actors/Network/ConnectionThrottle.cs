using KafkaActors.Protocol;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Network;

/// <summary>
/// Client-side quota throttling of one broker connection (KIP-219, Java's <c>ClusterConnectionStates.throttle</c>):
/// a response at a version from which the client throttles, with a throttle time above 0, mutes sending to the
/// broker until that time has passed. Answers to requests already sent still arrive. Kept across reconnects, as
/// Java keeps it per node. Owned by one <see cref="ConnectionActor"/>; not thread-safe.
/// </summary>
internal sealed class ConnectionThrottle
{
    private long _untilMs;

    /// <summary>Whether nothing may be sent at <paramref name="nowMs"/>.</summary>
    public bool IsThrottled(long nowMs) => nowMs < _untilMs;

    /// <summary>How long sending stays muted after <paramref name="nowMs"/> (0 when not).</summary>
    public long RemainingMs(long nowMs) => Math.Max(0, _untilMs - nowMs);

    /// <summary>A response arrived at <paramref name="nowMs"/>: true when it mutes (or keeps muting) the connection.</summary>
    public bool OnResponse(ApiKey apiKey, short version, int throttleTimeMs, long nowMs)
    {
        if (throttleTimeMs <= 0 || !ResponseThrottle.ShouldClientThrottle(apiKey, version)) return false;
        _untilMs = Math.Max(_untilMs, nowMs + throttleTimeMs);
        return true;
    }
}
