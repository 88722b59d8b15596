using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// One connection per broker, shared by Produce and Metadata as in Java's NetworkClient: the bootstrap connection
/// serves only until the brokers are known, then metadata refreshes go over the brokers' produce connections.
/// Counted on the embedded cluster's front (which sees every TCP connection) and its request log.
/// </summary>
public sealed class SharedConnectionTests
{
    [Fact]
    public async Task Produce_and_metadata_share_one_connection_per_broker_and_the_bootstrap_connection_closes()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = 3, SecurityProtocol = ListenerSecurityProtocol.Plaintext });
        var topic = $"shared-{Guid.NewGuid():N}";
        kafka.Cluster.CreateTopic(topic, partitions: 3, replicationFactor: 1);
        var properties = kafka.JavaClientProperties();
        properties["metadata.max.age.ms"] = "200"; // refreshes every 200 ms: plenty of metadata traffic to observe

        await using var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(properties));
        var sends = Enumerable.Range(0, 300).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, i % 3, $"k{i}", $"v{i}")));
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        var leaders = producer.PartitionsFor(topic).Select(p => p.Leader).Distinct().Count();
        Assert.Equal(3, leaders);

        // The bootstrap connection closes once the brokers are known; the front notices the FIN shortly after.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (kafka.Counters.ConnectionsOpen > 3 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(3, kafka.Counters.ConnectionsOpen);
        var accepted = kafka.Counters.ConnectionsAccepted;
        Assert.True(accepted <= 4, $"one connection per broker plus at most one bootstrap connection: {kafka.Counters}");

        // Metadata keeps being refreshed, with no new connection: it goes over the produce connections.
        kafka.Cluster.StartRequestTracking();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var requests = kafka.Cluster.GetRequests();
        Assert.True(requests.Count(r => r.ApiKey == ApiKeys.Metadata) >= 2, $"{requests.Count(r => r.ApiKey == ApiKeys.Metadata)} metadata request(s) in 1.5 s");
        Assert.DoesNotContain(requests, r => r.ApiKey == ApiKeys.ApiVersions);
        Assert.Equal(accepted, kafka.Counters.ConnectionsAccepted);
        Assert.Equal(3, kafka.Counters.ConnectionsOpen);

        // Still one connection per broker for produce after all that.
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(accepted, kafka.Counters.ConnectionsAccepted);
    }
}
