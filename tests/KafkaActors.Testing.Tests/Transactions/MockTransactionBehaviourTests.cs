using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Transactions;
using Xunit;
using ErrorCode = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Transactions;

/// <summary>
/// How librdkafka's mock (2.16.0) treats producer ids, epochs and sequences of transactional producers, measured
/// with raw requests. The transactional producer's tests rely on these; where the mock differs from a real broker,
/// the test says so.
/// </summary>
public sealed class MockTransactionBehaviourTests : IDisposable
{
    private const string TransactionalId = "behaviour-txn";
    private readonly EmbeddedKafka _kafka = EmbeddedKafka.Start(brokers: 3);
    private readonly string _topic = TestClients.Topic("behaviour");

    public MockTransactionBehaviourTests() => _kafka.CreateTopic(_topic, partitions: 2);

    public void Dispose() => _kafka.Dispose();

    private RawTransactionalProducer Producer(string transactionalId = TransactionalId) =>
        RawTransactionalProducer.Create(_kafka.BootstrapServers, transactionalId);

    private PartitionLog Log(int partition) => RawLogReader.ReadLogs(_kafka.BootstrapServers, _topic, Txn.Timeout)[partition];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_InitProducerId_version_hands_a_new_transactional_id_a_producer_id_with_epoch_0(short version)
    {
        using var producer = Producer($"init-v{version}");
        Assert.Equal(ErrorCode.None, producer.InitProducerId(version));
        Assert.True(producer.ProducerId > 0, $"producer id {producer.ProducerId}");
        Assert.Equal(0, producer.ProducerEpoch);
    }

    [Fact]
    public void InitProducerId_v5_is_not_offered()
    {
        using var client = KafkaWireClient.Connect(_kafka.BootstrapServers.Split(',')[0]);
        var versions = KafkaActors.Protocol.Messages.ApiVersionsResponse.Parse(
            client.Send(new KafkaActors.Protocol.Messages.ApiVersionsRequest("t", "1"), 2), 2);
        Assert.Equal(new KafkaActors.Protocol.Framing.ApiVersionRange(0, 4), versions.ApiKeys[KafkaActors.Protocol.ApiKey.InitProducerId]);
    }

    /// <summary>KIP-360 (v3+): naming the current producer id and epoch bumps the epoch and keeps the id.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void InitProducerId_with_the_current_id_and_epoch_bumps_the_epoch(short version)
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId(version));
        var pid = producer.ProducerId;
        Assert.Equal(ErrorCode.None, producer.InitProducerId(pid, 0, version));
        Assert.Equal((pid, (short)1), (producer.ProducerId, producer.ProducerEpoch));
        Assert.Equal(ErrorCode.None, producer.InitProducerId(pid, 1, version));
        Assert.Equal((pid, (short)2), (producer.ProducerId, producer.ProducerEpoch));

        Assert.Equal(ErrorCode.InvalidProducerEpoch, producer.InitProducerId(pid, 1, version)); // a stale epoch
        Assert.Equal(ErrorCode.UnknownProducerId, producer.InitProducerId(pid + 1, 2, version)); // no such producer id
        using var other = Producer("other-txn");
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, other.InitProducerId(pid, 2, version)); // another transactional id's
    }

    /// <summary>Before v3 the request has no producer id field: what a v2 producer asks for is always a new id.</summary>
    [Fact]
    public void InitProducerId_v2_ignores_the_current_id_and_hands_out_a_new_one()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        var pid = producer.ProducerId;
        Assert.Equal(ErrorCode.None, producer.InitProducerId(pid, 0, version: 2));
        Assert.NotEqual(pid, producer.ProducerId);
        Assert.Equal(0, producer.ProducerEpoch);
    }

    /// <summary>
    /// No zombie fencing: a second InitProducerId(-1/-1) for the same transactional id gets a new producer id with epoch
    /// 0 and leaves the first producer's open transaction open; the first producer may still produce and commit it
    /// (a real broker aborts it and fences the old producer id with PRODUCER_FENCED / INVALID_PRODUCER_EPOCH).
    /// </summary>
    [Fact]
    public void A_second_InitProducerId_for_the_same_transactional_id_fences_nothing()
    {
        using var first = Producer();
        Assert.Equal(ErrorCode.None, first.InitProducerId());
        first.AddPartitions(_topic, 0);
        Assert.Equal(ErrorCode.None, first.Produce(_topic, 0, Txn.Values("first")).Error);

        using var second = Producer();
        Assert.Equal(ErrorCode.None, second.InitProducerId());
        Assert.NotEqual(first.ProducerId, second.ProducerId);
        Assert.Equal(0, second.ProducerEpoch);
        Assert.DoesNotContain(Log(0).Batches, b => b.IsControl); // nothing was aborted
        Assert.Null(Log(0).OutcomeOf(Log(0).Batches[0]));

        Assert.Equal(ErrorCode.None, first.Produce(_topic, 0, Txn.Values("zombie")).Error);
        Assert.Equal(ErrorCode.None, first.EndTxn(commit: true));
        Assert.Equal(["first", "zombie"], Txn.Strings(Log(0).ReadCommitted()));
        Assert.Equal(first.ProducerId, Log(0).Batches[^1].ProducerId);
    }

    /// <summary>
    /// The mock keeps one transaction per transactional id, not per producer id: partitions added by a first producer and
    /// not ended are ended by a second producer's EndTxn, with markers carrying the second producer id, so the first
    /// producer's records stay open for ever in a read_committed view.
    /// </summary>
    [Fact]
    public void The_open_transaction_belongs_to_the_transactional_id_not_the_producer_id()
    {
        using var first = Producer();
        Assert.Equal(ErrorCode.None, first.InitProducerId());
        first.AddPartitions(_topic, 0);
        Assert.Equal(ErrorCode.None, first.Produce(_topic, 0, Txn.Values("first")).Error);

        using var second = Producer();
        Assert.Equal(ErrorCode.None, second.InitProducerId());
        second.AddPartitions(_topic, 1);
        Assert.Equal(ErrorCode.None, second.Produce(_topic, 1, Txn.Values("second")).Error);
        Assert.Equal(ErrorCode.None, second.EndTxn(commit: true));

        var log0 = Log(0);
        Assert.Equal(second.ProducerId, Assert.Single(log0.Batches, b => b.IsControl).ProducerId);
        Assert.Empty(log0.ReadCommitted());
        Assert.Equal(["second"], Txn.Strings(Log(1).ReadCommitted()));
    }

    /// <summary>
    /// A KIP-360 bump keeps the transaction open; the old epoch is then refused everywhere, and an abort with the new epoch
    /// writes an ABORT marker (same producer id) that covers the old epoch's records.
    /// </summary>
    [Fact]
    public void An_epoch_bump_fences_the_old_epoch_and_the_new_one_can_abort_its_records()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        producer.AddPartitions(_topic, 0);
        Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values("epoch 0")).Error);

        using var bumped = Producer();
        Assert.Equal(ErrorCode.None, bumped.InitProducerId(producer.ProducerId, producer.ProducerEpoch));
        Assert.Equal(1, bumped.ProducerEpoch);
        Assert.DoesNotContain(Log(0).Batches, b => b.IsControl); // the bump aborted nothing

        // A stale-epoch Produce gets INVALID_PRODUCER_EPOCH only with the base sequence the new epoch expects next (0);
        // otherwise the mock's sequence check overwrites the code (here OUT_OF_ORDER_SEQUENCE_NUMBER). Nothing is written.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, producer.Produce(_topic, 0, Txn.Values("stale")).Error);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, producer.Produce(_topic, 0, Txn.Values("stale"), baseSequence: 0).Error);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, producer.AddPartitions(_topic, 1)[1]);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, producer.AddOffsets("g"));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, producer.EndTxn(commit: true));

        Assert.Equal(ErrorCode.None, bumped.EndTxn(commit: false));
        var log = Log(0);
        var marker = Assert.Single(log.Batches, b => b.IsControl);
        Assert.Equal((ControlRecordType?)ControlRecordType.Abort, marker.ControlType);
        Assert.Equal((producer.ProducerId, (short)1), (marker.ProducerId, marker.ProducerEpoch));
        Assert.Empty(log.ReadCommitted());
    }

    /// <summary>Sequences are kept per partition and (producer id, epoch): a new epoch starts at 0 and must not continue the old one.</summary>
    [Fact]
    public void Sequences_restart_at_0_with_a_new_epoch()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        producer.AddPartitions(_topic, 0);
        Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values("a", "b")).Error);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));

        Assert.Equal(ErrorCode.None, producer.InitProducerId(producer.ProducerId, producer.ProducerEpoch));
        producer.AddPartitions(_topic, 0);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, producer.Produce(_topic, 0, Txn.Values("c"), baseSequence: 2).Error);
        Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values("c")).Error);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        Assert.Empty(LogSequenceChecker.FindViolations(Log(0)));
    }

    /// <summary>
    /// Within one epoch the sequence continues across transactions. The mock checks it (transactional requests only): a
    /// gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an older sequence than the last 5 batches' DUPLICATE_SEQUENCE_NUMBER, and a
    /// repeat of one of the last 5 batches is acknowledged without being written (base offset -1).
    /// </summary>
    [Fact]
    public void Sequences_continue_across_transactions_and_the_mock_checks_them()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        for (var i = 0; i < 7; i++)
        {
            producer.AddPartitions(_topic, 0);
            Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values($"v{i}")).Error);
            Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        }
        producer.AddPartitions(_topic, 0);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, producer.Produce(_topic, 0, Txn.Values("gap"), baseSequence: 8).Error);
        Assert.Equal(ErrorCode.DuplicateSequenceNumber, producer.Produce(_topic, 0, Txn.Values("old"), baseSequence: 0).Error);
        Assert.Equal((ErrorCode.None, -1L), producer.Produce(_topic, 0, Txn.Values("v6"), baseSequence: 6));
        Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values("v7")).Error);
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));

        var log = Log(0);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"v{i}"), Txn.Strings(log.ReadCommitted()));
        Assert.Empty(LogSequenceChecker.FindViolations(log));
    }

    /// <summary>
    /// A mock artefact: a repeated batch moves the expected sequence back to just after it. A producer that re-sends two
    /// written batches in order (5 then 6, say, after losing both answers) gets the first acknowledged unwritten and the
    /// second written again, a duplicate no real broker stores. Tests of retries must tell this from a client fault.
    /// </summary>
    [Fact]
    public void Mock_stores_the_second_of_two_resent_batches_again()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        producer.AddPartitions(_topic, 0);
        for (var i = 0; i < 7; i++)
            Assert.Equal(ErrorCode.None, producer.Produce(_topic, 0, Txn.Values($"v{i}")).Error);

        Assert.Equal((ErrorCode.None, -1L), producer.Produce(_topic, 0, Txn.Values("v5"), baseSequence: 5));
        Assert.Equal((ErrorCode.None, 7L), producer.Produce(_topic, 0, Txn.Values("v6"), baseSequence: 6));
        // The expected sequence is now 7 again.
        Assert.Equal((ErrorCode.None, 8L), producer.Produce(_topic, 0, Txn.Values("v7"), baseSequence: 7));
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));

        var violation = Assert.Single(LogSequenceChecker.FindViolations(Log(0)));
        Assert.Contains("offset 7", violation);
        Assert.Contains("duplicate", violation);
    }

    /// <summary>A real broker rejects this (INVALID_TXN_STATE, or KIP-890 verification); the mock writes it.</summary>
    [Fact]
    public void A_transactional_produce_to_a_partition_never_added_is_accepted()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        Assert.Equal((ErrorCode.None, 0L), producer.Produce(_topic, 1, Txn.Values("unadded")));
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true)); // no transaction open: success, nothing written
        var log = Log(1);
        Assert.Single(log.Batches);
        Assert.True(log.Batches[0].IsTransactional);
    }

    [Fact]
    public void Producer_ids_the_mock_never_handed_out_are_refused()
    {
        using var producer = Producer();
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        var pid = producer.ProducerId;
        using var stranger = Producer("stranger-txn");
        Assert.Equal(ErrorCode.None, stranger.InitProducerId());
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, stranger.InitProducerId(pid, 0));
        Assert.Equal(ErrorCode.UnknownProducerId, Producer().EndTxn(commit: true)); // producer id -1
    }
}
