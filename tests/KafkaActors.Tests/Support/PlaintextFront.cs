using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Tests.Support;

/// <summary>
/// The embedded cluster behind its front with PLAINTEXT listeners, for tests that watch what reaches a broker (the
/// front's request log, connection counts, listeners that stop) or inject what the mock cannot (throttle times).
/// Stateless; thread-safe.
/// </summary>
public static class PlaintextFront
{
    /// <summary>Starts <paramref name="brokers"/> mock brokers and their fronts; clients bootstrap from <see cref="SecureEmbeddedKafka.BootstrapServers"/>.</summary>
    public static SecureEmbeddedKafka Start(int brokers = 1) =>
        SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = brokers, SecurityProtocol = ListenerSecurityProtocol.Plaintext });

    /// <summary>Creates a topic with a unique name and replication factor 1.</summary>
    public static string CreateTopic(this SecureEmbeddedKafka kafka, string prefix, int partitions = 1)
    {
        var topic = Topics.Unique(prefix);
        kafka.Cluster.CreateTopic(topic, partitions, 1);
        return topic;
    }

    /// <summary>
    /// Everything in the topic, read with Confluent's consumer. It bootstraps from the mock's own port, so it works
    /// whichever front listener is stopped, and then follows Metadata to the advertised listeners.
    /// </summary>
    public static IReadOnlyList<ConsumedRecord> ReadAll(this SecureEmbeddedKafka kafka, string topic) =>
        KafkaReader.ReadAll(kafka.Cluster.BootstrapServers, topic, KafkaFixtureBase.ReadTimeout);
}
