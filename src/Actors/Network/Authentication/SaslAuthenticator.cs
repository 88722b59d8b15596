using KafkaActors.Errors;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Security;

namespace KafkaActors.Network.Authentication;

/// <summary>
/// One SASL exchange on one connection (Java's <c>SaslClientAuthenticator</c> without the socket):
/// SaslHandshake names the mechanism, then SaslAuthenticate carries the mechanism's messages until it
/// completes. Each step takes the broker's answer and returns the next request, so the exchange is
/// testable without actors. Owned by one ConnectionActor for one (re-)authentication; not thread-safe.
/// </summary>
internal sealed class SaslAuthenticator(ISaslClient client, string node)
{
    public string Mechanism => client.Mechanism;

    /// <summary>The SessionLifetimeMs of the last SaslAuthenticate answer (KIP-368); 0 when the broker sets none.</summary>
    public long SessionLifetimeMs { get; private set; }

    public bool IsComplete { get; private set; }

    public IKafkaRequest Start() => new SaslHandshakeRequest(client.Mechanism);

    public IKafkaRequest OnHandshake(SaslHandshakeResponse response)
    {
        if (response.ErrorCode == ErrorCode.UnsupportedSaslMechanism)
            throw Refused($"node {node} does not enable SASL mechanism {Mechanism}; it enables [{string.Join(", ", response.Mechanisms)}].");
        if (response.ErrorCode != ErrorCode.None)
            throw Refused($"SaslHandshake with node {node} failed: {response.ErrorCode.KafkaName()}.");
        return new SaslAuthenticateRequest(client.InitialResponse());
    }

    /// <summary>The next SaslAuthenticate request, or null once the exchange is complete.</summary>
    public IKafkaRequest? OnAuthenticate(SaslAuthenticateResponse response)
    {
        if (response.ErrorCode != ErrorCode.None)
        {
            var said = string.IsNullOrEmpty(response.ErrorMessage) ? response.ErrorCode.KafkaName() : response.ErrorMessage;
            throw Refused($"authentication with node {node} failed: {said}");
        }
        SessionLifetimeMs = response.SessionLifetimeMs;
        byte[]? next;
        try
        {
            next = client.EvaluateChallenge(response.AuthBytes);
        }
        catch (SaslException e)
        {
            throw Refused($"node {node} failed the exchange: {e.Message}", e);
        }
        if (next is not null) return new SaslAuthenticateRequest(next);
        if (!client.IsComplete) throw Refused($"node {node} ended the exchange before it was complete.");
        IsComplete = true;
        return null;
    }

    private SaslAuthenticationException Refused(string why, Exception? inner = null) =>
        new(Mechanism, $"SASL {Mechanism}: {why}", inner);
}
