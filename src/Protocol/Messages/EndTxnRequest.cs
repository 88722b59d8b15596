using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// EndTxnRequest.json (key 26), versions 0-3 (flexible 3+): commits (<see cref="Committed"/> true) or aborts the
/// transaction. Immutable; thread-safe.
/// </summary>
public sealed record EndTxnRequest(string TransactionalId, long ProducerId, short ProducerEpoch, bool Committed) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.EndTxn;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.EndTxn, version);
        writer.WriteString(TransactionalId, flexible);
        writer.WriteInt64(ProducerId);
        writer.WriteInt16(ProducerEpoch);
        writer.WriteBool(Committed);
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}
