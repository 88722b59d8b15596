using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>
/// The transaction APIs (FindCoordinator 10, InitProducerId 22, AddPartitionsToTxn 24, AddOffsetsToTxn 25,
/// EndTxn 26, TxnOffsetCommit 28) through our encoders and parsers against the librdkafka mock's coordinators.
/// </summary>
public sealed class TransactionConformanceTests(ThreeBrokerCluster cluster) : IClassFixture<ThreeBrokerCluster>
{
    private ApiVersionsResponse Advertised()
    {
        using var client = cluster.ConnectAny();
        return ApiVersionsResponse.Parse(client.Send(new ApiVersionsRequest("kafkaactors-conformance", "1.0.0"), 2), 2);
    }

    /// <summary>Asks broker 0 of the bootstrap list for the coordinator of <paramref name="key"/> and checks it is a broker of Metadata.</summary>
    private Coordinator FindCoordinator(string key, CoordinatorType type, short version)
    {
        using var client = cluster.ConnectAny();
        var response = FindCoordinatorResponse.Parse(client.Send(new FindCoordinatorRequest(key, type), version), version);
        var coordinator = Assert.Single(response.Coordinators);
        Assert.Equal(ErrorCode.None, coordinator.ErrorCode);
        var broker = cluster.Metadata().Brokers.Single(b => b.NodeId == coordinator.NodeId);
        Assert.Equal((broker.Host, broker.Port), (coordinator.Host, coordinator.Port));
        return coordinator;
    }

    private static KafkaWireClient Connect(Coordinator coordinator) =>
        KafkaWireClient.Connect(coordinator.Host, coordinator.Port, MockClusterFixture.Timeout);

    /// <summary>What the mock advertises (librdkafka 2.16.0) and the versions we therefore speak to it.</summary>
    [Fact]
    public void Mock_advertises_the_transaction_apis_below_our_maxima()
    {
        var response = Advertised();
        Assert.Equal(new ApiVersionRange(0, 3), response.ApiKeys[ApiKey.FindCoordinator]);
        Assert.Equal(new ApiVersionRange(0, 1), response.ApiKeys[ApiKey.AddPartitionsToTxn]);
        Assert.Equal(new ApiVersionRange(0, 1), response.ApiKeys[ApiKey.AddOffsetsToTxn]);
        Assert.Equal(new ApiVersionRange(0, 3), response.ApiKeys[ApiKey.TxnOffsetCommit]);
        Assert.Equal(new ApiVersionRange(0, 1), response.ApiKeys[ApiKey.EndTxn]);

        Assert.Equal(3, response.Negotiate(ApiKey.FindCoordinator));
        Assert.Equal(1, response.Negotiate(ApiKey.AddPartitionsToTxn));
        Assert.Equal(1, response.Negotiate(ApiKey.AddOffsetsToTxn));
        Assert.Equal(3, response.Negotiate(ApiKey.TxnOffsetCommit));
        Assert.Equal(1, response.Negotiate(ApiKey.EndTxn));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FindCoordinator_for_a_transactional_id_returns_a_broker(short version)
    {
        var coordinator = FindCoordinator("txn-find", CoordinatorType.Transaction, version);
        // The coordinator is a function of the key, whatever the version asked.
        Assert.Equal(FindCoordinator("txn-find", CoordinatorType.Transaction, 1).NodeId, coordinator.NodeId);
    }

    [Fact]
    public void FindCoordinator_v0_for_a_group_returns_a_broker()
    {
        FindCoordinator("group-find", CoordinatorType.Group, 0);
    }

    /// <summary>
    /// The mock answers UNKNOWN_PRODUCER_ID for a transactional id it has no producer for (a real broker answers
    /// INVALID_PRODUCER_ID_MAPPING); either way an error, never success.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void EndTxn_for_an_unknown_transactional_id_is_an_error(short version)
    {
        var coordinator = FindCoordinator("txn-unknown", CoordinatorType.Transaction, 3);
        using var client = Connect(coordinator);
        var response = EndTxnResponse.Parse(client.Send(new EndTxnRequest("txn-unknown", 1234, 0, Committed: true), version), version);
        Assert.Equal(ErrorCode.UnknownProducerId, response.ErrorCode);
    }

    /// <summary>A whole transaction at the versions negotiated with the mock: every step succeeds and parses.</summary>
    [Fact]
    public void A_transaction_with_partitions_and_offsets_commits()
    {
        const string transactionalId = "txn-flow";
        const string topic = "txn-flow-topic";
        const string group = "txn-flow-group";
        cluster.Kafka.CreateTopic(topic, 2, 1);

        var txnCoordinator = FindCoordinator(transactionalId, CoordinatorType.Transaction, 3);
        using var txn = Connect(txnCoordinator);
        var init = InitProducerIdResponse.Parse(txn.Send(new InitProducerIdRequest(transactionalId, 60000), 4), 4);
        Assert.Equal(ErrorCode.None, init.ErrorCode);
        Assert.True(init.ProducerId >= 0, $"producer id {init.ProducerId}");

        var added = AddPartitionsToTxnResponse.Parse(txn.Send(
            new AddPartitionsToTxnRequest(transactionalId, init.ProducerId, init.ProducerEpoch, [new AddPartitionsToTxnTopic(topic, [0, 1])]), 1), 1);
        var addedTopic = Assert.Single(added.Topics);
        Assert.Equal(topic, addedTopic.Name);
        Assert.Equal([new(0, ErrorCode.None), new(1, ErrorCode.None)], addedTopic.Partitions.OrderBy(p => p.PartitionIndex));

        var offsets = AddOffsetsToTxnResponse.Parse(txn.Send(
            new AddOffsetsToTxnRequest(transactionalId, init.ProducerId, init.ProducerEpoch, group), 1), 1);
        Assert.Equal(ErrorCode.None, offsets.ErrorCode);

        var groupCoordinator = FindCoordinator(group, CoordinatorType.Group, 3);
        using (var groupClient = Connect(groupCoordinator))
        {
            var committed = TxnOffsetCommitResponse.Parse(groupClient.Send(new TxnOffsetCommitRequest(
                transactionalId, group, init.ProducerId, init.ProducerEpoch,
                [new TxnOffsetCommitTopic(topic, [new TxnOffsetCommitPartition(0, 42)])]), 3), 3);
            var committedTopic = Assert.Single(committed.Topics);
            Assert.Equal(topic, committedTopic.Name);
            Assert.Equal(new TxnOffsetCommitPartitionResult(0, ErrorCode.None), Assert.Single(committedTopic.Partitions));
        }

        var end = EndTxnResponse.Parse(txn.Send(new EndTxnRequest(transactionalId, init.ProducerId, init.ProducerEpoch, Committed: true), 1), 1);
        Assert.Equal(ErrorCode.None, end.ErrorCode);
    }
}
