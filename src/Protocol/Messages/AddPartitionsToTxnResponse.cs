using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// AddPartitionsToTxnResponse.json (key 24), client versions 0-3: ResultsByTopicV3AndBelow, an error code per
/// partition. Immutable; thread-safe.
/// </summary>
public sealed record AddPartitionsToTxnResponse(int ThrottleTimeMs, IReadOnlyList<AddPartitionsToTxnTopicResult> Topics)
{
    public static AddPartitionsToTxnResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.AddPartitionsToTxn, version);
        var reader = new ProtocolReader(body);
        var throttle = reader.ReadInt32();
        var topicCount = reader.ReadArrayLength(flexible);
        var topics = new AddPartitionsToTxnTopicResult[Math.Max(topicCount, 0)];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadRequiredString(flexible);
            var partitionCount = reader.ReadArrayLength(flexible);
            var partitions = new AddPartitionsToTxnPartitionResult[Math.Max(partitionCount, 0)];
            for (var p = 0; p < partitions.Length; p++)
            {
                var index = reader.ReadInt32();
                var error = (ErrorCode)reader.ReadInt16();
                if (flexible) reader.SkipTaggedFields();
                partitions[p] = new AddPartitionsToTxnPartitionResult(index, error);
            }
            if (flexible) reader.SkipTaggedFields();
            topics[t] = new AddPartitionsToTxnTopicResult(name, partitions);
        }
        if (flexible) reader.SkipTaggedFields();
        return new AddPartitionsToTxnResponse(throttle, topics);
    }
}

/// <summary>The per-partition results for one topic of an <see cref="AddPartitionsToTxnResponse"/>.</summary>
public sealed record AddPartitionsToTxnTopicResult(string Name, IReadOnlyList<AddPartitionsToTxnPartitionResult> Partitions);

/// <summary>One partition's error code in an <see cref="AddPartitionsToTxnResponse"/>.</summary>
public sealed record AddPartitionsToTxnPartitionResult(int PartitionIndex, ErrorCode ErrorCode);
