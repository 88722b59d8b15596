using KafkaActors.Protocol.Messages;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using KafkaActors.Testing.Tests.Transactions;
using KafkaActors.Testing.Transactions;
using Xunit;
using ErrorCode = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>
/// The front's transactional offsets (<see cref="TransactionalOffsetStore"/>): a raw transactional producer through a
/// PLAINTEXT front, and the group's offsets read back with Confluent's Committed() (<see cref="GroupOffsetsReader"/>) and a
/// raw OffsetFetch. The transaction coordinator and the group coordinator are different brokers, so TxnOffsetCommit and
/// EndTxn travel on different front connections.
/// </summary>
public sealed class TransactionalOffsetsTests : IAsyncLifetime
{
    private const int TransactionCoordinator = 1;
    private const int GroupCoordinator = 2;

    private readonly SecureEmbeddedKafka _kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
    {
        Brokers = 3,
        SecurityProtocol = ListenerSecurityProtocol.Plaintext,
    });
    private readonly string _topic = TestClients.Topic("txn-offsets");

    public Task InitializeAsync()
    {
        _kafka.Cluster.CreateTopic(_topic, partitions: 2);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kafka.DisposeAsync();

    private TransactionalOffsetStore Store => _kafka.TransactionalOffsets!;

    private RawTransactionalProducer Producer(string transactionalId, string group)
    {
        _kafka.Cluster.SetTransactionCoordinator(transactionalId, TransactionCoordinator);
        _kafka.Cluster.SetGroupCoordinator(group, GroupCoordinator);
        var producer = RawTransactionalProducer.Create(_kafka.BootstrapServers, transactionalId, Txn.Timeout);
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        return producer;
    }

    private long?[] Offsets(string group) =>
        GroupOffsetsReader.ReadCommittedOffsets(_kafka.BootstrapServers, group, _topic, Txn.Timeout)
            .OrderBy(o => o.Key).Select(o => o.Value).ToArray();

    private void SendOffsets(RawTransactionalProducer producer, string group, long offset0, long offset1)
    {
        Assert.Equal(ErrorCode.None, producer.AddOffsets(group));
        var sent = producer.CommitOffsets(group, _topic, new Dictionary<int, long> { [0] = offset0, [1] = offset1 });
        Assert.Equal([ErrorCode.None, ErrorCode.None], sent.OrderBy(s => s.Key).Select(s => s.Value));
    }

    [Fact]
    public void Offsets_are_pending_until_EndTxn_commit_and_then_the_groups_committed_offsets()
    {
        const string group = "commit-group";
        using var producer = Producer("commit-txn", group);
        Assert.Equal(ErrorCode.None, producer.AddPartitions(_topic, 0)[0]);
        Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values("a", "b")).Error);
        SendOffsets(producer, group, 42, 43);
        // A partition the mock refuses is not kept.
        Assert.Equal(ErrorCode.UnknownTopicOrPartition,
            Assert.Single(producer.CommitOffsets(group, _topic, new Dictionary<int, long> { [7] = 1 })).Value);

        Assert.Equal([null, null], Offsets(group));
        Assert.Equal([(0, 42L), (1, 43L)], Store.Pending("commit-txn").Select(p => (p.Partition, p.Offset)));
        Assert.All(Store.Pending("commit-txn"), p => Assert.Equal((producer.ProducerId, group), (p.ProducerId, p.GroupId)));

        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));

        Assert.Equal([42L, 43L], Offsets(group));
        Assert.Empty(Store.Pending());
        Assert.Equal(2, Store.CommittedOffsets);
        Assert.Equal(["a", "b"], Txn.Strings(RawLogReader.ReadCommitted(_kafka.BootstrapServers, _topic, Txn.Timeout)));
    }

    [Fact]
    public void Offsets_of_an_aborted_transaction_never_become_the_groups()
    {
        const string group = "abort-group";
        using var producer = Producer("abort-txn", group);
        SendOffsets(producer, group, 10, 11);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Equal([10L, 11L], Offsets(group));

        SendOffsets(producer, group, 99, 98);
        Assert.Equal(2, Store.Pending("abort-txn").Count);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: false));
        Assert.Empty(Store.Pending());
        Assert.Equal([10L, 11L], Offsets(group));

        // Nor after a later, empty, committed transaction of the same producer.
        Assert.Equal(ErrorCode.None, producer.AddOffsets(group));
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Equal([10L, 11L], Offsets(group));
    }

    [Fact]
    public void Offsets_stay_pending_across_an_EndTxn_error_and_are_committed_on_the_retry()
    {
        const string group = "retry-group";
        using var producer = Producer("retry-txn", group);
        Assert.Equal(ErrorCode.None, producer.AddPartitions(_topic, 1)[1]);
        Assert.Equal(ErrorCode.None, producer.Produce(_topic, 1, Txn.Values("r")).Error);
        SendOffsets(producer, group, 5, 6);

        _kafka.Cluster.PushRequestErrors(ApiKeys.EndTxn, KafkaErrorCodes.ConcurrentTransactions);
        Assert.Equal(ErrorCode.ConcurrentTransactions, producer.EndTxn(commit: true));
        Assert.Equal([null, null], Offsets(group));
        Assert.Equal(2, Store.Pending("retry-txn").Count);

        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Equal([5L, 6L], Offsets(group));
        Assert.Empty(Store.Pending());

        // An abort answered with an error keeps them too; the retried abort drops them.
        SendOffsets(producer, group, 50, 60);
        _kafka.Cluster.PushRequestErrors(ApiKeys.EndTxn, KafkaErrorCodes.CoordinatorLoadInProgress);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, producer.EndTxn(commit: false));
        Assert.Equal(2, Store.Pending("retry-txn").Count);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: false));
        Assert.Empty(Store.Pending());
        Assert.Equal([5L, 6L], Offsets(group));
    }

    [Fact]
    public void A_failed_OffsetCommit_keeps_the_offsets_pending_and_answers_EndTxn_with_a_retriable_error()
    {
        const string group = "failing-group";
        using var producer = Producer("failing-txn", group);
        SendOffsets(producer, group, 7, 8);

        _kafka.Cluster.PushRequestErrors(ApiKeys.OffsetCommit, KafkaErrorCodes.CoordinatorNotAvailable);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, producer.EndTxn(commit: true));
        Assert.Equal(1, Store.FailedCommits);
        Assert.Equal(2, Store.Pending("failing-txn").Count);
        Assert.Equal([null, null], Offsets(group));

        // The mock's transaction is complete, so it answers the retry without error; the front commits then.
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Equal([7L, 8L], Offsets(group));
        Assert.Empty(Store.Pending());
    }

    [Fact]
    public void Metadata_and_leader_epoch_are_kept_and_the_metadata_committed()
    {
        const string group = "metadata-group";
        using var producer = Producer("metadata-txn", group);
        Assert.Equal(ErrorCode.None, producer.AddOffsets(group));
        var fronts = _kafka.BootstrapServers.Split(',');
        using (var bootstrap = KafkaWireClient.Connect(fronts[0]))
        {
            var metadata = MetadataResponse.Parse(bootstrap.Send(new MetadataRequest([_topic], false), 7), 7);
            var epoch = metadata.Topics.Single().Partitions.Single(p => p.PartitionIndex == 0).LeaderEpoch;
            using var coordinator = KafkaWireClient.Connect(fronts[GroupCoordinator - 1]);
            var request = new TxnOffsetCommitRequest(producer.TransactionalId, group, producer.ProducerId, producer.ProducerEpoch,
                [new TxnOffsetCommitTopic(_topic, [new TxnOffsetCommitPartition(0, 31, epoch, "m-0"), new TxnOffsetCommitPartition(1, 32)])]);
            var answer = TxnOffsetCommitResponse.Parse(coordinator.Send(request, 3), 3);
            Assert.All(answer.Topics.Single().Partitions, p => Assert.Equal(ErrorCode.None, p.ErrorCode));
            Assert.Equal([(31L, epoch, "m-0"), (32L, -1, null)], Store.Pending("metadata-txn").Select(p => (p.Offset, p.LeaderEpoch, p.Metadata)));
        }

        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        var committed = RawOffsetFetch.Read(fronts[GroupCoordinator - 1], group, _topic, 0, 1);
        Assert.Equal((31L, "m-0"), committed[0]);
        Assert.Equal((32L, (string?)null), committed[1]);
    }

    /// <summary>
    /// The mock keeps a classic group once a consumer joined it, and then checks every OffsetCommit's generation and member:
    /// a simple commit is refused, where Kafka accepts it for an empty group and writes transactional offsets regardless.
    /// The front drops such offsets and lists them; the EndTxn answer stays a success (the records are committed).
    /// </summary>
    [Fact]
    public void Offsets_the_mock_refuses_for_a_group_that_had_members_are_listed_as_refused()
    {
        const string group = "joined-group";
        _kafka.Cluster.SetGroupCoordinator(group, GroupCoordinator);
        LibRdKafka.EnsureLoaded();
        using (var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig
               {
                   BootstrapServers = _kafka.BootstrapServers,
                   GroupId = group,
                   EnableAutoCommit = false,
               }).Build())
        {
            consumer.Subscribe(_topic);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline)
                consumer.Consume(TimeSpan.FromMilliseconds(100));
            Assert.NotEmpty(consumer.Assignment);
            consumer.Close();
        }

        using var producer = Producer("joined-txn", group);
        SendOffsets(producer, group, 1, 2);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Empty(Store.Pending());
        var refused = Store.Refused();
        Assert.Equal([0, 1], refused.Select(r => r.Offset.Partition).Order());
        Assert.All(refused, r => Assert.Contains(r.Error, new[] { ErrorCode.IllegalGeneration, ErrorCode.UnknownMemberId }));
        Assert.Equal([null, null], Offsets(group));
    }

    [Fact]
    public async Task Turned_off_the_front_leaves_the_mocks_behaviour_offsets_never_committed()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.Plaintext,
            TransactionalOffsets = false,
        });
        Assert.Null(kafka.TransactionalOffsets);
        kafka.Cluster.CreateTopic(_topic, partitions: 2);
        using var producer = RawTransactionalProducer.Create(kafka.BootstrapServers, "off-txn", Txn.Timeout);
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        Assert.Equal(ErrorCode.None, producer.AddOffsets("off-group"));
        Assert.All(producer.CommitOffsets("off-group", _topic, new Dictionary<int, long> { [0] = 3, [1] = 4 }).Values,
            e => Assert.Equal(ErrorCode.None, e));
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Equal([null, null], GroupOffsetsReader.ReadCommittedOffsets(kafka.BootstrapServers, "off-group", _topic, Txn.Timeout)
            .OrderBy(o => o.Key).Select(o => o.Value));
    }
}
