using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>MetadataResponse.json (key 3), versions 1-12.</summary>
public sealed record MetadataResponse(
    int ThrottleTimeMs,
    IReadOnlyList<MetadataBroker> Brokers,
    string? ClusterId,
    int ControllerId,
    IReadOnlyList<MetadataTopic> Topics)
{
    public static MetadataResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.Metadata, version);
        var reader = new ProtocolReader(body);
        var throttle = version >= 3 ? reader.ReadInt32() : 0;

        var brokerCount = reader.ReadArrayLength(flexible);
        var brokers = new MetadataBroker[Math.Max(brokerCount, 0)];
        for (var i = 0; i < brokers.Length; i++)
        {
            var nodeId = reader.ReadInt32();
            var host = reader.ReadRequiredString(flexible);
            var port = reader.ReadInt32();
            var rack = reader.ReadString(flexible);
            if (flexible) reader.SkipTaggedFields();
            brokers[i] = new MetadataBroker(nodeId, host, port, rack);
        }

        var clusterId = version >= 2 ? reader.ReadString(flexible) : null;
        var controllerId = reader.ReadInt32();

        var topicCount = reader.ReadArrayLength(flexible);
        var topics = new MetadataTopic[Math.Max(topicCount, 0)];
        for (var t = 0; t < topics.Length; t++)
        {
            var error = (ErrorCode)reader.ReadInt16();
            var name = reader.ReadString(flexible);
            var topicId = version >= 10 ? reader.ReadUuid() : Guid.Empty;
            var isInternal = reader.ReadBool();
            var partitionCount = reader.ReadArrayLength(flexible);
            var partitions = new MetadataPartition[Math.Max(partitionCount, 0)];
            for (var p = 0; p < partitions.Length; p++)
            {
                var partitionError = (ErrorCode)reader.ReadInt16();
                var index = reader.ReadInt32();
                var leader = reader.ReadInt32();
                var leaderEpoch = version >= 7 ? reader.ReadInt32() : -1;
                var replicas = ReadInt32Array(ref reader, flexible);
                var isr = ReadInt32Array(ref reader, flexible);
                var offline = version >= 5 ? ReadInt32Array(ref reader, flexible) : [];
                if (flexible) reader.SkipTaggedFields();
                partitions[p] = new MetadataPartition(partitionError, index, leader, leaderEpoch, replicas, isr, offline);
            }
            if (version >= 8) reader.ReadInt32(); // TopicAuthorizedOperations
            if (flexible) reader.SkipTaggedFields();
            topics[t] = new MetadataTopic(error, name, topicId, isInternal, partitions);
        }

        if (version is >= 8 and <= 10) reader.ReadInt32(); // ClusterAuthorizedOperations
        if (flexible) reader.SkipTaggedFields();
        return new MetadataResponse(throttle, brokers, clusterId, controllerId, topics);
    }

    private static int[] ReadInt32Array(ref ProtocolReader reader, bool flexible)
    {
        var count = reader.ReadArrayLength(flexible);
        if (count <= 0) return [];
        var values = new int[count];
        for (var i = 0; i < count; i++) values[i] = reader.ReadInt32();
        return values;
    }
}

public sealed record MetadataBroker(int NodeId, string Host, int Port, string? Rack);

public sealed record MetadataTopic(ErrorCode ErrorCode, string? Name, Guid TopicId, bool IsInternal, IReadOnlyList<MetadataPartition> Partitions);

public sealed record MetadataPartition(
    ErrorCode ErrorCode,
    int PartitionIndex,
    int LeaderId,
    int LeaderEpoch,
    IReadOnlyList<int> ReplicaNodes,
    IReadOnlyList<int> IsrNodes,
    IReadOnlyList<int> OfflineReplicas);
