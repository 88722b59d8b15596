using System.Diagnostics;
using System.Globalization;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>
/// Adaptive partitioning (KIP-794) against a slow broker: one of three brokers answers 300 ms late, so its
/// partitions' queues grow, and the sticky partitioner steers records without a key away from them, unless
/// partitioner.adaptive.partitioning.enable is false. Counted from the records read back. Its own cluster:
/// the injected RTT must not slow other tests down.
/// </summary>
public sealed class AdaptivePartitioningTests(ThreeBrokerKafkaFixture fixture, ITestOutputHelper output) : IClassFixture<ThreeBrokerKafkaFixture>
{
    private const int Partitions = 6;
    private const int SlowBroker = 3; // leads partitions 2 and 5
    private const int Records = 12_000;
    private const int RecordsPerSecond = 4_000;

    [Fact]
    public async Task Partitions_led_by_a_300_ms_broker_get_clearly_fewer_null_key_records_with_adaptive_partitioning_than_without()
    {
        var adaptive = CreateSpreadTopic("adaptive-on");
        var uniform = CreateSpreadTopic("adaptive-off");
        fixture.Kafka.SetBrokerRtt(SlowBroker, 300);
        try
        {
            await Produce(adaptive, adaptivePartitioning: true);
            await Produce(uniform, adaptivePartitioning: false);
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(SlowBroker, 0);
        }

        var onSlow = SlowShare(adaptive, "adaptive on");
        var offSlow = SlowShare(uniform, "adaptive off");
        // Uniform sticky partitioning gives the slow broker's 2 of 6 partitions about a third of ~650 batches.
        Assert.InRange(offSlow, 0.2, 0.47);
        // Adaptive: weights max(queue) + 1 - queue leave them a fraction of that (about a third of it, measured).
        Assert.True(onSlow < offSlow * 0.6, $"slow broker's share: {onSlow:P1} with adaptive partitioning, {offSlow:P1} without");
    }

    private string CreateSpreadTopic(string prefix)
    {
        var topic = fixture.CreateTopic(prefix, Partitions, replicationFactor: 3);
        for (var p = 0; p < Partitions; p++) fixture.Kafka.SetPartitionLeader(topic, p, p % 3 + 1);
        return topic;
    }

    private async Task Produce(string topic, bool adaptivePartitioning)
    {
        // Small batches (about 18 records each): many switches, and a queue on the slow broker soon.
        await using var producer = Producers.Strings(fixture.Bootstrap,
            ("batch.size", "2048"),
            ("linger.ms", "5"),
            ("partitioner.adaptive.partitioning.enable", adaptivePartitioning ? "true" : "false"));
        Assert.Equal(Partitions, producer.PartitionsFor(topic).Count);
        var value = new string('v', 100);
        var sends = new Task<RecordMetadata>[Records];
        // A steady rate for a few seconds, many times the RTT: the queues show the brokers' speed, not a burst's.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Records; i++)
        {
            var ahead = i * 1000.0 / RecordsPerSecond - clock.Elapsed.TotalMilliseconds;
            if (ahead >= 5) await Task.Delay(TimeSpan.FromMilliseconds(ahead));
            sends[i] = producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, value));
        }
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>The share of the topic's records (all read back, all without a key) on the slow broker's partitions.</summary>
    private double SlowShare(string topic, string label)
    {
        var found = fixture.ReadAll(topic);
        Assert.Equal(Records, found.Count);
        Assert.All(found, r => Assert.Null(r.Key));
        var perPartition = Enumerable.Range(0, Partitions).Select(p => found.Count(r => r.Partition == p)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: records per partition {string.Join(", ", perPartition)}"));
        return (double)(perPartition[2] + perPartition[5]) / Records;
    }
}
