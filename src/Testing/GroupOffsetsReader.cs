using Confluent.Kafka;

namespace KafkaActors.Testing;

/// <summary>
/// Reads a consumer group's committed offsets back with Confluent's consumer (an OffsetFetch to the group
/// coordinator, without joining the group), as an oracle for offsets a transactional producer sends to a group.
/// Stateless and thread-safe; each call uses its own consumer.
/// </summary>
/// <remarks>
/// librdkafka's mock (2.16.0, measured) stores offsets from OffsetCommit only. It validates TxnOffsetCommit
/// (group coordinator, producer id and epoch, partition, leader epoch) and answers it, but never stores the
/// offsets: before EndTxn, after EndTxn(commit) and after EndTxn(abort) the group's committed offsets are
/// unchanged. Against the mock, assert what the producer sent (e.g. the requests) rather than the committed
/// offsets; against a real broker (<see cref="KafkaTestClusterKind.Container"/>) this reader shows them after a commit.
/// </remarks>
public static class GroupOffsetsReader
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The committed offset of <paramref name="groupId"/> for every partition of <paramref name="topic"/>, keyed by
    /// partition; null where the group has committed nothing.
    /// </summary>
    /// <exception cref="KafkaException">The topic does not exist, or the coordinator did not answer in time.</exception>
    public static IReadOnlyDictionary<int, long?> ReadCommittedOffsets(string bootstrapServers, string groupId, string topic, TimeSpan? timeout = null) =>
        ReadCommittedOffsets(KafkaReader.Plain(bootstrapServers), groupId, topic, timeout);

    /// <summary><see cref="ReadCommittedOffsets(string, string, string, TimeSpan?)"/> with a base client configuration (e.g. a secure cluster's).</summary>
    public static IReadOnlyDictionary<int, long?> ReadCommittedOffsets(ClientConfig client, string groupId, string topic, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var t = timeout ?? DefaultTimeout;
        var partitions = KafkaReader.GetPartitionCount(client, topic, t);
        LibRdKafka.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(KafkaReader.Copy(client))
        {
            GroupId = groupId,
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
            LogConnectionClose = false,
        }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), t);
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset == Offset.Unset ? (long?)null : c.Offset.Value);
    }
}
