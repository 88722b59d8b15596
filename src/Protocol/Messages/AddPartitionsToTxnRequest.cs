using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// AddPartitionsToTxnRequest.json (key 24), client versions 0-3 (flexible 3+): the V3AndBelow fields. v4+ batches
/// transactions and is sent only broker to broker. Immutable; thread-safe.
/// </summary>
public sealed record AddPartitionsToTxnRequest(
    string TransactionalId,
    long ProducerId,
    short ProducerEpoch,
    IReadOnlyList<AddPartitionsToTxnTopic> Topics) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.AddPartitionsToTxn;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        if (version > 3)
            throw new ArgumentOutOfRangeException(nameof(version), version, "AddPartitionsToTxn v4+ is broker-to-broker only.");
        var flexible = ClientApiVersions.IsFlexible(ApiKey.AddPartitionsToTxn, version);
        writer.WriteString(TransactionalId, flexible);
        writer.WriteInt64(ProducerId);
        writer.WriteInt16(ProducerEpoch);
        writer.WriteArrayLength(Topics.Count, flexible);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name, flexible);
            writer.WriteArrayLength(topic.Partitions.Count, flexible);
            foreach (var partition in topic.Partitions) writer.WriteInt32(partition);
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}

/// <summary>A topic and the partitions of it to add to the transaction.</summary>
public sealed record AddPartitionsToTxnTopic(string Name, IReadOnlyList<int> Partitions);
