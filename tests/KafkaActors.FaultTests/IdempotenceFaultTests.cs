using KafkaActors.FaultTests.Support;
using KafkaActors.Protocol.Errors;
using KafkaActors.Testing.RawLog;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// The idempotent producer under sequence and producer-id errors (KIP-360 handling, fault matrix rows). The sequence
/// scenarios run on the bare mock and on the enforcing front (<see cref="FaultBroker"/>), which rejects what Kafka rejects.
/// </summary>
public sealed class IdempotenceFaultTests(ITestOutputHelper output)
{
    private const short Produce = 0;
    private const short InitProducerId = 22;

    private static IEnumerable<(short Epoch, int Sequence)> BatchStates(FaultCluster cluster) =>
        RawLogReader.ReadBatches(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(30))
            .SelectMany(p => p.Value).Select(b => (b.ProducerEpoch, b.BaseSequence));

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Sequence_gap_on_the_head_batch_bumps_the_epoch_and_restarts_sequences(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var (report, _) = await FaultRun.Run(cluster, output, async () =>
        {
            cluster.Kafka.PushRequestErrors(Produce, (short)ErrorCode.OutOfOrderSequenceNumber);
            await Task.CompletedTask;
        }, settings: ("max.in.flight.requests.per.connection", "1"));
        FaultRun.AssertExactlyOnceInOrder(report);
        var states = BatchStates(cluster).ToList();
        Assert.Contains(states, s => s.Epoch == 1 && s.Sequence == 0); // a new epoch, from sequence 0
        Assert.DoesNotContain(states, s => s.Epoch > 1);
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Out_of_order_behind_an_earlier_failure_is_retried_without_a_bump(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var (report, _) = await FaultRun.Run(cluster, output, async () =>
        {
            // The first request fails (leader moved); the next one, already sent, sees the gap.
            cluster.Kafka.SetBrokerRtt(-1, 50);
            cluster.Kafka.PushRequestErrors(Produce, (short)ErrorCode.NotLeaderOrFollower, (short)ErrorCode.OutOfOrderSequenceNumber);
            await Task.Delay(300);
            cluster.Kafka.SetBrokerRtt(-1, 0);
        });
        FaultRun.AssertNothingLostOrDuplicated(report);
        Assert.True(report.Failed == 0, report.ToString());
        // Kafka refuses a batch behind a gap (the mock may store it, reordered): the retries then come in order.
        if (cluster.Enforcing) Assert.True(report.Reordered == 0 && report.AcceptedSequenceGaps == 0, $"{report}; {cluster}");
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Duplicate_sequence_counts_as_success_with_unknown_offset(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var (report, stream) = await FaultRun.Run(cluster, output, async () =>
        {
            cluster.Kafka.PushRequestErrors(Produce, (short)ErrorCode.DuplicateSequenceNumber);
            await Task.CompletedTask;
        }, settings: ("max.in.flight.requests.per.connection", "1"));
        Assert.True(report.Failed == 0, report.ToString());
        // The mock wrote nothing for the injected duplicate: those records are "acknowledged" without an offset.
        var withoutOffset = stream.Outcomes.Values.Count(o => o.Error is null && o.Metadata.Offset < 0);
        Assert.True(withoutOffset > 0, report.ToString());
        Assert.Equal(report.Acknowledged - withoutOffset, report.InLog);
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Stale_epoch_fails_the_batch_bumps_the_epoch_and_later_sends_succeed(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(("max.in.flight.requests.per.connection", "1")));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 20);
        stream.Send(300);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));
        cluster.Kafka.PushRequestErrors(Produce, (short)ErrorCode.InvalidProducerEpoch);
        stream.Send(300);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));
        stream.Send(300); // after the bump
        await stream.WaitForAll(TimeSpan.FromSeconds(30));

        var report = DeliveryOracle.Check(cluster, stream);
        output.WriteLine(report.ToString());
        FaultRun.AssertNothingLostOrDuplicated(report);
        Assert.Contains(stream.Outcomes.Values, o => o.Error is Errors.ApiException { ErrorCode: ErrorCode.InvalidProducerEpoch });
        Assert.Equal(report.Sent, report.Acknowledged + report.Failed);
        Assert.Equal(report.Acknowledged, report.InLog);
        Assert.Contains(BatchStates(cluster), s => s.Epoch == 1 && s.Sequence == 0);
        Assert.All(stream.Outcomes.Where(o => o.Key.Seq >= 30).Select(o => o.Value), o => Assert.Null(o.Error)); // the last 300 (15 per key) all went through
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Unknown_producer_id_is_retried_then_bumps_the_epoch(FaultBroker broker)
    {
        // One partition, one request at a time: the retry of the refused batch meets the second error.
        using var cluster = new FaultCluster(partitions: 1, broker: broker);
        var (report, _) = await FaultRun.Run(cluster, output, async () =>
        {
            cluster.Kafka.PushRequestErrors(Produce, (short)ErrorCode.UnknownProducerId, (short)ErrorCode.UnknownProducerId);
            await Task.CompletedTask;
        }, settings: ("max.in.flight.requests.per.connection", "1"));
        FaultRun.AssertExactlyOnceInOrder(report);
        Assert.Contains(BatchStates(cluster), s => s.Epoch == 1 && s.Sequence == 0);
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Ack_lost_after_write_is_retried_with_the_same_sequence_and_reported_once(FaultBroker broker)
    {
        using var cluster = new FaultCluster(partitions: 1, broker: broker);
        var (report, stream) = await FaultRun.Run(cluster, output, async () =>
        {
            // Written at once, answered after 4 s: the 1 s request timeout drops the connection first.
            cluster.Kafka.PushBrokerRequestErrorRtts(1, Produce, (0, 4000));
            await Task.CompletedTask;
        }, settings: [("request.timeout.ms", "1000"), ("max.in.flight.requests.per.connection", "1")]);
        FaultRun.AssertExactlyOnceInOrder(report);
        // The retry carries the same pid/epoch/seq: the mock stores it again, Kafka (the front) acknowledges it as the duplicate it is.
        if (cluster.Enforcing) Assert.True(report.BrokerDuplicateBatches == 0 && report.Reordered == 0, $"{report}; {cluster}");
        else Assert.True(report.BrokerDuplicateBatches >= 1, report.ToString());
        Assert.Equal(stream.Sent, stream.Outcomes.Count);
    }

    [Fact]
    public async Task Producer_id_errors_are_retried_and_nothing_is_produced_before_an_id()
    {
        using var cluster = new FaultCluster();
        cluster.Kafka.PushRequestErrors(InitProducerId,
            (short)ErrorCode.CoordinatorNotAvailable, (short)ErrorCode.NotCoordinator, (short)ErrorCode.CoordinatorLoadInProgress);
        var (report, _) = await FaultRun.Run(cluster, output, () => Task.CompletedTask);
        FaultRun.AssertExactlyOnceInOrder(report);
        Assert.All(RawLogReader.ReadBatches(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(30)).SelectMany(p => p.Value),
            b => Assert.True(b.ProducerId >= 0, "every batch carries a producer id"));
    }

    [Fact]
    public async Task Cluster_authorization_failure_on_producer_id_is_fatal_and_clear()
    {
        using var cluster = new FaultCluster();
        cluster.Kafka.PushRequestErrors(InitProducerId, (short)ErrorCode.ClusterAuthorizationFailed);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings());
        var error = await Assert.ThrowsAnyAsync<Exception>(() => producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, "k", "v")).WaitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(error.ToString());
        Assert.Contains("CLUSTER_AUTHORIZATION_FAILED", error.Message);
        // Later sends fail at once, saying why.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var later = await Assert.ThrowsAnyAsync<Errors.KafkaException>(() => producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, "k", "v")));
        Assert.Contains("CLUSTER_AUTHORIZATION_FAILED", later.Message);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(0, KafkaActors.Testing.KafkaReader.GetWatermarks(cluster.Bootstrap, cluster.Topic).Values.Sum(w => w.High));
    }

    [Fact]
    public async Task Broker_without_idempotence_support_fails_fast_instead_of_silently_producing_without_it()
    {
        using var cluster = new FaultCluster();
        cluster.Kafka.SetApiVersion(InitProducerId, -1, -1);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings());
        var error = await Assert.ThrowsAnyAsync<Errors.ApiException>(() => producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, "k", "v")).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorCode.UnsupportedVersion, error.ErrorCode);
        Assert.Contains("enable.idempotence=false", error.Message);
        Assert.Equal(0, KafkaActors.Testing.KafkaReader.GetWatermarks(cluster.Bootstrap, cluster.Topic).Values.Sum(w => w.High));
    }

    [Fact]
    public async Task Older_broker_gets_no_produce_version_above_what_it_advertises()
    {
        using var cluster = new FaultCluster();
        cluster.Kafka.SetApiVersion(Produce, 0, 7); // the mock closes the connection on anything above
        var (report, _) = await FaultRun.Run(cluster, output, () => Task.CompletedTask);
        FaultRun.AssertExactlyOnceInOrder(report);
    }
}
