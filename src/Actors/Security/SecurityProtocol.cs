namespace KafkaActors.Security;

/// <summary>Java's <c>security.protocol</c>: whether connections use TLS, SASL, both or neither.</summary>
public enum SecurityProtocol
{
    /// <summary><c>PLAINTEXT</c>: neither TLS nor SASL (Kafka's default).</summary>
    Plaintext,

    /// <summary><c>SSL</c>: TLS; the client is authenticated by its certificate, if it has one (mutual TLS).</summary>
    Ssl,

    /// <summary><c>SASL_PLAINTEXT</c>: SASL authentication over a connection that is not encrypted.</summary>
    SaslPlaintext,

    /// <summary><c>SASL_SSL</c>: SASL authentication over TLS.</summary>
    SaslSsl,
}

/// <summary>Java names of <see cref="SecurityProtocol"/> values, and what each implies. Stateless, thread-safe.</summary>
public static class SecurityProtocols
{
    /// <summary>The Java name: <c>PLAINTEXT</c>, <c>SSL</c>, <c>SASL_PLAINTEXT</c> or <c>SASL_SSL</c>.</summary>
    public static string JavaName(this SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Plaintext => "PLAINTEXT",
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        SecurityProtocol.SaslSsl => "SASL_SSL",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>Parses a Java name, ignoring case as Java does; false for anything else.</summary>
    public static bool TryParse(string name, out SecurityProtocol protocol)
    {
        foreach (var candidate in Enum.GetValues<SecurityProtocol>())
        {
            if (candidate.JavaName().Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                protocol = candidate;
                return true;
            }
        }
        protocol = default;
        return false;
    }

    /// <summary>Whether connections start with a TLS handshake.</summary>
    public static bool UsesTls(this SecurityProtocol protocol) => protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    /// <summary>Whether connections authenticate with SASL after ApiVersions.</summary>
    public static bool UsesSasl(this SecurityProtocol protocol) => protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
}
