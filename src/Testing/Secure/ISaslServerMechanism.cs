namespace KafkaActors.Testing.Secure;

/// <summary>
/// The server side of one SASL exchange in the secure front: takes each client message (a SaslAuthenticate's
/// auth bytes) and answers the server's bytes. One instance per exchange, used by one connection; not thread-safe.
/// </summary>
public interface ISaslServerMechanism
{
    /// <summary>The mechanism name, e.g. <c>SCRAM-SHA-256</c>.</summary>
    string Mechanism { get; }

    /// <summary>
    /// Evaluates one client message. Returns the server's answer (possibly empty). Throws
    /// <see cref="SaslAuthenticationFailedException"/> when the credentials are wrong or the message is malformed;
    /// its message is what the front sends back to the client as the SaslAuthenticate error message.
    /// </summary>
    byte[] Evaluate(ReadOnlySpan<byte> clientMessage);

    /// <summary>True once the client is authenticated.</summary>
    bool IsComplete { get; }

    /// <summary>The authenticated user (the principal), once <see cref="IsComplete"/>.</summary>
    string? AuthenticatedUser { get; }
}

/// <summary>The secure front refused a SASL exchange; the message is safe to send to the client (it never holds a secret).</summary>
public sealed class SaslAuthenticationFailedException : Exception
{
    /// <summary>Creates the exception with the message sent to the client.</summary>
    public SaslAuthenticationFailedException(string message) : base(message) { }
}
