namespace KafkaActors.Testing;

/// <summary>A Kafka cluster for a test, whatever its kind. Disposing stops it if the test owns it.</summary>
public interface IKafkaTestCluster : IAsyncDisposable, IDisposable
{
    /// <summary>What kind of cluster this is; fault-injection tests should skip unless <see cref="KafkaTestClusterKind.Embedded"/>.</summary>
    KafkaTestClusterKind Kind { get; }

    /// <summary>Value for a client's <c>bootstrap.servers</c>.</summary>
    string BootstrapServers { get; }

    /// <summary>The mock cluster with its fault-injection API; null unless <see cref="Kind"/> is Embedded.</summary>
    EmbeddedKafka? Embedded { get; }

    /// <summary>Human-readable account of the choice, including why earlier kinds were skipped.</summary>
    string Description { get; }

    /// <summary>
    /// Creates a topic. The replication factor is capped at the cluster's broker count, so the same
    /// test runs on a 1-broker container and a 3-broker embedded cluster.
    /// </summary>
    Task CreateTopicAsync(string topic, int partitions, int replicationFactor = 1, CancellationToken cancellationToken = default);
}
