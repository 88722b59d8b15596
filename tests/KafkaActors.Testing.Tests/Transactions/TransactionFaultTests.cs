using KafkaActors.Protocol.Messages;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Transactions;
using Xunit;
using ErrorCode = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Transactions;

/// <summary>
/// Each fault the transactional producer's tests inject, proven with raw requests: a pushed error is answered once,
/// changes nothing, and the retry succeeds; coordinator and leader moves answer NOT_COORDINATOR / NOT_LEADER on the
/// old broker; a broker down closes the coordinator connection until it is up again.
/// </summary>
public sealed class TransactionFaultTests : IDisposable
{
    private const string TransactionalId = "fault-txn";
    private const string Group = "fault-group";
    private readonly EmbeddedKafka _kafka = EmbeddedKafka.Start(brokers: 3);
    private readonly string _topic = TestClients.Topic("faults");
    private readonly RawTransactionalProducer _producer;

    public TransactionFaultTests()
    {
        _kafka.CreateTopic(_topic, partitions: 2);
        _producer = RawTransactionalProducer.Create(_kafka.BootstrapServers, TransactionalId);
    }

    public void Dispose()
    {
        _producer.Dispose();
        _kafka.Dispose();
    }

    private PartitionLog Log(int partition) => RawLogReader.ReadLogs(_kafka.BootstrapServers, _topic, Txn.Timeout)[partition];

    private void Begin(int partition = 0)
    {
        Assert.Equal(ErrorCode.None, _producer.InitProducerId());
        Assert.Equal(ErrorCode.None, _producer.AddPartitions(_topic, partition)[partition]);
        Assert.Equal(ErrorCode.None, _producer.Produce(_topic, partition, Txn.Values("v")).Error);
    }

    [Fact]
    public void FindCoordinator_error_is_answered_once()
    {
        _kafka.PushRequestErrors(ApiKeys.FindCoordinator, KafkaErrorCodes.CoordinatorNotAvailable);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, _producer.FindCoordinator());
        Assert.Equal(-1, _producer.CoordinatorId);
        Assert.Equal(ErrorCode.None, _producer.FindCoordinator());
    }

    [Fact]
    public void InitProducerId_error_is_answered_once_and_hands_out_no_producer_id()
    {
        _kafka.PushRequestErrors(ApiKeys.InitProducerId, KafkaErrorCodes.CoordinatorLoadInProgress, KafkaErrorCodes.ConcurrentTransactions);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, _producer.InitProducerId());
        Assert.Equal(ErrorCode.ConcurrentTransactions, _producer.InitProducerId());
        Assert.Equal(-1, _producer.ProducerId);
        Assert.Equal(ErrorCode.None, _producer.InitProducerId());
        Assert.Equal(0, _producer.ProducerEpoch);
    }

    /// <summary>The pushed code goes to every partition of the request, and a failed add leaves the partition out of the transaction.</summary>
    [Fact]
    public void AddPartitionsToTxn_error_applies_to_every_partition_and_adds_none()
    {
        Assert.Equal(ErrorCode.None, _producer.InitProducerId());
        _kafka.PushRequestErrors(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.ConcurrentTransactions);
        Assert.Equal([ErrorCode.ConcurrentTransactions, ErrorCode.ConcurrentTransactions],
            _producer.AddPartitions(_topic, 0, 1).OrderBy(p => p.Key).Select(p => p.Value));
        // Partition 1 never added: the mock still accepts the produce but writes no marker there on commit.
        Assert.Equal(ErrorCode.None, _producer.AddPartitions(_topic, 0)[0]);
        Assert.Equal(ErrorCode.None, _producer.Produce(_topic, 0, Txn.Values("added")).Error);
        Assert.Equal(ErrorCode.None, _producer.Produce(_topic, 1, Txn.Values("not added")).Error);
        Assert.Equal(ErrorCode.None, _producer.EndTxn(commit: true));

        Assert.Equal(ControlRecordType.Commit, Log(0).Batches[^1].ControlType);
        var unadded = Log(1);
        Assert.DoesNotContain(unadded.Batches, b => b.IsControl);
        Assert.Null(unadded.OutcomeOf(unadded.Batches[0])); // open for ever: it holds the last stable offset
        Assert.Equal(0, unadded.LastStableOffset);
    }

    [Fact]
    public void AddOffsetsToTxn_error_is_answered_once()
    {
        Begin();
        _kafka.PushRequestErrors(ApiKeys.AddOffsetsToTxn, KafkaErrorCodes.NotCoordinator);
        Assert.Equal(ErrorCode.NotCoordinator, _producer.AddOffsets(Group));
        Assert.Equal(ErrorCode.None, _producer.AddOffsets(Group));
    }

    [Fact]
    public void TxnOffsetCommit_error_is_answered_once_for_every_partition()
    {
        Begin();
        Assert.Equal(ErrorCode.None, _producer.AddOffsets(Group));
        _kafka.PushRequestErrors(ApiKeys.TxnOffsetCommit, KafkaErrorCodes.CoordinatorLoadInProgress);
        var offsets = new Dictionary<int, long> { [0] = 1, [1] = 2 };
        Assert.Equal([ErrorCode.CoordinatorLoadInProgress, ErrorCode.CoordinatorLoadInProgress],
            _producer.CommitOffsets(Group, _topic, offsets).OrderBy(p => p.Key).Select(p => p.Value));
        Assert.All(_producer.CommitOffsets(Group, _topic, offsets).Values, e => Assert.Equal(ErrorCode.None, e));
    }

    [Theory]
    [InlineData(KafkaErrorCodes.CoordinatorNotAvailable)]
    [InlineData(KafkaErrorCodes.NotCoordinator)]
    [InlineData(KafkaErrorCodes.ConcurrentTransactions)]
    public void EndTxn_error_is_answered_once_writes_no_marker_and_the_retry_commits(short error)
    {
        Begin();
        _kafka.PushRequestErrors(ApiKeys.EndTxn, error);
        Assert.Equal((ErrorCode)error, _producer.EndTxn(commit: true));
        Assert.DoesNotContain(Log(0).Batches, b => b.IsControl);

        Assert.Equal(ErrorCode.None, _producer.EndTxn(commit: true));
        Assert.Equal(ControlRecordType.Commit, Log(0).Batches[^1].ControlType);
        Assert.Equal(["v"], Txn.Strings(Log(0).ReadCommitted()));
    }

    [Fact]
    public void Transactional_produce_error_writes_nothing_and_keeps_the_sequence()
    {
        Begin();
        _kafka.PushRequestErrors(ApiKeys.Produce, KafkaErrorCodes.NotEnoughReplicas);
        Assert.Equal(ErrorCode.NotEnoughReplicas, _producer.Produce(_topic, 0, Txn.Values("w")).Error);
        Assert.Equal(1, _producer.NextSequence(_topic, 0));
        Assert.Equal((ErrorCode.None, 1L), _producer.Produce(_topic, 0, Txn.Values("w")));
        Assert.Empty(LogSequenceChecker.FindViolations(Log(0)));
    }

    /// <summary>
    /// After the coordinator moves, the old broker answers NOT_COORDINATOR; FindCoordinator names the new one, where the
    /// open transaction (mock state is cluster-wide) commits what was written before the move.
    /// </summary>
    [Fact]
    public void Moving_the_transaction_coordinator_answers_NOT_COORDINATOR_on_the_old_one()
    {
        Begin();
        var old = _producer.CoordinatorId;
        var moved = _kafka.BrokerIds.First(id => id != old);
        _kafka.SetTransactionCoordinator(TransactionalId, moved);

        Assert.Equal(ErrorCode.NotCoordinator, _producer.AddPartitions(_topic, 1)[1]);
        Assert.Equal(ErrorCode.NotCoordinator, _producer.AddOffsets(Group));
        Assert.Equal(ErrorCode.NotCoordinator, _producer.EndTxn(commit: true));

        Assert.Equal(ErrorCode.None, _producer.FindCoordinator());
        Assert.Equal(moved, _producer.CoordinatorId);
        Assert.Equal(ErrorCode.None, _producer.EndTxn(commit: true));
        Assert.Equal(["v"], Txn.Strings(Log(0).ReadCommitted()));
    }

    [Fact]
    public void Moving_the_group_coordinator_answers_NOT_COORDINATOR_to_TxnOffsetCommit_on_the_old_one()
    {
        Begin();
        Assert.Equal(ErrorCode.None, _producer.AddOffsets(Group));
        _kafka.SetGroupCoordinator(Group, 1);
        Assert.Equal(ErrorCode.None, _producer.CommitOffsets(Group, _topic, new Dictionary<int, long> { [0] = 1 })[0]);

        _kafka.SetGroupCoordinator(Group, 2);
        var broker1 = _kafka.BootstrapServers.Split(',').Select(KafkaWireClient.ParseHostPort).ToArray()[0];
        using var old = KafkaWireClient.Connect(broker1.Host, broker1.Port);
        var request = new TxnOffsetCommitRequest(TransactionalId, Group, _producer.ProducerId, _producer.ProducerEpoch,
            [new TxnOffsetCommitTopic(_topic, [new TxnOffsetCommitPartition(0, 1)])]);
        var answer = TxnOffsetCommitResponse.Parse(old.Send(request, 3), 3);
        Assert.Equal(ErrorCode.NotCoordinator, Assert.Single(Assert.Single(answer.Topics).Partitions).ErrorCode);
        Assert.Equal(ErrorCode.None, _producer.CommitOffsets(Group, _topic, new Dictionary<int, long> { [0] = 1 })[0]);
    }

    /// <summary>
    /// A coordinator down closes its connections; FindCoordinator keeps naming it (the mock never moves a
    /// coordinator by itself). Once it is up again, a new connection finishes the transaction.
    /// </summary>
    [Fact]
    public void Coordinator_down_closes_the_connection_until_it_is_up()
    {
        const int coordinator = 2; // the bootstrap broker (1) stays up
        _kafka.SetTransactionCoordinator(TransactionalId, coordinator);
        Begin();
        _kafka.SetBrokerDown(coordinator);
        Assert.ThrowsAny<IOException>(() => _producer.EndTxn(commit: true));

        Assert.Equal(ErrorCode.None, _producer.FindCoordinator());
        Assert.Equal(coordinator, _producer.CoordinatorId); // still the down broker, which refuses connections
        Assert.Throws<System.Net.Sockets.SocketException>(() => _producer.EndTxn(commit: true));

        _kafka.SetBrokerUp(coordinator);
        Assert.Equal(ErrorCode.None, _producer.FindCoordinator());
        Assert.Equal(coordinator, _producer.CoordinatorId);
        Assert.Equal(ErrorCode.None, _producer.EndTxn(commit: true));
        Assert.Equal(ControlRecordType.Commit, Assert.Single(Log(0).Batches, b => b.IsControl).ControlType);
    }

    /// <summary>After a leader move the old leader answers NOT_LEADER_OR_FOLLOWER; the new one continues the same sequence (one shared log).</summary>
    [Fact]
    public void Leader_move_answers_NOT_LEADER_on_the_old_leader_and_sequences_continue_on_the_new()
    {
        _kafka.SetPartitionLeader(_topic, 0, 1);
        Begin();
        _kafka.SetPartitionLeader(_topic, 0, 2);

        Assert.Equal((ErrorCode.NotLeaderOrFollower, -1L), _producer.Produce(_topic, 0, Txn.Values("to the old leader"), brokerId: 1));
        Assert.Equal((ErrorCode.None, 1L), _producer.Produce(_topic, 0, Txn.Values("after move")));
        Assert.Equal(ErrorCode.None, _producer.EndTxn(commit: true));
        Assert.Equal(["v", "after move"], Txn.Strings(Log(0).ReadCommitted()));
        Assert.Empty(LogSequenceChecker.FindViolations(Log(0)));
    }
}
