using KafkaActors.Protocol;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Server-side decoding of the transactional requests <see cref="TransactionalOffsetsStage"/> reads, into the protocol
/// library's request records (which only know how to write themselves), and of where a response's body starts.
/// Stateless; thread-safe.
/// </summary>
internal static class TransactionalRequestReader
{
    /// <summary>TxnOffsetCommitRequest.json, versions 0-3 (flexible 3+; leader epoch from 2; group member fields from 3).</summary>
    public static TxnOffsetCommitRequest ReadTxnOffsetCommit(in KafkaRequestFrame request)
    {
        var version = request.ApiVersion;
        var flexible = ClientApiVersions.IsFlexible(ApiKey.TxnOffsetCommit, version);
        var reader = new ProtocolReader(request.Body(flexible));
        var transactionalId = reader.ReadRequiredString(flexible);
        var groupId = reader.ReadRequiredString(flexible);
        var producerId = reader.ReadInt64();
        var producerEpoch = reader.ReadInt16();
        int generationId = -1;
        var memberId = "";
        string? groupInstanceId = null;
        if (version >= 3)
        {
            generationId = reader.ReadInt32();
            memberId = reader.ReadRequiredString(flexible);
            groupInstanceId = reader.ReadString(flexible);
        }
        var topics = new TxnOffsetCommitTopic[Math.Max(reader.ReadArrayLength(flexible), 0)];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadRequiredString(flexible);
            var partitions = new TxnOffsetCommitPartition[Math.Max(reader.ReadArrayLength(flexible), 0)];
            for (var p = 0; p < partitions.Length; p++)
            {
                var index = reader.ReadInt32();
                var offset = reader.ReadInt64();
                var leaderEpoch = version >= 2 ? reader.ReadInt32() : -1;
                var metadata = reader.ReadString(flexible);
                if (flexible) reader.SkipTaggedFields();
                partitions[p] = new TxnOffsetCommitPartition(index, offset, leaderEpoch, metadata);
            }
            if (flexible) reader.SkipTaggedFields();
            topics[t] = new TxnOffsetCommitTopic(name, partitions);
        }
        return new TxnOffsetCommitRequest(transactionalId, groupId, producerId, producerEpoch, topics, generationId, memberId, groupInstanceId);
    }

    /// <summary>EndTxnRequest.json, versions 0-3 (flexible 3+): the transactional id, producer id and epoch, and commit or abort.</summary>
    public static EndTxnRequest ReadEndTxn(in KafkaRequestFrame request)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.EndTxn, request.ApiVersion);
        var reader = new ProtocolReader(request.Body(flexible));
        var transactionalId = reader.ReadRequiredString(flexible);
        var producerId = reader.ReadInt64();
        var producerEpoch = reader.ReadInt16();
        var committed = reader.ReadBool();
        return new EndTxnRequest(transactionalId, producerId, producerEpoch, committed);
    }

    /// <summary>Where the body of <paramref name="response"/> (a frame without its size prefix) starts: after the correlation id and, for flexible versions, the header's tagged fields.</summary>
    public static int ResponseBodyOffset(ReadOnlySpan<byte> response, ApiKey key, short version)
    {
        var reader = new ProtocolReader(response);
        ResponseHeader.Read(ref reader, key, version);
        return reader.Position;
    }
}
