using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// InitProducerIdRequest.json (key 22), versions 0-5 (flexible 2+). For an idempotent producer the
/// transactional id is null; from v3 the current producer id/epoch may be sent (-1/-1 for a new id).
/// </summary>
public sealed record InitProducerIdRequest(string? TransactionalId, int TransactionTimeoutMs, long ProducerId = -1, short ProducerEpoch = -1) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.InitProducerId;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.InitProducerId, version);
        writer.WriteString(TransactionalId, flexible);
        writer.WriteInt32(TransactionTimeoutMs);
        if (version >= 3)
        {
            writer.WriteInt64(ProducerId);
            writer.WriteInt16(ProducerEpoch);
        }
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}
