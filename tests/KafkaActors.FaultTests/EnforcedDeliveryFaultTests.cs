using System.Collections.Concurrent;
using Confluent.Kafka;
using KafkaActors.FaultTests.Support;
using KafkaActors.Testing.Secure;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// The delivery faults (leader moves, a broker down, pushed NOT_LEADER_OR_FOLLOWER / REQUEST_TIMED_OUT /
/// NOT_ENOUGH_REPLICAS, a 150 ms RTT) with the idempotent producer on a broker that enforces idempotence as Kafka does
/// (the embedded broker's front): batches behind a failed one are rejected with OUT_OF_ORDER_SEQUENCE_NUMBER instead of
/// stored, so the raw log, read without deduplication, must show no gap, no duplicate and no reordering. Confluent's
/// producer runs the same scenario, to show the enforcement matches what a real client expects.
/// </summary>
public sealed class EnforcedDeliveryFaultTests(ITestOutputHelper output)
{
    private const short Produce = 0;
    private const int Keys = 20;

    [Fact]
    public async Task Our_idempotent_producer_under_delivery_faults_on_an_enforcing_broker_leaves_a_clean_log()
    {
        using var cluster = new FaultCluster(broker: FaultBroker.Enforcing);
        var front = Front(cluster);
        await using (var producer = new KafkaProducer<string, string>(cluster.Settings(("bootstrap.servers", front.BootstrapServers))))
        {
            var stream = new KeyedStream(producer, cluster.Topic, Keys);
            stream.Send(500);
            await stream.WaitForAll(TimeSpan.FromSeconds(30)); // warm: every partition has this producer's state (see the first-batch test)
            var sending = stream.SendFor(TimeSpan.FromSeconds(3));
            await Faults(cluster);
            await sending;
            stream.Send(500);
            await stream.WaitForAll(TimeSpan.FromSeconds(90));
            Assert.Equal(0, stream.DuplicateCallbacks);

            var failed = stream.Outcomes.Values.Where(o => o.Error is not null).Select(o => o.Error!.Message).Distinct().Take(3).ToList();
            var outcomes = stream.Outcomes.ToDictionary(o => o.Key, o => new RawLogAudit.Outcome(o.Value.Error is null, o.Value.Metadata.Partition, o.Value.Metadata.Offset));
            AssertCleanLog(cluster, front, outcomes, failed);
        }
    }

    [Fact]
    public async Task Confluent_idempotent_producer_passes_the_same_scenario_on_the_same_enforcing_broker()
    {
        using var cluster = new FaultCluster(broker: FaultBroker.Enforcing);
        var front = Front(cluster);
        var outcomes = new ConcurrentDictionary<(string Key, int Seq), RawLogAudit.Outcome>();
        var errors = new ConcurrentQueue<string>();
        var next = new int[Keys];
        var sent = 0;
        using (var producer = new ProducerBuilder<string, string>(ConfluentConfig(front)).SetErrorHandler((_, e) => errors.Enqueue($"{e.Code}: {e.Reason}")).Build())
        {
            void Send(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    var k = sent++ % Keys;
                    var key = $"key-{k:D2}";
                    var seq = next[k]++;
                    producer.Produce(cluster.Topic, new Message<string, string> { Key = key, Value = $"{key}|{seq}" }, report =>
                        outcomes[(key, seq)] = new RawLogAudit.Outcome(report.Error.Code == ErrorCode.NoError, report.Partition.Value, report.Offset.Value));
                }
            }

            Send(500);
            await WaitForReports(producer, outcomes, sent, TimeSpan.FromSeconds(30));
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            var faults = Faults(cluster);
            while (DateTime.UtcNow < until)
            {
                Send(50);
                await Task.Delay(5);
            }
            await faults;
            Send(500);
            await WaitForReports(producer, outcomes, sent, TimeSpan.FromSeconds(90));
        }
        output.WriteLine($"Confluent errors: {string.Join(" | ", errors.Distinct().Take(5))}");
        AssertCleanLog(cluster, front, outcomes, []);
    }

    /// <summary>
    /// A bug the enforcing front found (issue 13): a producer's first batch to a partition fails without being
    /// written (here NOT_ENOUGH_REPLICAS), while the next batch is already in flight. The broker has no state for this
    /// producer on the partition, so Kafka (ProducerAppendInfo.checkSequence: no producer epoch, any sequence) appends
    /// the next batch at its non-zero sequence; the failed batch's retries then get OUT_OF_ORDER_SEQUENCE_NUMBER for
    /// ever (it is not the next sequence after the last acknowledged one, so it is retried without a bump) until
    /// delivery.timeout.ms fails it. Java's producer pipelines the same way; librdkafka passes (the test below).
    /// The fix: one batch in flight per partition until the first batch of the epoch is acknowledged (PartitionActor's
    /// drain loop asking the PartitionSequencer). Before it, 20 records expired here.
    /// </summary>
    [Fact]
    public async Task A_first_batch_that_fails_while_the_next_is_in_flight_is_still_delivered_in_order()
    {
        using var cluster = new FaultCluster(partitions: 1, broker: FaultBroker.Enforcing);
        var front = Front(cluster);
        var warm = cluster.Topic + "-warm";
        cluster.Kafka.CreateTopic(warm, 1, 3);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(
            ("bootstrap.servers", front.BootstrapServers), ("delivery.timeout.ms", "8000")));
        // Metadata, producer id and connections, without touching the partition under test.
        await producer.SendAsync(new ProducerRecord<string, string>(warm, "k", "v"));
        cluster.Kafka.SetBrokerRtt(EmbeddedKafkaAllBrokers, 150);
        cluster.Kafka.PushBrokerRequestErrorRtts(1, Produce, (19, 0)); // the leader of partition 0 refuses the first batch
        var stream = new KeyedStream(producer, cluster.Topic, Keys);
        await stream.SendFor(TimeSpan.FromMilliseconds(600), perSlice: 20);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));
        Assert.Equal(0, cluster.Kafka.GetBrokerErrorStackCount(1, Produce)); // the first batch did fail
        var failed = stream.Outcomes.Values.Where(o => o.Error is not null).Select(o => o.Error!.Message).Distinct().Take(3).ToList();
        var outcomes = stream.Outcomes.ToDictionary(o => o.Key, o => new RawLogAudit.Outcome(o.Value.Error is null, o.Value.Metadata.Partition, o.Value.Metadata.Offset));
        AssertCleanLog(cluster, front, outcomes, failed);
    }

    /// <summary>
    /// The same first-batch fault with Confluent's producer: librdkafka lets no later batch overtake the failed first one
    /// (the front rejects nothing), so every record lands once, in order.
    /// </summary>
    [Fact]
    public async Task Confluent_first_batch_that_fails_is_delivered_in_order()
    {
        using var cluster = new FaultCluster(partitions: 1, broker: FaultBroker.Enforcing);
        var front = Front(cluster);
        var warm = cluster.Topic + "-warm";
        cluster.Kafka.CreateTopic(warm, 1, 3);
        var outcomes = new ConcurrentDictionary<(string Key, int Seq), RawLogAudit.Outcome>();
        var next = new int[Keys];
        var sent = 0;
        using var producer = new ProducerBuilder<string, string>(ConfluentConfig(front, messageTimeoutMs: 8000)).Build();
        await producer.ProduceAsync(warm, new Message<string, string> { Key = "k", Value = "v" });
        cluster.Kafka.SetBrokerRtt(EmbeddedKafkaAllBrokers, 150);
        cluster.Kafka.PushBrokerRequestErrorRtts(1, Produce, (19, 0)); // the leader of partition 0 refuses the first batch
        var until = DateTime.UtcNow + TimeSpan.FromMilliseconds(600);
        while (DateTime.UtcNow < until)
        {
            for (var i = 0; i < 20; i++)
            {
                var k = sent++ % Keys;
                var key = $"key-{k:D2}";
                var seq = next[k]++;
                producer.Produce(cluster.Topic, new Message<string, string> { Key = key, Value = $"{key}|{seq}" }, report =>
                    outcomes[(key, seq)] = new RawLogAudit.Outcome(report.Error.Code == ErrorCode.NoError, report.Partition.Value, report.Offset.Value));
            }
            await Task.Delay(5);
        }
        await WaitForReports(producer, outcomes, sent, TimeSpan.FromSeconds(30));
        Assert.Equal(0, cluster.Kafka.GetBrokerErrorStackCount(1, Produce)); // the first batch did fail
        AssertCleanLog(cluster, front, outcomes, []);
    }

    private static ProducerConfig ConfluentConfig(SecureEmbeddedKafka front, int messageTimeoutMs = 60000) => new()
    {
        BootstrapServers = front.BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 2,
        BatchSize = 4096,
        RetryBackoffMs = 50,
        RetryBackoffMaxMs = 500,
        ReconnectBackoffMs = 20,
        ReconnectBackoffMaxMs = 500,
        RequestTimeoutMs = 3000,
        MessageTimeoutMs = messageTimeoutMs,
        TopicMetadataRefreshIntervalMs = 5000,
    };

    /// <summary>
    /// A bug found running TimeoutTests' delivery-timeout scenario on the enforcing front under load: a batch that got
    /// a sequence, failed to be sent (broker down) and expires while waiting in the retry queue fails without an epoch
    /// bump, so the partition's later batches carry sequences after a gap the broker never saw: OUT_OF_ORDER_SEQUENCE_NUMBER
    /// until they expire too. Java marks such a batch's sequence unresolved (Sender: expired batches in retry) and then
    /// bumps the epoch; PartitionActor.ExpireBatches now does too (it flagged a gap only for batches in flight). Before
    /// the fix the last 100 records got OUT_OF_ORDER_SEQUENCE_NUMBER for seq 134 after 99, then expired.
    /// A second bug it found, in about one full run in five (with a 2.5 s backoff, CI included): the late batch waited
    /// out the expired retries' backoff (2.7 s of its 3 s), as retry.backoff.ms held the whole partition; it now holds
    /// retries only, as Java's shouldBackoff. With the 10 s backoff here the late records expired every time before that fix.
    /// </summary>
    [Fact]
    public Task Records_sent_after_batches_expired_in_the_retry_queue_are_delivered() =>
        WhileTheBrokerIsDown(async (cluster, _, stream, log) =>
        {
            stream.Send(100);
            await stream.WaitForAll(TimeSpan.FromSeconds(20));
            log.Mark("broker up");
            cluster.Kafka.SetBrokerUp(EmbeddedKafkaAllBrokers);
            var before = stream.Sent;
            stream.Send(100);
            log.Mark("late records sent");
            await stream.WaitForAll(TimeSpan.FromSeconds(30));
            var late = stream.Outcomes.Where(o => o.Key.Seq >= before / Keys).Select(o => o.Value).ToList();
            Assert.Equal(100, late.Count);
            Assert.All(late, o => Assert.Null(o.Error));
        });

    /// <summary>
    /// The gap's other half (Java: unresolved sequences stop the partition's drain until the epoch bump): when batches with
    /// sequences expire in the retry queue, records already waiting behind them must go out only under the new epoch.
    /// Here they wait behind the retries' backoff with the brokers reachable again; before the fix the expiry's drain sent
    /// them at once under the old epoch, past the gap, the front refused them (OUT_OF_ORDER_SEQUENCE_NUMBER), and they
    /// expired in the retry queue behind a 10 s backoff. The outage is the front's (its listeners refuse connections), so
    /// no request is cut half-answered and the front has no lost answer to look up in the mock's log afterwards (a
    /// lookup that times out under load is answered NOT_LEADER_OR_FOLLOWER, which a 10 s backoff would turn into expiry).
    /// </summary>
    [Fact]
    public Task Records_waiting_behind_batches_that_expire_in_the_retry_queue_go_out_under_the_new_epoch() =>
        WhileTheBrokerIsDown(async (_, front, stream, log) =>
        {
            var expiring = stream.Sent;
            stream.Send(100); // refused by the stopped listeners, then a 10 s backoff: they expire at 3 s
            await Task.Delay(1000);
            log.Mark("listeners up");
            foreach (var listener in front.Listeners) listener.Start();
            await Task.Delay(1000);
            var waiting = stream.Sent;
            stream.Send(100); // queued behind the retries until those expire, a second later
            log.Mark("waiting records sent");
            await stream.WaitForAll(TimeSpan.FromSeconds(30));
            var outcomes = stream.Outcomes.ToDictionary(o => o.Key, o => o.Value);
            var expired = outcomes.Where(o => o.Key.Seq >= expiring / Keys && o.Key.Seq < waiting / Keys).Select(o => o.Value).ToList();
            var late = outcomes.Where(o => o.Key.Seq >= waiting / Keys).Select(o => o.Value).ToList();
            Assert.Equal(100, expired.Count);
            Assert.All(expired, o => Assert.IsType<KafkaActors.Errors.KafkaTimeoutException>(o.Error));
            Assert.Equal(100, late.Count);
            Assert.All(late, o => Assert.Null(o.Error));
            Assert.Equal(0, front.Idempotence.Rejected(45)); // nothing went out past the gap
        }, frontDown: true, ("batch.size", "1")); // a batch per record: a batch still open from the outage cannot take the waiting records in

    /// <summary>
    /// One partition on the enforcing front, a producer from <see cref="ExpiringInRetryQueue"/> that has delivered 100
    /// records, then every broker down (the mock's, or with <paramref name="frontDown"/> the front's listeners stopped):
    /// <paramref name="scenario"/> goes on from there; then the log is read back. Both sides are written to the output.
    /// </summary>
    private async Task WhileTheBrokerIsDown(Func<FaultCluster, SecureEmbeddedKafka, KeyedStream, CapturedLog, Task> scenario, bool frontDown = false, params (string, string)[] settings)
    {
        using var cluster = new FaultCluster(partitions: 1, broker: FaultBroker.Enforcing);
        var front = Front(cluster);
        using var log = new CapturedLog();
        await using var producer = ExpiringInRetryQueue(cluster, front, log, settings);
        var stream = new KeyedStream(producer, cluster.Topic, Keys);
        try
        {
            stream.Send(100);
            await stream.WaitForAll(TimeSpan.FromSeconds(30));
            log.Mark("broker down");
            if (frontDown) await Task.WhenAll(front.Listeners.Select(listener => listener.StopAsync()));
            else cluster.Kafka.SetBrokerDown(EmbeddedKafkaAllBrokers);
            await scenario(cluster, front, stream, log);
            // Read back from the mock's log, undeduplicated: every acknowledged record once, at its offset, in key order,
            // and each epoch's sequences without a gap.
            var outcomes = stream.Outcomes.ToDictionary(o => o.Key, o => new RawLogAudit.Outcome(o.Value.Error is null, o.Value.Metadata.Partition, o.Value.Metadata.Offset));
            var report = RawLogAudit.Check(cluster, outcomes);
            output.WriteLine(report.ToString());
            Assert.True(report.AcknowledgedMissing == 0 && report.AcknowledgedElsewhere == 0 && report.DuplicateBatches == 0
                        && report.DuplicateRecords == 0 && report.Reordered == 0 && report.SequenceGaps == 0, report.ToString());
        }
        finally
        {
            WriteSides(front, log);
        }
    }

    /// <summary>
    /// A producer whose backoff (10 s) is longer than its delivery.timeout.ms (3 s): batches that fail against a down
    /// broker expire in the retry queue, and a batch held back by what remains of their backoff would expire too.
    /// </summary>
    private static KafkaProducer<string, string> ExpiringInRetryQueue(FaultCluster cluster, SecureEmbeddedKafka front, CapturedLog log, params (string, string)[] more) =>
        new(cluster.Settings([
            ("bootstrap.servers", front.BootstrapServers), ("delivery.timeout.ms", "3000"), ("request.timeout.ms", "1000"),
            ("linger.ms", "0"), ("retry.backoff.ms", "10000"), ("retry.backoff.max.ms", "10000"), .. more]), system: log.System);

    /// <summary>Both sides of a run for the test's output: what the front enforced, and the producer's log.</summary>
    private void WriteSides(SecureEmbeddedKafka front, CapturedLog log)
    {
        output.WriteLine(front.Idempotence.ToString());
        foreach (var rejection in front.Idempotence.RecentRejections) output.WriteLine("  " + rejection);
        log.WriteTo(output);
    }

    private static async Task WaitForReports(IProducer<string, string> producer, ConcurrentDictionary<(string Key, int Seq), RawLogAudit.Outcome> outcomes, int sent, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (outcomes.Count < sent && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(outcomes.Count == sent, $"{sent - outcomes.Count} of {sent} records got no delivery report");
    }

    private static SecureEmbeddedKafka Front(FaultCluster cluster)
    {
        var front = cluster.Front!;
        Assert.True(front.Idempotence.Enabled);
        return front;
    }

    /// <summary>The fault matrix's "all faults at once", with a 150 ms RTT, while records flow (about 2.6 s).</summary>
    private static async Task Faults(FaultCluster cluster)
    {
        var kafka = cluster.Kafka;
        kafka.SetBrokerRtt(EmbeddedKafkaAllBrokers, 150);
        await Task.Delay(300);
        kafka.PushRequestErrors(Produce, 6, 7, 19);
        kafka.SetBrokerDown(2);
        await Task.Delay(800);
        for (var p = 0; p < cluster.Partitions; p++) kafka.SetPartitionLeader(cluster.Topic, p, p % 2 == 0 ? 3 : 1);
        await Task.Delay(800);
        kafka.SetBrokerUp(2);
        kafka.PushRequestErrors(Produce, 19, 6, 7);
        for (var p = 0; p < cluster.Partitions; p++) kafka.SetPartitionLeader(cluster.Topic, p, p % 3 + 1);
        await Task.Delay(700);
        kafka.SetBrokerRtt(EmbeddedKafkaAllBrokers, 0);
    }

    private const int EmbeddedKafkaAllBrokers = KafkaActors.Testing.EmbeddedKafka.AllBrokers;

    private void AssertCleanLog(FaultCluster cluster, SecureEmbeddedKafka front, IReadOnlyDictionary<(string Key, int Seq), RawLogAudit.Outcome> outcomes, IReadOnlyList<string> failures)
    {
        var report = RawLogAudit.Check(cluster, outcomes);
        output.WriteLine(report.ToString());
        output.WriteLine(front.Idempotence.ToString());
        foreach (var rejection in front.Idempotence.RecentRejections) output.WriteLine("  " + rejection);
        if (failures.Count > 0) output.WriteLine($"failures: {string.Join(" | ", failures)}");
        Assert.True(report.Acknowledged == report.Sent, report.ToString()); // nothing failed: every fault here is retriable
        Assert.True(report.SequenceGaps == 0, report.ToString());
        Assert.True(report.DuplicateBatches == 0 && report.DuplicateRecords == 0, report.ToString());
        Assert.True(report.Reordered == 0, report.ToString());
        Assert.True(report.AcknowledgedMissing == 0 && report.AcknowledgedElsewhere == 0 && report.NeverSent == 0, report.ToString());
        Assert.Equal(report.Sent, report.InLog); // every record once
        Assert.True(front.Idempotence.BatchesAppended > 0, front.Idempotence.ToString());
    }
}
