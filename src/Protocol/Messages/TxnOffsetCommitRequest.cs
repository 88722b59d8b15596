using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// TxnOffsetCommitRequest.json (key 28), versions 0-3 (flexible 3+), sent to the group coordinator. v2 adds each
/// partition's leader epoch; v3 the consumer's generation, member id and group instance id (KIP-447), whose
/// defaults (-1, "", null) mean "not checked". Immutable; thread-safe.
/// </summary>
public sealed record TxnOffsetCommitRequest(
    string TransactionalId,
    string GroupId,
    long ProducerId,
    short ProducerEpoch,
    IReadOnlyList<TxnOffsetCommitTopic> Topics,
    int GenerationId = -1,
    string MemberId = "",
    string? GroupInstanceId = null) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.TxnOffsetCommit;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.TxnOffsetCommit, version);
        writer.WriteString(TransactionalId, flexible);
        writer.WriteString(GroupId, flexible);
        writer.WriteInt64(ProducerId);
        writer.WriteInt16(ProducerEpoch);
        if (version >= 3)
        {
            writer.WriteInt32(GenerationId);
            writer.WriteString(MemberId, flexible);
            writer.WriteString(GroupInstanceId, flexible);
        }
        writer.WriteArrayLength(Topics.Count, flexible);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name, flexible);
            writer.WriteArrayLength(topic.Partitions.Count, flexible);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt32(partition.PartitionIndex);
                writer.WriteInt64(partition.CommittedOffset);
                if (version >= 2) writer.WriteInt32(partition.CommittedLeaderEpoch);
                writer.WriteString(partition.CommittedMetadata, flexible);
                if (flexible) writer.WriteEmptyTaggedFields();
            }
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}

/// <summary>A topic and the offsets of its partitions to commit in the transaction.</summary>
public sealed record TxnOffsetCommitTopic(string Name, IReadOnlyList<TxnOffsetCommitPartition> Partitions);

/// <summary>An offset to commit: the next offset the consumer will read, as Java's OffsetAndMetadata.</summary>
public sealed record TxnOffsetCommitPartition(int PartitionIndex, long CommittedOffset, int CommittedLeaderEpoch = -1, string? CommittedMetadata = null);
