using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>InitProducerIdResponse.json (key 22), versions 0-5.</summary>
public sealed record InitProducerIdResponse(int ThrottleTimeMs, ErrorCode ErrorCode, long ProducerId, short ProducerEpoch)
{
    public static InitProducerIdResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.InitProducerId, version);
        var reader = new ProtocolReader(body);
        var throttle = reader.ReadInt32();
        var error = (ErrorCode)reader.ReadInt16();
        var producerId = reader.ReadInt64();
        var epoch = reader.ReadInt16();
        if (flexible) reader.SkipTaggedFields();
        return new InitProducerIdResponse(throttle, error, producerId, epoch);
    }
}
