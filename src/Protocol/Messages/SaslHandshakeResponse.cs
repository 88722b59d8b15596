using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// SaslHandshakeResponse.json (key 17), versions 0-1, never flexible: an error code (UNSUPPORTED_SASL_MECHANISM
/// when the broker does not enable the chosen one) and the mechanisms the broker enables. Immutable; thread-safe.
/// </summary>
public sealed record SaslHandshakeResponse(ErrorCode ErrorCode, IReadOnlyList<string> Mechanisms) : IKafkaResponse
{
    public ApiKey ApiKey => ApiKey.SaslHandshake;

    public static SaslHandshakeResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var reader = new ProtocolReader(body);
        var error = (ErrorCode)reader.ReadInt16();
        var count = reader.ReadArrayLength(flexible: false);
        var mechanisms = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++) mechanisms.Add(reader.ReadRequiredString(flexible: false));
        return new SaslHandshakeResponse(error, mechanisms);
    }

    /// <summary>Server side: writes the response body at <paramref name="version"/>.</summary>
    public void Write(ref ProtocolWriter writer, short version)
    {
        writer.WriteInt16((short)ErrorCode);
        writer.WriteArrayLength(Mechanisms.Count, flexible: false);
        foreach (var mechanism in Mechanisms) writer.WriteString(mechanism);
    }
}
