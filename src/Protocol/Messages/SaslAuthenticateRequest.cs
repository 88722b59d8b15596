using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// SaslAuthenticateRequest.json (key 36), versions 0-2 (flexible 2+): one client message of the SASL mechanism.
/// The bytes may hold a secret (PLAIN carries the password), so <see cref="ToString"/> shows only their length.
/// Immutable once built; the caller must not change the array afterwards.
/// </summary>
public sealed class SaslAuthenticateRequest(byte[] authBytes) : IKafkaRequest
{
    public byte[] AuthBytes { get; } = authBytes;

    public ApiKey ApiKey => ApiKey.SaslAuthenticate;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, version);
        if (flexible) writer.WriteCompactBytes(AuthBytes);
        else writer.WriteBytes(AuthBytes);
        if (flexible) writer.WriteEmptyTaggedFields();
    }

    /// <summary>Server side: reads the request body at <paramref name="version"/> (a null byte string reads as empty).</summary>
    public static SaslAuthenticateRequest Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, version);
        var reader = new ProtocolReader(body);
        var bytes = reader.TryReadBytes(flexible, out var auth) ? auth.ToArray() : [];
        if (flexible) reader.SkipTaggedFields();
        return new SaslAuthenticateRequest(bytes);
    }

    public override string ToString() => $"SaslAuthenticateRequest {{ AuthBytes = [hidden, {AuthBytes.Length} bytes] }}";
}
