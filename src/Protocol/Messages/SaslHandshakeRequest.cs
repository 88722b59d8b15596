using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// SaslHandshakeRequest.json (key 17), versions 0-1, never flexible: the SASL mechanism the client chose.
/// v1 (KIP-152) means the mechanism's tokens then travel in SaslAuthenticate requests, not as raw frames.
/// Immutable; thread-safe.
/// </summary>
public sealed record SaslHandshakeRequest(string Mechanism) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.SaslHandshake;

    public void WriteBody(ref ProtocolWriter writer, short version) => writer.WriteString(Mechanism);

    /// <summary>Server side: reads the request body at <paramref name="version"/>.</summary>
    public static SaslHandshakeRequest Parse(ReadOnlySpan<byte> body, short version)
    {
        var reader = new ProtocolReader(body);
        return new SaslHandshakeRequest(reader.ReadRequiredString(flexible: false));
    }
}
