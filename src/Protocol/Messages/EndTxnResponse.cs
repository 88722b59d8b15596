using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>EndTxnResponse.json (key 26), versions 0-3. Immutable; thread-safe.</summary>
public sealed record EndTxnResponse(int ThrottleTimeMs, ErrorCode ErrorCode)
{
    public static EndTxnResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.EndTxn, version);
        var reader = new ProtocolReader(body);
        var throttle = reader.ReadInt32();
        var error = (ErrorCode)reader.ReadInt16();
        if (flexible) reader.SkipTaggedFields();
        return new EndTxnResponse(throttle, error);
    }
}
