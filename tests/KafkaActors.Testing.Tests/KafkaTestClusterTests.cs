using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Testing.Tests;

public sealed class KafkaTestClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Default_choice_follows_environment_and_falls_back_to_embedded_without_docker()
    {
        var external = Environment.GetEnvironmentVariable(KafkaTestCluster.BootstrapServersVariable);
        var clock = Stopwatch.StartNew();
        var docker = await KafkaTestCluster.IsDockerAvailableAsync(TimeSpan.FromSeconds(5));
        var probe = clock.Elapsed;
        clock.Restart();

        await using var cluster = await KafkaTestCluster.StartAsync();
        output.WriteLine($"{cluster.Description}; docker={docker} (probe {probe.TotalMilliseconds:F0} ms); chosen in {clock.ElapsedMilliseconds} ms");

        if (!string.IsNullOrWhiteSpace(external))
        {
            Assert.Equal(KafkaTestClusterKind.External, cluster.Kind);
        }
        else if (!docker)
        {
            Assert.Equal(KafkaTestClusterKind.Embedded, cluster.Kind);
            Assert.NotNull(cluster.Embedded);
            Assert.Equal(3, cluster.Embedded!.BrokerCount);
            Assert.Equal(cluster.Embedded.BootstrapServers, cluster.BootstrapServers);
            Assert.Contains("Docker not available", cluster.Description);
            Assert.True(probe + clock.Elapsed < TimeSpan.FromSeconds(10), $"probe {probe}, fallback {clock.Elapsed}");
        }
        else
        {
            Assert.True(cluster.Kind == KafkaTestClusterKind.Container || cluster.Description.Contains("failed to start"), cluster.Description);
        }
        await RoundTrip(cluster);
    }

    [Fact]
    public async Task Docker_can_be_switched_off()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(new KafkaTestClusterOptions { Brokers = 2, ExternalBootstrapServers = "", UseDocker = false });

        Assert.Equal(KafkaTestClusterKind.Embedded, cluster.Kind);
        Assert.Equal(2, cluster.Embedded!.BrokerCount);
        await RoundTrip(cluster);
    }

    [Fact]
    public async Task External_cluster_is_used_as_given_and_not_owned()
    {
        using var real = EmbeddedKafka.Start();
        var external = await KafkaTestCluster.StartAsync(new KafkaTestClusterOptions { ExternalBootstrapServers = real.BootstrapServers });

        Assert.Equal(KafkaTestClusterKind.External, external.Kind);
        Assert.Null(external.Embedded);
        Assert.Equal(real.BootstrapServers, external.BootstrapServers);

        await external.DisposeAsync();
        Assert.False(real.IsDisposed);
        real.CreateTopic("still-there", 1);
    }

    private static async Task RoundTrip(IKafkaTestCluster cluster)
    {
        var topic = TestClients.Topic("cluster");
        await cluster.CreateTopicAsync(topic, partitions: 2, replicationFactor: 3);
        using (var producer = TestClients.Producer(cluster.BootstrapServers))
        {
            for (var i = 0; i < 10; i++)
                producer.Produce(topic, TestClients.Message($"k{i}", $"v{i}"));
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        var records = KafkaReader.ReadAll(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}").Order(), records.Select(r => Encoding.UTF8.GetString(r.Value!)).Order());
        Assert.Equal(2, KafkaReader.GetPartitionCount(cluster.BootstrapServers, topic));
    }
}
