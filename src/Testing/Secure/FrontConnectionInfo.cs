using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// What the front knows about one accepted client connection, handed to <see cref="SecureKafkaOptions.FrameHandlers"/>
/// factories. Set before the first request is read and immutable afterwards, except <see cref="Principal"/>, which the
/// SASL stage sets from the connection's read loop.
/// </summary>
public sealed class FrontConnectionInfo
{
    internal FrontConnectionInfo(long connectionId, int brokerId, EndPoint? remoteEndPoint, X509Certificate2? clientCertificate)
    {
        ConnectionId = connectionId;
        BrokerId = brokerId;
        RemoteEndPoint = remoteEndPoint;
        ClientCertificate = clientCertificate;
    }

    /// <summary>A number unique among all fronts' connections in this process.</summary>
    public long ConnectionId { get; }

    /// <summary>The mock broker this connection relays to.</summary>
    public int BrokerId { get; }

    /// <summary>The client's address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The client's certificate under mutual TLS, else null.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The SASL-authenticated user, once authenticated; null without SASL.</summary>
    public string? Principal { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => $"connection {ConnectionId} to broker {BrokerId} from {RemoteEndPoint}";
}
