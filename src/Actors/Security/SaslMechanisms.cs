namespace KafkaActors.Security;

/// <summary>The SASL mechanisms this producer speaks (<c>sasl.mechanism</c> values), and their JAAS login modules.</summary>
public static class SaslMechanisms
{
    public const string Plain = "PLAIN";
    public const string ScramSha256 = "SCRAM-SHA-256";
    public const string ScramSha512 = "SCRAM-SHA-512";
    public const string OAuthBearer = "OAUTHBEARER";

    /// <summary>Java's default <c>sasl.mechanism</c> (Kerberos), which is not supported.</summary>
    public const string Gssapi = "GSSAPI";

    public const string PlainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule";
    public const string ScramLoginModule = "org.apache.kafka.common.security.scram.ScramLoginModule";
    public const string OAuthBearerLoginModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

    /// <summary>The supported mechanisms, in the order messages list them.</summary>
    public static IReadOnlyList<string> Supported { get; } = [Plain, ScramSha256, ScramSha512, OAuthBearer];

    /// <summary>The JAAS login module <c>sasl.jaas.config</c> must name for <paramref name="mechanism"/>.</summary>
    public static string LoginModuleFor(string mechanism) => mechanism switch
    {
        Plain => PlainLoginModule,
        ScramSha256 or ScramSha512 => ScramLoginModule,
        OAuthBearer => OAuthBearerLoginModule,
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "not a supported SASL mechanism"),
    };
}
