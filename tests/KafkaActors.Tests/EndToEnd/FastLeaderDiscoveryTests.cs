using System.Diagnostics;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>
/// KIP-951: a Produce v10 NOT_LEADER_OR_FOLLOWER answer names the new leader (CurrentLeader) and its address
/// (NodeEndpoints). The producer re-routes the failed batch there at once: no Metadata request in between and no
/// retry backoff (retry.backoff.ms is 10 s here, so a backoff would show; the mock answers in milliseconds).
/// </summary>
public sealed class FastLeaderDiscoveryTests(ITestOutputHelper output)
{
    private const int Backoff = 10_000; // with jitter at least 8 s

    [Fact]
    public async Task A_batch_refused_by_the_old_leader_reaches_the_new_one_without_metadata_or_backoff()
    {
        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(2);
        var topic = Topics.Unique("kip951");
        kafka.CreateTopic(topic, 1, 2);
        kafka.SetPartitionLeader(topic, 0, 1);
        await using var producer = Producers.Strings(kafka.BootstrapServers, Settings());
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "on-1")).WaitAsync(TimeSpan.FromSeconds(10));

        var elapsed = await MoveAndSend(kafka, producer, topic, 2, "on-2");

        AssertRerouted(kafka, from: 1, to: 2, elapsed);
        Assert.Equal(2, producer.PartitionsFor(topic)[0].Leader);
        Assert.Equal(["on-1", "on-2"], KafkaReader.ReadAll(kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task A_new_leader_the_producer_has_never_heard_of_is_reached_through_the_answers_NodeEndpoints()
    {
        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(3);
        var topic = Topics.Unique("kip951-new-node");
        kafka.CreateTopic(topic, 1, 3);
        kafka.SetPartitionLeader(topic, 0, 1);
        // Broker 3 is left out of every Metadata answer: only the Produce answer's NodeEndpoints can name its address.
        kafka.RemoveBrokerFromMetadata(3);
        kafka.SetPartitionLeader(topic, 0, 1);
        await using var producer = Producers.Strings(kafka.BootstrapServers, Settings());
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "on-1")).WaitAsync(TimeSpan.FromSeconds(10));

        var elapsed = await MoveAndSend(kafka, producer, topic, 3, "on-3");

        AssertRerouted(kafka, from: 1, to: 3, elapsed);
        Assert.Equal(3, producer.PartitionsFor(topic)[0].Leader);
        kafka.SetPartitionLeader(topic, 0, 1); // the reader cannot reach broker 3 either; the mock's log is shared
        Assert.Equal(["on-1", "on-3"], KafkaReader.ReadAll(kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => Text(r.Value)));
    }

    private static (string, string)[] Settings() =>
    [
        ("linger.ms", "0"), ("metadata.max.age.ms", "600000"),
        ("retry.backoff.ms", Backoff.ToString()), ("retry.backoff.max.ms", Backoff.ToString()),
    ];

    private static async Task<TimeSpan> MoveAndSend(EmbeddedKafka kafka, KafkaProducer<string?, string?> producer, string topic, int leader, string value)
    {
        kafka.StartRequestTracking();
        kafka.SetPartitionLeader(topic, 0, leader);
        var clock = Stopwatch.StartNew();
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", value)).WaitAsync(TimeSpan.FromSeconds(30));
        return clock.Elapsed;
    }

    private void AssertRerouted(EmbeddedKafka kafka, int from, int to, TimeSpan elapsed)
    {
        var requests = kafka.GetRequests().Where(r => r.ApiKey is ApiKeys.Produce or ApiKeys.Metadata).ToList();
        kafka.StopRequestTracking();
        output.WriteLine($"sent in {elapsed.TotalMilliseconds:F0} ms; requests: {string.Join(", ", requests.Select(r => $"{(r.ApiKey == ApiKeys.Produce ? "Produce" : "Metadata")}@{r.BrokerId}"))}");
        var refused = requests.FindIndex(r => r.ApiKey == ApiKeys.Produce && r.BrokerId == from);
        var accepted = requests.FindIndex(r => r.ApiKey == ApiKeys.Produce && r.BrokerId == to);
        Assert.True(refused >= 0, "the batch went to the old leader first");
        Assert.True(accepted > refused, "then to the new leader");
        Assert.DoesNotContain(requests.Take(accepted).Skip(refused), r => r.ApiKey == ApiKeys.Metadata);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(Backoff * 0.6), $"re-routed without the retry backoff ({elapsed.TotalMilliseconds:F0} ms)");
    }
}
