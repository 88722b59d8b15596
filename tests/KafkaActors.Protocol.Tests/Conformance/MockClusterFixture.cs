using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Testing;
using Xunit;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>One librdkafka mock cluster per test class (xunit <c>IClassFixture</c>).</summary>
public abstract class MockClusterFixture : IDisposable
{
    /// <summary>Bound on every socket operation and on reading topics back.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    protected MockClusterFixture(int brokers)
    {
        Kafka = EmbeddedKafka.Start(brokers);
        Bootstrap = Kafka.BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public EmbeddedKafka Kafka { get; }

    /// <summary>The <c>host:port</c> entries of <see cref="EmbeddedKafka.BootstrapServers"/>.</summary>
    public IReadOnlyList<string> Bootstrap { get; }

    internal KafkaWireClient ConnectAny() => KafkaWireClient.Connect(Bootstrap[0], Timeout);

    /// <summary>Metadata for <paramref name="topics"/> through our encoder and parser (v12, AllowAutoTopicCreation=false).</summary>
    internal MetadataResponse Metadata(params string[] topics)
    {
        using var client = ConnectAny();
        return MetadataResponse.Parse(client.Send(new MetadataRequest(topics, false), 12), 12);
    }

    /// <summary>Opens a connection to broker <paramref name="brokerId"/> at the address Metadata advertises for it.</summary>
    internal KafkaWireClient ConnectToBroker(MetadataResponse metadata, int brokerId)
    {
        var broker = metadata.Brokers.Single(b => b.NodeId == brokerId);
        return KafkaWireClient.Connect(broker.Host, broker.Port, Timeout);
    }

    /// <summary>The leader of <paramref name="topic"/>[<paramref name="partition"/>] according to Metadata.</summary>
    internal (MetadataResponse Metadata, int LeaderId) Leader(string topic, int partition)
    {
        var metadata = Metadata(topic);
        var t = Assert.Single(metadata.Topics);
        Assert.Equal(ErrorCode.None, t.ErrorCode);
        var p = t.Partitions.Single(x => x.PartitionIndex == partition);
        Assert.Equal(ErrorCode.None, p.ErrorCode);
        return (metadata, p.LeaderId);
    }

    internal KafkaWireClient ConnectToLeader(string topic, int partition)
    {
        var (metadata, leader) = Leader(topic, partition);
        return ConnectToBroker(metadata, leader);
    }

    public void Dispose()
    {
        Kafka.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SingleBrokerCluster() : MockClusterFixture(1);

public sealed class ThreeBrokerCluster() : MockClusterFixture(3);
