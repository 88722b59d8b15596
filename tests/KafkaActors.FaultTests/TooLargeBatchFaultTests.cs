using KafkaActors.Errors;
using KafkaActors.FaultTests.Support;
using KafkaActors.Testing.Secure;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// MESSAGE_TOO_LARGE (KIP-126): the producer splits the refused batch and sends its records again, in order, with the
/// refused batch's sequences. Read back from the raw log without deduplication; with idempotence on, through the front
/// that enforces sequences as Kafka does, so pieces with wrong sequences (or batches that overtook them) would be refused
/// and show as failures, gaps or reorderings.
/// </summary>
public sealed class TooLargeBatchFaultTests(ITestOutputHelper output)
{
    private const short Produce = 0;
    private const int Keys = 20;

    [Fact]
    public async Task MESSAGE_TOO_LARGE_pushed_on_Produce_every_record_lands_once_in_order_idempotent_on_an_enforcing_broker()
    {
        using var cluster = new FaultCluster(partitions: 2);
        await using var front = SecureEmbeddedKafka.Start(cluster.Kafka, new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Plaintext });
        Assert.True(front.Idempotence.Enabled);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(("bootstrap.servers", front.BootstrapServers), ("linger.ms", "50")));
        var splits = await SendThroughPushedErrors(cluster, producer);
        output.WriteLine(front.Idempotence.ToString());
        foreach (var rejection in front.Idempotence.RecentRejections) output.WriteLine("  " + rejection);
        Assert.True(splits >= 3, $"{splits} splits");
        Assert.True(front.Idempotence.BatchesAppended > 0);
    }

    [Fact]
    public async Task MESSAGE_TOO_LARGE_pushed_on_Produce_every_record_lands_once_in_order_without_idempotence()
    {
        using var cluster = new FaultCluster(partitions: 2);
        // Without idempotence only one request in flight keeps order across a retry (as in Java).
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(
            ("enable.idempotence", "false"), ("max.in.flight.requests.per.connection", "1"), ("linger.ms", "50")));
        var splits = await SendThroughPushedErrors(cluster, producer);
        Assert.True(splits >= 3, $"{splits} splits");
    }

    /// <summary>
    /// A broker whose max.message.bytes (1000) is below batch.size (4096): full batches are refused and split, again and
    /// again, down to pieces that fit; one record too large on its own fails alone with RecordTooLargeException, and all
    /// the records around it land once, in order. Compressed, the pieces are compressed anew (the limit is on the bytes sent).
    /// </summary>
    [Theory]
    [InlineData("none")]
    [InlineData("lz4")]
    public async Task A_record_too_large_for_the_broker_fails_alone_while_its_neighbours_land_once_in_order(string compression)
    {
        using var cluster = new FaultCluster(partitions: 1);
        var limit = new MaxMessageBytesStage(1000);
        var options = new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Plaintext };
        options.FrameHandlers.Add(_ => limit);
        await using var front = SecureEmbeddedKafka.Start(cluster.Kafka, options);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(
            ("bootstrap.servers", front.BootstrapServers), ("linger.ms", "50"), ("compression.type", compression)));
        var stream = new KeyedStream(producer, cluster.Topic, Keys);
        stream.Send(300);
        var incompressible = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(1875)); // 2500 characters
        var big = producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, "big", incompressible));
        stream.Send(300);
        await stream.WaitForAll(TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => big.WaitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(error.Message);
        Assert.Contains("exceeds the maximum configured value of 1000", error.Message);

        stream.Send(200); // after the failure (and its epoch bump) the partition goes on
        await stream.WaitForAll(TimeSpan.FromSeconds(60));
        output.WriteLine(limit.ToString());
        output.WriteLine(front.Idempotence.ToString());
        foreach (var rejection in front.Idempotence.RecentRejections) output.WriteLine("  " + rejection);
        AssertCleanLog(cluster, stream);
        Assert.True(limit.Refused > 3, limit.ToString());
        Assert.True(producer.MetricValues()["batch-split-total"] > 3);
        Assert.Equal(1, producer.MetricValues()["record-error-total"]);
    }

    private async Task<double> SendThroughPushedErrors(FaultCluster cluster, KafkaProducer<string, string> producer)
    {
        var stream = new KeyedStream(producer, cluster.Topic, Keys);
        stream.Send(200);
        await stream.WaitForAll(TimeSpan.FromSeconds(30)); // warm: metadata, producer id, the partitions' producer state
        cluster.Kafka.PushRequestErrors(Produce, 10, 10, 10);
        stream.Send(1000); // full batches of about 150 records: a refused one splits, and its pieces may be refused again
        await stream.WaitForAll(TimeSpan.FromSeconds(60));
        stream.Send(200);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));
        AssertCleanLog(cluster, stream);
        return producer.MetricValues()["batch-split-total"];
    }

    private void AssertCleanLog(FaultCluster cluster, KeyedStream stream)
    {
        Assert.Equal(0, stream.DuplicateCallbacks);
        var failed = stream.Outcomes.Values.Where(o => o.Error is not null).Select(o => o.Error!.Message).Distinct().Take(3).ToList();
        var outcomes = stream.Outcomes.ToDictionary(o => o.Key, o => new RawLogAudit.Outcome(o.Value.Error is null, o.Value.Metadata.Partition, o.Value.Metadata.Offset));
        var report = RawLogAudit.Check(cluster, outcomes);
        output.WriteLine(report.ToString());
        Assert.True(report.Acknowledged == report.Sent, $"{report}; failures: {string.Join(" | ", failed)}");
        Assert.True(report.SequenceGaps == 0, report.ToString());
        Assert.True(report.DuplicateBatches == 0 && report.DuplicateRecords == 0, report.ToString());
        Assert.True(report.Reordered == 0, report.ToString());
        Assert.True(report.AcknowledgedMissing == 0 && report.AcknowledgedElsewhere == 0 && report.NeverSent == 0, report.ToString());
        Assert.Equal(report.Sent, report.InLog); // every record once
    }
}
