using KafkaActors.FaultTests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// Brokers going away, leaders moving, slow brokers — mid-stream, then everything read back. The leader faults run on
/// the bare mock and on the enforcing front (<see cref="FaultBroker"/>).
/// </summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    private async Task<DeliveryOracle.Report> Run(FaultCluster cluster, Func<Task> fault, params (string, string)[] settings)
    {
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(settings));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 20);
        stream.Send(500); // warm: metadata, producer id, connections
        var sending = stream.SendFor(TimeSpan.FromSeconds(3));
        await fault();
        await sending;
        stream.Send(500);
        await stream.WaitForAll(Settle);
        var report = DeliveryOracle.Check(cluster, stream);
        output.WriteLine(report.ToString());
        Assert.Equal(0, stream.DuplicateCallbacks);
        return report;
    }

    private static void AssertExactlyOnceInOrder(DeliveryOracle.Report report)
    {
        Assert.True(report.Failed == 0, report.ToString());
        Assert.True(report.Lost == 0, report.ToString());
        Assert.True(report.Duplicated == 0, report.ToString());
        Assert.True(report.Reordered == 0, report.ToString());
        Assert.True(report.WrongPartition == 0, report.ToString());
        Assert.True(report.Problems.Count == 0, report.ToString());
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Leader_broker_down_for_seconds_then_up_loses_nothing(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var report = await Run(cluster, async () =>
        {
            await Task.Delay(500);
            cluster.Kafka.SetBrokerDown(1);
            await Task.Delay(2000);
            cluster.Kafka.SetBrokerUp(1);
        });
        AssertExactlyOnceInOrder(report);
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Partition_leaders_moving_to_other_brokers_keep_order(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var report = await Run(cluster, async () =>
        {
            for (var round = 0; round < 3; round++)
            {
                await Task.Delay(600);
                for (var p = 0; p < cluster.Partitions; p++) cluster.Kafka.SetPartitionLeader(cluster.Topic, p, (p + round + 1) % 3 + 1);
            }
        });
        AssertExactlyOnceInOrder(report);
    }

    [Fact]
    public async Task High_broker_latency_keeps_order()
    {
        using var cluster = new FaultCluster();
        var report = await Run(cluster, async () =>
        {
            await Task.Delay(300);
            cluster.Kafka.SetBrokerRtt(-1, 200);
            await Task.Delay(2000);
            cluster.Kafka.SetBrokerRtt(-1, 0);
        });
        AssertExactlyOnceInOrder(report);
    }

    [Fact]
    public async Task All_faults_at_once_one_request_in_flight_is_exactly_once_in_order()
    {
        using var cluster = new FaultCluster();
        AssertExactlyOnceInOrder(await AllFaults(cluster, "1"));
    }

    /// <summary>
    /// With 5 requests in flight, a batch that fails (injected error) can be overtaken by the next one,
    /// already on the wire. A real broker rejects that one (OUT_OF_ORDER_SEQUENCE_NUMBER) and the
    /// producer re-sends both in order; librdkafka's mock checks sequences only for transactional
    /// producers, so it stores it. Then the log shows a reordering *and* an accepted sequence gap — a
    /// broker artefact. Nothing may be lost or duplicated either way, and any reordering must come with
    /// such a gap. The enforcing front rejects it as Kafka does: there the log has neither.
    /// </summary>
    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task All_faults_at_once_five_in_flight_loses_and_duplicates_nothing(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var report = await AllFaults(cluster, "5");
        Assert.True(report.Failed == 0 && report.Lost == 0 && report.Duplicated == 0 && report.WrongPartition == 0 && report.Problems.Count == 0, report.ToString());
        if (cluster.Enforcing) Assert.True(report.Reordered == 0 && report.AcceptedSequenceGaps == 0 && report.BrokerDuplicateBatches == 0, $"{report}; {cluster}");
        else Assert.True(report.Reordered == 0 || report.AcceptedSequenceGaps > 0, report.ToString());
    }

    private Task<DeliveryOracle.Report> AllFaults(FaultCluster cluster, string maxInFlight) =>
        Run(cluster, async () =>
        {
            cluster.Kafka.SetBrokerRtt(-1, 100);
            await Task.Delay(300);
            cluster.Kafka.PushRequestErrors(0, 6, 7, 19);
            cluster.Kafka.SetBrokerDown(2);
            await Task.Delay(800);
            for (var p = 0; p < cluster.Partitions; p++) cluster.Kafka.SetPartitionLeader(cluster.Topic, p, p % 2 == 0 ? 3 : 1);
            await Task.Delay(800);
            cluster.Kafka.SetBrokerUp(2);
            cluster.Kafka.PushRequestErrors(0, 20, 56);
            cluster.Kafka.SetBrokerRtt(-1, 0);
        }, ("max.in.flight.requests.per.connection", maxInFlight));
}
