using KafkaActors.Security;
using KafkaActors.Settings;

namespace KafkaActors.Network;

/// <summary>
/// The settings a connection needs, taken once per producer from <see cref="ProducerSettings"/>; shared by
/// all its connections. <see cref="Sasl"/> is disposed by the producer actor when it stops. <see cref="BufferLimit"/>
/// is the producer's buffer pool limit that Produce answers steer (null: none).
/// </summary>
internal sealed record ConnectionOptions(
    string ClientId,
    short Acks,
    int MaxInFlight,
    int RequestTimeoutMs,
    int MaxRequestSize,
    long ReconnectBackoffMs,
    long ReconnectBackoffMaxMs,
    long ConnectionSetupTimeoutMs,
    long ConnectionSetupTimeoutMaxMs,
    long ConnectionsMaxIdleMs,
    int SendBufferBytes,
    int ReceiveBufferBytes,
    TlsSettings? Tls = null,
    SaslClientFactory? Sasl = null,
    string? TransactionalId = null,
    Accumulator.AdaptiveBufferLimit? BufferLimit = null)
{
    public string SoftwareName => "kafka-actors";
    public string SoftwareVersion => typeof(ConnectionOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Often enough to notice an expired request well within request.timeout.ms.</summary>
    public TimeSpan TimeoutCheckInterval => TimeSpan.FromMilliseconds(Math.Clamp(RequestTimeoutMs / 10, 5, 1000));

    /// <summary>The connection setup timeout of the attempt after <paramref name="failedAttempts"/> consecutive failed ones.</summary>
    public TimeSpan ConnectionSetupTimeoutAfter(int failedAttempts) =>
        ConnectionSetupTimeout.For(ConnectionSetupTimeoutMs, ConnectionSetupTimeoutMaxMs, failedAttempts);

    public static ConnectionOptions From(ProducerSettings settings, string clientId, Accumulator.AdaptiveBufferLimit? bufferLimit = null) => new(
        clientId,
        settings.Acks,
        settings.MaxInFlightRequestsPerConnection,
        settings.RequestTimeoutMs,
        settings.MaxRequestSize,
        settings.ReconnectBackoffMs,
        settings.ReconnectBackoffMaxMs,
        settings.SocketConnectionSetupTimeoutMs,
        settings.SocketConnectionSetupTimeoutMaxMs,
        settings.ConnectionsMaxIdleMs,
        settings.SendBufferBytes,
        settings.ReceiveBufferBytes,
        settings.Tls,
        SaslClientFactory.Create(settings),
        settings.TransactionalId,
        bufferLimit);
}
