using System.Diagnostics;

namespace KafkaActors.Network;

/// <summary>
/// How many of our Produce requests wait at one broker, estimated from their answers as TCP Vegas does: with
/// n requests in flight and an answer taking L where the quickest recent one took L0 (the broker's own time for a
/// request, with nothing ahead of it), about n × (1 − L0 / L) of them are queued rather than being served. Feeds the
/// producer's <see cref="Accumulator.AdaptiveBufferLimit"/>. L0 is the least latency of the last 5 to 10 s (two
/// alternating windows), so it follows a broker that became slower for good.
///
/// Owned by one ConnectionActor, across its sockets (the broker stays the same); not thread-safe.
/// </summary>
internal sealed class BrokerQueueEstimate
{
    private static readonly long WindowTicks = 5 * Stopwatch.Frequency;

    private long _windowStart = Stopwatch.GetTimestamp();
    private long _min = long.MaxValue;
    private long _previousMin = long.MaxValue;

    /// <summary>
    /// A Produce answer that took <paramref name="latencyTicks"/> (Stopwatch ticks) while <paramref name="inFlight"/>
    /// requests (it included) were unanswered on the connection: the requests queued at the broker.
    /// </summary>
    public double OnAnswer(long latencyTicks, int inFlight, long nowTicks)
    {
        latencyTicks = Math.Max(1, latencyTicks);
        if (nowTicks - _windowStart >= WindowTicks)
        {
            _previousMin = _min;
            _min = long.MaxValue;
            _windowStart = nowTicks;
        }
        _min = Math.Min(_min, latencyTicks);
        var baseLatency = Math.Min(_min, _previousMin);
        return inFlight * (1 - (double)baseLatency / latencyTicks);
    }
}
