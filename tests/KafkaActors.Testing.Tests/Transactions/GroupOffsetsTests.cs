using Confluent.Kafka;
using KafkaActors.Testing.Transactions;
using Xunit;
using ErrorCode = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Transactions;

/// <summary><see cref="GroupOffsetsReader"/>, and what the mock does with offsets sent in a transaction.</summary>
public sealed class GroupOffsetsTests : IDisposable
{
    private readonly EmbeddedKafka _kafka = EmbeddedKafka.Start(brokers: 3);
    private readonly string _topic = TestClients.Topic("offsets");

    public GroupOffsetsTests() => _kafka.CreateTopic(_topic, partitions: 2);

    public void Dispose() => _kafka.Dispose();

    private void CommitWithConsumer(string group, int partition, long offset)
    {
        LibRdKafka.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();
        consumer.Commit([new TopicPartitionOffset(_topic, partition, offset)]);
    }

    [Fact]
    public void Reads_offsets_committed_with_OffsetCommit_and_null_for_partitions_without()
    {
        Assert.Equal([null, null], Offsets("plain-group"));
        CommitWithConsumer("plain-group", 1, 17);
        Assert.Equal([null, 17L], Offsets("plain-group"));
    }

    private long?[] Offsets(string group)
    {
        var offsets = GroupOffsetsReader.ReadCommittedOffsets(_kafka.BootstrapServers, group, _topic, Txn.Timeout);
        return offsets.OrderBy(o => o.Key).Select(o => o.Value).ToArray();
    }

    /// <summary>
    /// The mock validates and answers TxnOffsetCommit but never stores the offsets: not before EndTxn, not after a
    /// commit, not after an abort. If this starts failing, the mock learned transactional offsets.
    /// </summary>
    [Fact]
    public void Mock_never_applies_offsets_sent_in_a_transaction()
    {
        const string group = "txn-group";
        CommitWithConsumer(group, 0, 5);
        using var producer = RawTransactionalProducer.Create(_kafka.BootstrapServers, "offsets-txn");
        Assert.Equal(ErrorCode.None, producer.InitProducerId());

        foreach (var commit in new[] { true, false })
        {
            Assert.Equal(ErrorCode.None, producer.AddOffsets(group));
            var sent = producer.CommitOffsets(group, _topic, new Dictionary<int, long> { [0] = 42, [1] = 43 });
            Assert.Equal([ErrorCode.None, ErrorCode.None], sent.OrderBy(s => s.Key).Select(s => s.Value));
            Assert.Equal([5L, null], Offsets(group)); // before EndTxn
            Assert.Equal(ErrorCode.None, producer.EndTxn(commit));
            Assert.Equal([5L, null], Offsets(group)); // after commit, and after abort
        }
    }

    [Fact]
    public void TxnOffsetCommit_is_checked_against_the_group_coordinator_and_the_producer_epoch()
    {
        const string group = "checked-group";
        _kafka.SetGroupCoordinator(group, 1);
        using var producer = RawTransactionalProducer.Create(_kafka.BootstrapServers, "checked-txn");
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        Assert.Equal(ErrorCode.None, producer.AddOffsets(group));
        Assert.Equal(ErrorCode.None, Assert.Single(producer.CommitOffsets(group, _topic, new Dictionary<int, long> { [0] = 1 })).Value);

        // A stale epoch: the same pid after a KIP-360 bump by another handle.
        using var bumped = RawTransactionalProducer.Create(_kafka.BootstrapServers, "checked-txn");
        Assert.Equal(ErrorCode.None, bumped.InitProducerId(producer.ProducerId, producer.ProducerEpoch));
        Assert.Equal(ErrorCode.InvalidProducerEpoch,
            Assert.Single(producer.CommitOffsets(group, _topic, new Dictionary<int, long> { [0] = 1 })).Value);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition,
            Assert.Single(bumped.CommitOffsets(group, _topic, new Dictionary<int, long> { [7] = 1 })).Value);
    }
}
