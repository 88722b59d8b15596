using System.Diagnostics;
using KafkaActors.Errors;
using KafkaActors.FaultTests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>delivery.timeout.ms bounds every record's outcome, whatever the cluster does; on the bare mock and on the enforcing front (<see cref="FaultBroker"/>).</summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task Delivery_timeout_while_every_broker_stays_down_fails_each_record_in_time_and_then_resumes(FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(
            ("delivery.timeout.ms", "3000"), ("request.timeout.ms", "1000"), ("linger.ms", "0")));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 10);
        stream.Send(100);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));

        cluster.Kafka.SetBrokerDown(-1);
        var clock = Stopwatch.StartNew();
        stream.Send(200);
        await stream.WaitForAll(TimeSpan.FromSeconds(20)); // none hangs
        output.WriteLine($"all 200 completed after {clock.ElapsedMilliseconds} ms");
        Assert.InRange(clock.ElapsedMilliseconds, 2500, 8000);
        var failures = stream.Outcomes.Values.Where(o => o.Error is not null).ToList();
        Assert.Equal(200, failures.Count);
        Assert.All(failures, f =>
        {
            var timeout = Assert.IsAssignableFrom<KafkaTimeoutException>(f.Error);
            Assert.Contains("ms has passed since batch creation", timeout.Message); // how long
            Assert.Contains("delivery.timeout.ms", timeout.Message); // and why
        });

        cluster.Kafka.SetBrokerUp(-1);
        stream.Send(100);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));
        var report = DeliveryOracle.Check(cluster, stream);
        output.WriteLine(report.ToString());
        foreach (var error in stream.Outcomes.Where(o => o.Key.Seq >= 30 && o.Value.Error is not null).Select(o => o.Value.Error!.Message).Distinct().Take(3))
            output.WriteLine("after the brokers came back: " + error);
        if (cluster.Front is { } front)
        {
            output.WriteLine(front.Idempotence.ToString());
            foreach (var rejection in front.Idempotence.RecentRejections.Take(10)) output.WriteLine("  " + rejection);
        }
        FaultRun.AssertNothingLostOrDuplicated(report);
        Assert.Equal(200, report.Acknowledged);
        Assert.Equal(200, report.InLog); // the timed-out records were never written
    }

    [Theory]
    [InlineData(FaultBroker.Mock)]
    [InlineData(FaultBroker.Enforcing)]
    public async Task A_request_stuck_in_flight_fails_by_the_delivery_deadline(FaultBroker broker)
    {
        using var cluster = new FaultCluster(partitions: 1, broker: broker);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(
            ("delivery.timeout.ms", "2000"), ("request.timeout.ms", "1500"), ("linger.ms", "0"), ("max.in.flight.requests.per.connection", "1")));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 1);
        stream.Send(10);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));

        // Written now, answered in 6 s; every retry meets the same slowness.
        for (var i = 0; i < 10; i++) cluster.Kafka.PushBrokerRequestErrorRtts(1, 0, (0, 6000));
        var clock = Stopwatch.StartNew();
        stream.Send(1);
        await stream.WaitForAll(TimeSpan.FromSeconds(20));
        output.WriteLine($"completed after {clock.ElapsedMilliseconds} ms: {stream.Outcomes.Values.Last().Error?.Message}");
        var outcome = stream.Outcomes[("key-00", 10)];
        Assert.IsAssignableFrom<KafkaTimeoutException>(outcome.Error);
        Assert.InRange(clock.ElapsedMilliseconds, 1500, 4000);
    }

    [Fact]
    public async Task Unreachable_bootstrap_fails_within_max_block_ms_naming_the_address()
    {
        var settings = KafkaActors.Settings.ProducerSettings.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "127.0.0.1:1",
            ["max.block.ms"] = "1500",
        });
        await using var producer = new KafkaProducer<string, string>(settings);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<KafkaTimeoutException>(() => producer.SendAsync(new ProducerRecord<string, string>("t", "k", "v")));
        output.WriteLine(error.Message);
        Assert.InRange(clock.ElapsedMilliseconds, 1400, 5000);
        Assert.Contains("127.0.0.1:1", error.Message);
    }
}
