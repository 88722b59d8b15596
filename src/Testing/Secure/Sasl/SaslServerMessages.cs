namespace KafkaActors.Testing.Secure.Sasl;

/// <summary>The error texts a Kafka broker sends back, so that clients see the same words as from a real one.</summary>
internal static class SaslServerMessages
{
    /// <summary>
    /// What Kafka's SaslServerAuthenticator answers for any failure a mechanism reports without a message of its own
    /// (a wrong SCRAM proof, an unknown user, a malformed message).
    /// </summary>
    public static SaslAuthenticationFailedException InvalidCredentials(string mechanism) =>
        new($"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}");
}
