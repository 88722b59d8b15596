using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Hosting.Tests.Support;

/// <summary>One embedded (librdkafka mock) cluster for the whole project; topics are unique per test.</summary>
public sealed class KafkaCluster : IDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    public KafkaCluster()
    {
        LibRdKafka.EnsureLoaded();
        Kafka = EmbeddedKafka.Start();
    }

    public EmbeddedKafka Kafka { get; }

    public string Bootstrap => Kafka.BootstrapServers;

    public string CreateTopic(string prefix, int partitions)
    {
        var topic = $"{prefix}-{Guid.NewGuid():N}";
        Kafka.CreateTopic(topic, partitions);
        return topic;
    }

    /// <summary>Everything in the topic, read back with Confluent's consumer, by partition then offset.</summary>
    public IReadOnlyList<ConsumedRecord> ReadAll(string topic) => KafkaReader.ReadAll(Bootstrap, topic, ReadTimeout);

    /// <summary>Every data record of a transactional topic, read_uncommitted with Confluent's consumer (CRCs unchecked: the mock's markers have none).</summary>
    public IReadOnlyList<ConsumedRecord> ReadAllUncommitted(string topic) =>
        KafkaReader.ReadAll(Bootstrap, topic, ReadTimeout, Confluent.Kafka.IsolationLevel.ReadUncommitted);

    public void Dispose() => Kafka.Dispose();
}

/// <summary>
/// Every test class shares the cluster and runs one after the other: each starts a real host with its
/// own ActorSystem, and two cores are better spent on one at a time.
/// </summary>
[CollectionDefinition(nameof(KafkaCollection))]
public sealed class KafkaCollection : ICollectionFixture<KafkaCluster>;
