using KafkaActors.Metrics;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Metrics;

/// <summary>
/// Java's per-node metrics (tagged node-id) over three brokers, one partition led by each: Produce requests and
/// their bytes as each broker received them (the mock's request log), latency as a broker's round-trip delay
/// makes it, and requests-in-flight while a broker holds an answer back.
/// </summary>
public sealed class NodeMetricsTests(ThreeBrokerKafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<ThreeBrokerKafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string N(string name, int node) => MetricKey.Of(name, MetricKey.NodeTag, $"{node}");

    [Fact]
    public async Task Requests_bytes_and_latency_are_counted_for_the_broker_that_got_them()
    {
        const int slowNode = 2, rtt = 400, perPartition = 40;
        using var meter = new MeterCapture();
        var clientId = $"node-metrics-{Guid.NewGuid():N}";
        var topic = fixture.CreateTopic("node-metrics", 3);
        for (var p = 0; p < 3; p++) fixture.Kafka.SetPartitionLeader(topic, p, p + 1);
        await using var producer = new KafkaProducer<string?, string?>(
            Producers.Settings(fixture.Bootstrap, (ProducerConfig.ClientId, clientId), ("linger.ms", "5"), ("metrics.sample.window.ms", "600000")), system: Sys);
        for (var p = 0; p < 3; p++) await producer.SendAsync(new ProducerRecord<string?, string?>(topic, p, "k", "warm-up")).WaitAsync(Wait);

        fixture.Kafka.SetBrokerRtt(slowNode, rtt);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 3 * perPartition).Select(i =>
                producer.SendAsync(new ProducerRecord<string?, string?>(topic, i % 3, $"k{i}", $"v{i}-{new string('n', 50)}")))).WaitAsync(Wait);
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(slowNode, 0);
        }

        var values = producer.MetricValues();
        Output!.WriteLine(string.Join(", ", values.Where(kv => kv.Key.Contains("node-id")).Select(kv => $"{kv.Key}={kv.Value}")));
        var stored = StoredBatchSizes.Read(fixture.Bootstrap, topic);
        long requests = 0, bytes = 0;
        for (var node = 1; node <= 3; node++)
        {
            var batches = stored.BatchBytesByPartition[node - 1];
            var nodeRequests = values[N("request-total", node)];
            Assert.True(nodeRequests >= 1, $"node {node}: no requests");
            // Each request carries at least its batches, and no more than a request's framing besides.
            var nodeBytes = values[N("outgoing-byte-total", node)];
            Assert.InRange(nodeBytes, batches.Sum(), batches.Sum() + nodeRequests * (150 + clientId.Length + topic.Length));
            // One latency per Produce answered (acks=all answers every request), in the histogram too.
            var latencies = meter.Histogram(clientId, "request-latency").Where(h => h.Tag == "node-id" && h.TagValue == $"{node}").Select(h => h.Value).ToList();
            Assert.Equal(nodeRequests, latencies.Count);
            Assert.Equal(latencies.Average(), values[N("request-latency-avg", node)], 6);
            Assert.Equal(latencies.Max(), values[N("request-latency-max", node)]);
            requests += (long)nodeRequests;
            bytes += (long)nodeBytes;
        }
        Assert.Equal(values["request-total"], requests);
        Assert.Equal(values["outgoing-byte-total"], bytes);
        Assert.InRange(values[N("request-latency-max", slowNode)], rtt - 5, rtt + 10_000);
        Assert.True(values[N("request-latency-avg", slowNode)] > values[N("request-latency-avg", 1)], "the slow broker's latency is not the highest");
        Assert.Equal(values["request-latency-max"], new[] { 1, 2, 3 }.Max(n => values[N("request-latency-max", n)]));
        Assert.True(values[N("outgoing-byte-rate", 1)] > 0 && values[N("request-rate", 3)] > 0);
        Assert.Equal(3 * (perPartition + 1), fixture.CountRecords(topic));
    }

    [Fact]
    public async Task Requests_in_flight_counts_what_a_broker_has_not_answered_yet()
    {
        const int slowNode = 3;
        var topic = fixture.CreateTopic("in-flight", 3);
        for (var p = 0; p < 3; p++) fixture.Kafka.SetPartitionLeader(topic, p, p + 1);
        await using var producer = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap, ("linger.ms", "0")), system: Sys);
        for (var p = 0; p < 3; p++) await producer.SendAsync(new ProducerRecord<string?, string?>(topic, p, "k", "warm-up")).WaitAsync(Wait);
        await Poll.Until(() => producer.MetricValues()["requests-in-flight"] == 0, Wait, "requests still in flight after the warm-up");

        fixture.Kafka.SetBrokerRtt(slowNode, 3000);
        Task sends;
        try
        {
            sends = Task.WhenAll(Enumerable.Range(0, 3).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, slowNode - 1, "k", $"held-{i}"))));
            await Poll.Until(() => producer.MetricValues()["requests-in-flight"] >= 1, Wait, "no request in flight while the broker holds its answer");
            Assert.False(sends.IsCompleted);
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(slowNode, 0);
        }
        await sends.WaitAsync(Wait);
        await Poll.Until(() => producer.MetricValues()["requests-in-flight"] == 0, Wait, "requests still in flight after their answers");
    }
}
