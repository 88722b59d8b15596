namespace KafkaActors.Testing.Secure;

/// <summary>The security protocol of the front's listeners, as Kafka's <c>security.protocol</c> names them.</summary>
public enum ListenerSecurityProtocol
{
    /// <summary><c>PLAINTEXT</c>: neither TLS nor SASL (the front only relays).</summary>
    Plaintext,

    /// <summary><c>SSL</c>: TLS, optionally with client certificates.</summary>
    Ssl,

    /// <summary><c>SASL_PLAINTEXT</c>: SASL authentication without TLS.</summary>
    SaslPlaintext,

    /// <summary><c>SASL_SSL</c>: SASL authentication inside TLS.</summary>
    SaslSsl,
}

/// <summary>Names and properties of <see cref="ListenerSecurityProtocol"/>.</summary>
public static class ListenerSecurityProtocolExtensions
{
    /// <summary>Kafka's name: <c>PLAINTEXT</c>, <c>SSL</c>, <c>SASL_PLAINTEXT</c> or <c>SASL_SSL</c>.</summary>
    public static string ToKafkaName(this ListenerSecurityProtocol protocol) => protocol switch
    {
        ListenerSecurityProtocol.Plaintext => "PLAINTEXT",
        ListenerSecurityProtocol.Ssl => "SSL",
        ListenerSecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        ListenerSecurityProtocol.SaslSsl => "SASL_SSL",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>True for <c>SSL</c> and <c>SASL_SSL</c>.</summary>
    public static bool UsesTls(this ListenerSecurityProtocol protocol) =>
        protocol is ListenerSecurityProtocol.Ssl or ListenerSecurityProtocol.SaslSsl;

    /// <summary>True for <c>SASL_PLAINTEXT</c> and <c>SASL_SSL</c>.</summary>
    public static bool UsesSasl(this ListenerSecurityProtocol protocol) =>
        protocol is ListenerSecurityProtocol.SaslPlaintext or ListenerSecurityProtocol.SaslSsl;
}
