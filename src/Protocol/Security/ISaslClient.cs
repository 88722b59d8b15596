namespace KafkaActors.Protocol.Security;

/// <summary>
/// The client side of one SASL exchange (RFC 4422) for one connection: the initial response, then one
/// answer per server challenge until <see cref="IsComplete"/>. Owned by one connection; not thread-safe.
/// A new instance is made for every (re-)authentication.
/// </summary>
public interface ISaslClient
{
    /// <summary>The mechanism name as sent in SaslHandshake, e.g. <c>PLAIN</c>, <c>SCRAM-SHA-256</c>, <c>OAUTHBEARER</c>.</summary>
    string Mechanism { get; }

    /// <summary>The first client message (the first SaslAuthenticate's auth bytes).</summary>
    byte[] InitialResponse();

    /// <summary>
    /// Takes the server's auth bytes from a successful SaslAuthenticate response and returns the next client
    /// message, or null when the exchange is complete. Throws <see cref="SaslException"/> when the server's
    /// message is malformed or fails verification (a SCRAM server that cannot prove it knows the password).
    /// </summary>
    byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge);

    /// <summary>True once the exchange succeeded from the client's point of view.</summary>
    bool IsComplete { get; }
}

/// <summary>A SASL exchange failed on the client side: the server's message was malformed or failed verification.</summary>
public sealed class SaslException : Exception
{
    public SaslException(string message, Exception? inner = null) : base(message, inner) { }
}
