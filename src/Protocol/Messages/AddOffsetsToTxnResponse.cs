using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>AddOffsetsToTxnResponse.json (key 25), versions 0-3. Immutable; thread-safe.</summary>
public sealed record AddOffsetsToTxnResponse(int ThrottleTimeMs, ErrorCode ErrorCode)
{
    public static AddOffsetsToTxnResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.AddOffsetsToTxn, version);
        var reader = new ProtocolReader(body);
        var throttle = reader.ReadInt32();
        var error = (ErrorCode)reader.ReadInt16();
        if (flexible) reader.SkipTaggedFields();
        return new AddOffsetsToTxnResponse(throttle, error);
    }
}
