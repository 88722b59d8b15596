using KafkaActors.Protocol.Security;

namespace KafkaActors.Testing.Secure.Sasl;

/// <summary>Creates the server side of each mechanism the secure front offers. Stateless; thread-safe.</summary>
public static class SaslServerMechanisms
{
    /// <summary>Every mechanism <see cref="Create"/> knows, in the order a broker lists them.</summary>
    public static IReadOnlyList<string> All { get; } = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", OAuthBearerFormat.Mechanism];

    /// <summary>
    /// A new exchange of <paramref name="mechanism"/> against <paramref name="users"/> (user name to password;
    /// OAUTHBEARER accepts the names as token subjects), with default settings; null for an unknown mechanism.
    /// </summary>
    public static ISaslServerMechanism? Create(string mechanism, IReadOnlyDictionary<string, string> users) => mechanism switch
    {
        "PLAIN" => new PlainSaslServer(users),
        OAuthBearerFormat.Mechanism => new OAuthBearerSaslServer(users),
        _ when ScramMechanism.ForName(mechanism) is { } scram => new ScramSaslServer(scram, users),
        _ => null,
    };
}
