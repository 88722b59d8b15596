using Confluent.Kafka;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Client settings for a <see cref="SecureEmbeddedKafka"/>, in Java's property names and in Confluent.Kafka's.
/// Stateless; thread-safe. The results hold passwords: callers must not log them.
/// </summary>
internal static class SecureClientConfigs
{
    public static IDictionary<string, string> Java(SecureEmbeddedKafka kafka, string user, string? mechanism)
    {
        var properties = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = kafka.BootstrapServers,
            ["security.protocol"] = kafka.SecurityProtocol.ToKafkaName(),
        };
        if (kafka.SecurityProtocol.UsesTls())
        {
            properties["ssl.truststore.type"] = "PEM";
            properties["ssl.truststore.location"] = kafka.Certificates.CaCertificatePem;
            if (kafka.RequiresClientCertificate)
            {
                properties["ssl.keystore.type"] = "PEM";
                properties["ssl.keystore.location"] = kafka.Certificates.ClientKeystorePem;
                if (kafka.Certificates.ClientKeyPassword is { } keyPassword)
                    properties["ssl.key.password"] = keyPassword;
            }
        }
        if (kafka.SecurityProtocol.UsesSasl() && mechanism is not null)
        {
            properties["sasl.mechanism"] = mechanism;
            properties["sasl.jaas.config"] = JaasConfig(mechanism, user, kafka.Users[user]);
        }
        return properties;
    }

    public static ClientConfig Confluent(SecureEmbeddedKafka kafka, string user, string? mechanism)
    {
        var config = new ClientConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            SecurityProtocol = kafka.SecurityProtocol switch
            {
                ListenerSecurityProtocol.Ssl => global::Confluent.Kafka.SecurityProtocol.Ssl,
                ListenerSecurityProtocol.SaslPlaintext => global::Confluent.Kafka.SecurityProtocol.SaslPlaintext,
                ListenerSecurityProtocol.SaslSsl => global::Confluent.Kafka.SecurityProtocol.SaslSsl,
                _ => global::Confluent.Kafka.SecurityProtocol.Plaintext,
            },
        };
        if (kafka.SecurityProtocol.UsesTls())
        {
            config.SslCaLocation = kafka.Certificates.CaCertificatePem;
            if (kafka.RequiresClientCertificate)
            {
                config.SslCertificateLocation = kafka.Certificates.ClientCertificatePem;
                config.SslKeyLocation = kafka.Certificates.ClientKeyPem;
                if (kafka.Certificates.ClientKeyPassword is { } keyPassword)
                    config.SslKeyPassword = keyPassword;
            }
        }
        if (kafka.SecurityProtocol.UsesSasl() && mechanism is not null)
        {
            config.Set("sasl.mechanism", mechanism);
            if (mechanism == "OAUTHBEARER")
            {
                config.SaslOauthbearerConfig = "principal=" + user;
                config.Set("enable.sasl.oauthbearer.unsecure.jwt", "true");
            }
            else
            {
                config.SaslUsername = user;
                config.SaslPassword = kafka.Users[user];
            }
        }
        return config;
    }

    /// <summary>Java's <c>sasl.jaas.config</c> line for the mechanism's login module.</summary>
    public static string JaasConfig(string mechanism, string user, string password) => mechanism switch
    {
        "PLAIN" => $"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"{Escape(user)}\" password=\"{Escape(password)}\";",
        "SCRAM-SHA-256" or "SCRAM-SHA-512" =>
            $"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{Escape(user)}\" password=\"{Escape(password)}\";",
        "OAUTHBEARER" => $"org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"{Escape(user)}\";",
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "Unknown SASL mechanism."),
    };

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
