using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>TxnOffsetCommitResponse.json (key 28), versions 0-3: an error code per partition. Immutable; thread-safe.</summary>
public sealed record TxnOffsetCommitResponse(int ThrottleTimeMs, IReadOnlyList<TxnOffsetCommitTopicResult> Topics)
{
    public static TxnOffsetCommitResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.TxnOffsetCommit, version);
        var reader = new ProtocolReader(body);
        var throttle = reader.ReadInt32();
        var topicCount = reader.ReadArrayLength(flexible);
        var topics = new TxnOffsetCommitTopicResult[Math.Max(topicCount, 0)];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadRequiredString(flexible);
            var partitionCount = reader.ReadArrayLength(flexible);
            var partitions = new TxnOffsetCommitPartitionResult[Math.Max(partitionCount, 0)];
            for (var p = 0; p < partitions.Length; p++)
            {
                var index = reader.ReadInt32();
                var error = (ErrorCode)reader.ReadInt16();
                if (flexible) reader.SkipTaggedFields();
                partitions[p] = new TxnOffsetCommitPartitionResult(index, error);
            }
            if (flexible) reader.SkipTaggedFields();
            topics[t] = new TxnOffsetCommitTopicResult(name, partitions);
        }
        if (flexible) reader.SkipTaggedFields();
        return new TxnOffsetCommitResponse(throttle, topics);
    }
}

/// <summary>The per-partition results for one topic of a <see cref="TxnOffsetCommitResponse"/>.</summary>
public sealed record TxnOffsetCommitTopicResult(string Name, IReadOnlyList<TxnOffsetCommitPartitionResult> Partitions);

/// <summary>One partition's error code in a <see cref="TxnOffsetCommitResponse"/>.</summary>
public sealed record TxnOffsetCommitPartitionResult(int PartitionIndex, ErrorCode ErrorCode);
