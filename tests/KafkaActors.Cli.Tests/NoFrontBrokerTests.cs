using Confluent.Kafka;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// <c>kafka-actors broker --no-front</c>, the benchmarks' broker process: the mock brokers serve clients directly, and
/// stdin creates topics and sets every broker's RTT at once. Checked through Confluent's clients against the process.
/// </summary>
public sealed class NoFrontBrokerTests
{
    [Fact]
    public async Task A_topic_created_on_stdin_has_its_partitions_and_keeps_what_is_produced()
    {
        using var broker = await BrokerProcess.Start("--no-front", "--brokers", "2");
        var bootstrap = broker.BootstrapServers;

        Assert.Equal("ok topic made-on-stdin with 5 partition(s), replication factor 2", broker.Command("topic made-on-stdin 5"));
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            var metadata = admin.GetMetadata("made-on-stdin", TimeSpan.FromSeconds(10));
            Assert.Equal(Enumerable.Range(0, 5), metadata.Topics.Single().Partitions.Select(p => p.PartitionId).Order());
            // No front: the brokers advertise the addresses the first line names.
            Assert.Equal(bootstrap.Split(',').Order(), metadata.Brokers.Select(b => $"{b.Host}:{b.Port}").Order());
        }

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 0 }).Build())
            await producer.ProduceAsync(new TopicPartition("made-on-stdin", 4), new Message<Null, string> { Value = "on partition 4" });
        var records = KafkaReader.ReadAll(bootstrap, "made-on-stdin", TimeSpan.FromSeconds(10));
        Assert.Equal([(4, "on partition 4")], records.Select(r => (r.Partition, System.Text.Encoding.UTF8.GetString(r.Value!))));

        Assert.Equal("ok brokers 1,2 rtt 40 ms", broker.Command("rtt all 40"));
        Assert.StartsWith("ok", broker.Command("rtt all 0"));
        Assert.StartsWith("error topic takes 2 argument(s)", broker.Command("topic lonely"));
        Assert.StartsWith("error PARTITIONS must be at least 1", broker.Command("topic empty 0"));
        Assert.StartsWith("error RF must be between 1 and the 2 broker(s), got 3", broker.Command("topic too-wide 1 3"));
        Assert.Equal("ok topic single with 3 partition(s), replication factor 1", broker.Command("topic single 3 1"));
        Assert.Equal(3, KafkaReader.GetPartitionCount(bootstrap, "single"));
        Assert.Equal("error throttle needs the front: this broker runs with --no-front", broker.Command("throttle 1 10"));
        Assert.Equal("error enforce needs the front: this broker runs with --no-front", broker.Command("enforce off"));

        broker.CloseStandardInput();
        Assert.Equal(0, await broker.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Contains("no front", broker.Error);
    }
}
