using System.Collections.Concurrent;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// What the front's listeners did, for tests to assert on. Owned by one <see cref="SecureEmbeddedKafka"/>;
/// thread-safe (connections update it concurrently, tests read snapshots of single counters).
/// </summary>
public sealed class SecureFrontCounters
{
    private readonly ConcurrentDictionary<string, long> _authentications = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _reauthentications = new(StringComparer.Ordinal);
    private long _connectionsAccepted;
    private long _connectionsOpen;
    private long _tlsHandshakeFailures;
    private long _failedAuthentications;
    private long _expiredSessionClosures;
    private long _illegalRequestClosures;

    /// <summary>TCP connections accepted, on all listeners.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    /// <summary>Client connections open now, on all listeners: accepted and not yet closed by either side.</summary>
    public long ConnectionsOpen => Interlocked.Read(ref _connectionsOpen);

    /// <summary>TLS handshakes that failed (e.g. a client that refused the certificate, or brought none under mutual TLS).</summary>
    public long TlsHandshakeFailures => Interlocked.Read(ref _tlsHandshakeFailures);

    /// <summary>SASL exchanges refused (wrong password, unknown user, malformed message, unsupported mechanism).</summary>
    public long FailedAuthentications => Interlocked.Read(ref _failedAuthentications);

    /// <summary>Connections closed because a request arrived after the SASL session expired (KIP-368).</summary>
    public long ExpiredSessionClosures => Interlocked.Read(ref _expiredSessionClosures);

    /// <summary>Connections closed because a request other than ApiVersions or SASL arrived before authentication.</summary>
    public long IllegalRequestClosures => Interlocked.Read(ref _illegalRequestClosures);

    /// <summary>First successful authentications of a connection with <paramref name="mechanism"/> (e.g. <c>PLAIN</c>).</summary>
    public long Authentications(string mechanism) => _authentications.GetValueOrDefault(mechanism);

    /// <summary>Successful re-authentications (KIP-368) on an already authenticated connection with <paramref name="mechanism"/>.</summary>
    public long Reauthentications(string mechanism) => _reauthentications.GetValueOrDefault(mechanism);

    /// <summary>First successful authentications over all mechanisms.</summary>
    public long TotalAuthentications => _authentications.Values.Sum();

    /// <summary>Re-authentications over all mechanisms.</summary>
    public long TotalReauthentications => _reauthentications.Values.Sum();

    internal void ConnectionAccepted()
    {
        Interlocked.Increment(ref _connectionsAccepted);
        Interlocked.Increment(ref _connectionsOpen);
    }

    internal void ConnectionClosed() => Interlocked.Decrement(ref _connectionsOpen);

    internal void TlsHandshakeFailed() => Interlocked.Increment(ref _tlsHandshakeFailures);

    internal void AuthenticationFailed() => Interlocked.Increment(ref _failedAuthentications);

    internal void ExpiredSessionClosed() => Interlocked.Increment(ref _expiredSessionClosures);

    internal void IllegalRequestClosed() => Interlocked.Increment(ref _illegalRequestClosures);

    internal void Authenticated(string mechanism, bool reauthentication) =>
        (reauthentication ? _reauthentications : _authentications).AddOrUpdate(mechanism, 1, (_, n) => n + 1);

    /// <inheritdoc/>
    public override string ToString() =>
        $"accepted {ConnectionsAccepted}, open {ConnectionsOpen}, TLS failures {TlsHandshakeFailures}, authentications {TotalAuthentications}, " +
        $"re-authentications {TotalReauthentications}, failed {FailedAuthentications}, expired closures {ExpiredSessionClosures}, " +
        $"illegal-request closures {IllegalRequestClosures}";
}
