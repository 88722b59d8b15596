using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Security;

/// <summary>
/// The TLS side of the producer's settings (<c>ssl.*</c>), with the stores already loaded: built by the
/// settings reader for <c>SSL</c> and <c>SASL_SSL</c>, turned into SslStream options by
/// <see cref="TlsClientOptions"/>. Immutable by convention (the certificate collections must not be changed);
/// thread-safe to share. <see cref="ToString"/> names the certificates, never a key or password.
/// </summary>
public sealed record TlsSettings
{
    /// <summary>
    /// The trust anchors from <c>ssl.truststore.location</c> or <c>ssl.truststore.certificates</c>; null: the
    /// operating system's trust store.
    /// </summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>Where <see cref="TrustedCertificates"/> came from, for messages: e.g. <c>ssl.truststore.location (/etc/kafka/ca.pem)</c>.</summary>
    public string TrustStoreDescription { get; init; } = OperatingSystemTrustStore;

    /// <summary>The client's certificate with its private key for mutual TLS (<c>ssl.keystore.*</c>); null: none.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The intermediate certificates sent along with <see cref="ClientCertificate"/>.</summary>
    public X509Certificate2Collection? ClientCertificateChain { get; init; }

    /// <summary><c>ssl.endpoint.identification.algorithm=https</c> (the default): the broker's host name must match its certificate.</summary>
    public bool EndpointIdentification { get; init; } = true;

    /// <summary>From <c>ssl.enabled.protocols</c>, capped by <c>ssl.protocol</c>.</summary>
    public SslProtocols EnabledSslProtocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary><c>ssl.cipher.suites</c>; null: the operating system's defaults.</summary>
    public IReadOnlyList<TlsCipherSuite>? CipherSuites { get; init; }

    /// <summary>What <see cref="TrustStoreDescription"/> says when no trust store is configured.</summary>
    public const string OperatingSystemTrustStore = "the operating system's trust store";

    public override string ToString() =>
        $"TlsSettings {{ TrustStore = {TrustStoreDescription}, TrustedCertificates = {Subjects(TrustedCertificates)}, " +
        $"ClientCertificate = {ClientCertificate?.Subject ?? "none"}, EndpointIdentification = {EndpointIdentification}, " +
        $"EnabledSslProtocols = {EnabledSslProtocols}, CipherSuites = {(CipherSuites is null ? "default" : string.Join(",", CipherSuites))} }}";

    private static string Subjects(X509Certificate2Collection? certificates) =>
        certificates is null ? "none" : "[" + string.Join("; ", certificates.Select(c => c.Subject)) + "]";
}
