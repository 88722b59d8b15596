using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Settings of a <see cref="SecureEmbeddedKafka"/>. A POCO read once by <see cref="SecureEmbeddedKafka.Start(SecureKafkaOptions?)"/>;
/// not thread-safe while being filled in. <see cref="ToString"/> hides the passwords.
/// </summary>
public sealed class SecureKafkaOptions
{
    /// <summary>The SASL mechanisms the front implements, in the order its SaslHandshake answer lists them.</summary>
    public static IReadOnlyList<string> AllSaslMechanisms => Sasl.SaslServerMechanisms.All;

    /// <summary>Number of mock brokers when the front starts its own cluster. Default 1.</summary>
    public int Brokers { get; set; } = 1;

    /// <summary>The listeners' protocol. Default <see cref="ListenerSecurityProtocol.SaslSsl"/>.</summary>
    public ListenerSecurityProtocol SecurityProtocol { get; set; } = ListenerSecurityProtocol.SaslSsl;

    /// <summary>The enabled SASL mechanisms. Default all four of <see cref="AllSaslMechanisms"/>.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; set; } = AllSaslMechanisms;

    /// <summary>
    /// User name to password, for PLAIN and SCRAM; the names are also the OAUTHBEARER subjects accepted.
    /// Default <c>alice</c>/<c>alice-secret</c> and <c>bob</c>/<c>bob-secret</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Users { get; set; } = new Dictionary<string, string>
    {
        ["alice"] = "alice-secret",
        ["bob"] = "bob-secret",
    };

    /// <summary>Mutual TLS: refuse clients without a certificate issued by the test CA. Default false.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>Which certificate the listeners present. Default <see cref="ServerCertificateKind.Valid"/>; ignored when <see cref="ServerCertificate"/> is set.</summary>
    public ServerCertificateKind ServerCertificateKind { get; set; } = ServerCertificateKind.Valid;

    /// <summary>A certificate (with private key) to present instead of one issued by the test CA. Default null. Not disposed by the front.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Allowed TLS versions. Default <see cref="SslProtocols.None"/>: the operating system's choice (TLS 1.2 and 1.3).</summary>
    public SslProtocols TlsProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// KIP-368 session lifetime (Kafka's <c>connections.max.reauth.ms</c>). When set, SaslAuthenticate v1+ answers carry it,
    /// and a request other than SaslHandshake after it ran out closes the connection; a re-authentication resets it.
    /// Default null: sessions never expire.
    /// </summary>
    public TimeSpan? SessionLifetime { get; set; }

    /// <summary>Where to write the certificate files. Default null: a fresh temporary directory, deleted on dispose.</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>Encrypts the client's PEM private key with this password when set. Default null (unencrypted).</summary>
    public string? ClientKeyPassword { get; set; }

    /// <summary>Password of the PKCS#12 files. Default <c>changeit</c>.</summary>
    public string StorePassword { get; set; } = "changeit";

    /// <summary>
    /// Check idempotent producers' batches as a Kafka broker does (sequences, epochs, duplicates, CRC; see
    /// <see cref="IdempotenceEnforcement"/>), which librdkafka's mock does only for transactional ones. Default true; can
    /// be switched at run time with <see cref="SecureEmbeddedKafka.Idempotence"/>.
    /// </summary>
    public bool EnforceIdempotence { get; set; } = true;

    /// <summary>The host the brokers advertise in Metadata (the listeners bind 127.0.0.1). Default <c>127.0.0.1</c>.</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>
    /// Give offsets sent in transactions Kafka's semantics: pending after TxnOffsetCommit, the group's committed offsets after
    /// EndTxn(commit), dropped after EndTxn(abort) (the mock alone forgets them; see <see cref="TransactionalOffsetStore"/>).
    /// Default true.
    /// </summary>
    public bool TransactionalOffsets { get; set; } = true;

    /// <summary>
    /// Factories of extra pipeline stages, one handler per connection and factory, called in this order after the
    /// SASL stage (so they see only authenticated traffic) and before the front's own stages (transactional offsets, idempotence,
    /// acks=0). With SASL on, the SASL stage decides ApiVersions, SaslHandshake and SaslAuthenticate itself, so these never reach
    /// the extra stages.
    /// </summary>
    public IList<Func<FrontConnectionInfo, IFrameHandler>> FrameHandlers { get; } = new List<Func<FrontConnectionInfo, IFrameHandler>>();

    /// <inheritdoc/>
    public override string ToString() =>
        $"{SecurityProtocol.ToKafkaName()} mechanisms [{string.Join(", ", SaslMechanisms)}], users [{string.Join(", ", Users.Keys)}] (passwords [hidden]), " +
        $"mTLS {RequireClientCertificate}, certificate {(ServerCertificate is null ? ServerCertificateKind.ToString() : "custom")}, session lifetime {SessionLifetime?.ToString() ?? "none"}, " +
        $"idempotence {(EnforceIdempotence ? "enforced" : "not enforced")}";
}
