using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// AddOffsetsToTxnRequest.json (key 25), versions 0-3 (flexible 3+): adds the group's offsets partition to the
/// transaction before TxnOffsetCommit. Immutable; thread-safe.
/// </summary>
public sealed record AddOffsetsToTxnRequest(string TransactionalId, long ProducerId, short ProducerEpoch, string GroupId) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.AddOffsetsToTxn;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.AddOffsetsToTxn, version);
        writer.WriteString(TransactionalId, flexible);
        writer.WriteInt64(ProducerId);
        writer.WriteInt16(ProducerEpoch);
        writer.WriteString(GroupId, flexible);
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}
