namespace KafkaActors.Testing.Secure;

/// <summary>
/// One response a front sent to a client (forwarded from the broker or answered locally), as <see cref="FrontRequestLog"/>
/// keeps it. Immutable.
/// </summary>
/// <param name="BrokerId">The mock broker the connection relays to.</param>
/// <param name="ListenerPort">The port of the <see cref="FrontListener"/> that accepted the connection.</param>
/// <param name="ConnectionId">The front's connection id.</param>
/// <param name="ApiKey">The api key of the request it answers.</param>
/// <param name="CorrelationId">The correlation id it carries.</param>
/// <param name="SentTicks"><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> just before it was written to the client.</param>
/// <param name="ThrottleTimeMs">The throttle time the front wrote into it (see <see cref="SecureEmbeddedKafka.SetThrottleTime"/>); 0 for none.</param>
public sealed record FrontResponse(
    int BrokerId, int ListenerPort, long ConnectionId, short ApiKey, int CorrelationId, long SentTicks, int ThrottleTimeMs)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"response to api {ApiKey} correlation {CorrelationId} on connection {ConnectionId} (broker {BrokerId}, port {ListenerPort})" +
        (ThrottleTimeMs > 0 ? $", throttled {ThrottleTimeMs} ms" : "");
}
