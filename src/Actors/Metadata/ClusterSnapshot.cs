using System.Collections.Frozen;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Metadata;

/// <summary>A broker's address as Metadata reports it.</summary>
public sealed record BrokerNode(int NodeId, string Host, int Port, string? Rack)
{
    public override string ToString() => $"{Host}:{Port} (id: {NodeId}{(Rack is null ? "" : $" rack: {Rack}")})";
}

/// <summary>A partition's leader and replicas (Java's <c>PartitionInfo</c>); leader -1 when there is none.</summary>
public sealed record PartitionInfo(string Topic, int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> InSyncReplicas);

/// <summary>One topic in a metadata answer: its error (NONE when fine) and partitions in index order.</summary>
public sealed record TopicInfo(string Name, ErrorCode Error, IReadOnlyList<PartitionInfo> Partitions);

/// <summary>
/// An immutable view of the cluster from one Metadata response (Java's <c>Cluster</c>). The
/// MetadataActor publishes a new one after every response; readers never see it change.
/// </summary>
public sealed class ClusterSnapshot
{
    public static readonly ClusterSnapshot Empty = new(FrozenDictionary<int, BrokerNode>.Empty, FrozenDictionary<string, TopicInfo>.Empty, null, -1, 0);

    public ClusterSnapshot(IReadOnlyDictionary<int, BrokerNode> brokers, IReadOnlyDictionary<string, TopicInfo> topics, string? clusterId, int controllerId, long version)
    {
        Brokers = brokers;
        Topics = topics;
        ClusterId = clusterId;
        ControllerId = controllerId;
        Version = version;
    }

    public IReadOnlyDictionary<int, BrokerNode> Brokers { get; }
    public IReadOnlyDictionary<string, TopicInfo> Topics { get; }
    public string? ClusterId { get; }
    public int ControllerId { get; }

    /// <summary>Increases with every update, so consumers can tell newer views apart.</summary>
    public long Version { get; }

    /// <summary>Builds the next snapshot: brokers and the requested topics come from the response; other known topics are kept.</summary>
    public ClusterSnapshot Update(MetadataResponse response, IReadOnlySet<string> requested)
    {
        var brokers = response.Brokers.ToDictionary(b => b.NodeId, b => new BrokerNode(b.NodeId, b.Host, b.Port, b.Rack));
        var topics = new Dictionary<string, TopicInfo>(StringComparer.Ordinal);
        foreach (var (name, info) in Topics)
            if (requested.Contains(name)) topics[name] = info;
        foreach (var topic in response.Topics)
        {
            if (topic.Name is null) continue;
            Topics.TryGetValue(topic.Name, out var known);
            var partitions = topic.Partitions
                .OrderBy(p => p.PartitionIndex)
                .Select(p => Newer(known, new PartitionInfo(topic.Name, p.PartitionIndex, p.LeaderId, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes)))
                .ToArray();
            topics[topic.Name] = new TopicInfo(topic.Name, topic.ErrorCode, partitions);
        }
        return new ClusterSnapshot(brokers.ToFrozenDictionary(), topics.ToFrozenDictionary(StringComparer.Ordinal), response.ClusterId, response.ControllerId, Version + 1);
    }

    /// <summary>
    /// Java's <c>Metadata.updateLatestMetadata</c>: a broker whose view lags behind may answer with an older
    /// leader epoch (Metadata v7+) than one already seen; that answer would move the leader back, so the
    /// partition keeps what it knew. Epoch -1 (older brokers) compares as unknown and is taken as it comes.
    /// </summary>
    private static PartitionInfo Newer(TopicInfo? known, PartitionInfo fresh)
    {
        if (known is null || fresh.LeaderEpoch < 0 || fresh.Partition >= known.Partitions.Count) return fresh;
        var current = known.Partitions[fresh.Partition];
        return current.Partition == fresh.Partition && current.LeaderEpoch > fresh.LeaderEpoch ? current : fresh;
    }

    /// <summary>
    /// The next snapshot with a partition's leader moved as a Produce answer reported it (KIP-951), or null
    /// when that is no news: an epoch not newer than the known one, an unknown partition, or a leader whose
    /// address is known neither here nor from <paramref name="node"/>. As Java's <c>updatePartitionLeadership</c>,
    /// the answer's address for the leader (its NodeEndpoints) wins over the one known.
    /// </summary>
    public ClusterSnapshot? WithLeader(TopicPartition partition, int leaderId, int leaderEpoch, BrokerNode? node)
    {
        if (!Topics.TryGetValue(partition.Topic, out var topic) || partition.Partition >= topic.Partitions.Count) return null;
        var current = topic.Partitions[partition.Partition];
        if (current.Partition != partition.Partition || leaderEpoch <= current.LeaderEpoch || leaderId < 0) return null;
        var brokers = Brokers;
        if (node is not null && node.NodeId == leaderId)
        {
            if (!brokers.TryGetValue(leaderId, out var known) || known != node)
                brokers = new Dictionary<int, BrokerNode>(brokers) { [leaderId] = node }.ToFrozenDictionary();
        }
        else if (!brokers.ContainsKey(leaderId))
        {
            return null;
        }
        var partitions = topic.Partitions.ToArray();
        partitions[partition.Partition] = current with { Leader = leaderId, LeaderEpoch = leaderEpoch };
        var topics = new Dictionary<string, TopicInfo>(Topics, StringComparer.Ordinal) { [topic.Name] = topic with { Partitions = partitions } };
        return new ClusterSnapshot(brokers, topics.ToFrozenDictionary(StringComparer.Ordinal), ClusterId, ControllerId, Version + 1);
    }

    /// <summary>Whether the partition is known to be led by <paramref name="leaderId"/> at <paramref name="leaderEpoch"/>, at an address we know.</summary>
    public bool HasLeader(TopicPartition partition, int leaderId, int leaderEpoch) =>
        Topics.TryGetValue(partition.Topic, out var topic) && partition.Partition < topic.Partitions.Count
        && topic.Partitions[partition.Partition] is { } current && current.Partition == partition.Partition
        && current.Leader == leaderId && current.LeaderEpoch == leaderEpoch && Brokers.ContainsKey(leaderId);

    /// <summary>A topic usable for sending: known, without error, with partitions numbered 0..n-1.</summary>
    public bool TryGetUsableTopic(string topic, out TopicInfo info)
    {
        if (Topics.TryGetValue(topic, out info!) && info.Error == ErrorCode.None && info.Partitions.Count > 0)
        {
            for (var i = 0; i < info.Partitions.Count; i++)
                if (info.Partitions[i].Partition != i) return false;
            return true;
        }
        return false;
    }
}
