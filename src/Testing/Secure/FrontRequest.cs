namespace KafkaActors.Testing.Secure;

/// <summary>
/// One request a front received, as <see cref="FrontRequestLog"/> keeps it: the broker's view of what arrived and when.
/// Immutable.
/// </summary>
/// <param name="BrokerId">The mock broker the connection relays to.</param>
/// <param name="ListenerPort">The port of the <see cref="FrontListener"/> that accepted the connection (a broker can have several).</param>
/// <param name="ConnectionId">The front's connection id (<see cref="FrontConnectionInfo.ConnectionId"/>).</param>
/// <param name="ApiKey">The request's api key (see <see cref="ApiKeys"/>).</param>
/// <param name="ApiVersion">The request's api version.</param>
/// <param name="CorrelationId">The request's correlation id.</param>
/// <param name="ArrivedTicks"><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the whole frame had been read, before any stage saw it.</param>
/// <param name="Topics">
/// For a Metadata request: the topic names asked for (empty: brokers only), or null for all topics. Null for other APIs.
/// </param>
public sealed record FrontRequest(
    int BrokerId, int ListenerPort, long ConnectionId, short ApiKey, short ApiVersion, int CorrelationId, long ArrivedTicks,
    IReadOnlyList<string>? Topics)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"api {ApiKey} v{ApiVersion} correlation {CorrelationId} on connection {ConnectionId} (broker {BrokerId}, port {ListenerPort})" +
        (Topics is null ? "" : $" topics [{string.Join(", ", Topics)}]");
}
