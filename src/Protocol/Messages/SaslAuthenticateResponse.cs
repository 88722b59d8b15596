using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// SaslAuthenticateResponse.json (key 36), versions 0-2 (flexible 2+): an error code and message
/// (SASL_AUTHENTICATION_FAILED with the broker's reason), the server's next SASL message, and from v1 the session
/// lifetime (KIP-368: 0 means no re-authentication is required). The server's bytes hold no client secret, but
/// <see cref="ToString"/> shows only their length anyway. Immutable once built.
/// </summary>
public sealed class SaslAuthenticateResponse(ErrorCode errorCode, string? errorMessage, byte[] authBytes, long sessionLifetimeMs) : IKafkaResponse
{
    public ErrorCode ErrorCode { get; } = errorCode;

    public string? ErrorMessage { get; } = errorMessage;

    public byte[] AuthBytes { get; } = authBytes;

    /// <summary>Milliseconds until the broker closes the session unless the client re-authenticates; 0 when none (and before v1).</summary>
    public long SessionLifetimeMs { get; } = sessionLifetimeMs;

    public ApiKey ApiKey => ApiKey.SaslAuthenticate;

    public static SaslAuthenticateResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, version);
        var reader = new ProtocolReader(body);
        var error = (ErrorCode)reader.ReadInt16();
        var message = reader.ReadString(flexible);
        var bytes = reader.TryReadBytes(flexible, out var auth) ? auth.ToArray() : [];
        var lifetime = version >= 1 ? reader.ReadInt64() : 0;
        if (flexible) reader.SkipTaggedFields();
        return new SaslAuthenticateResponse(error, message, bytes, lifetime);
    }

    /// <summary>Server side: writes the response body at <paramref name="version"/> (the lifetime is dropped before v1).</summary>
    public void Write(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, version);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteString(ErrorMessage, flexible);
        if (flexible) writer.WriteCompactBytes(AuthBytes);
        else writer.WriteBytes(AuthBytes);
        if (version >= 1) writer.WriteInt64(SessionLifetimeMs);
        if (flexible) writer.WriteEmptyTaggedFields();
    }

    public override string ToString() =>
        $"SaslAuthenticateResponse {{ ErrorCode = {ErrorCode}, ErrorMessage = {ErrorMessage}, AuthBytes = [{AuthBytes.Length} bytes], SessionLifetimeMs = {SessionLifetimeMs} }}";
}
