namespace KafkaActors.Testing;

/// <summary>Which kind of cluster <see cref="KafkaTestCluster.StartAsync(KafkaTestClusterOptions, CancellationToken)"/> chose.</summary>
public enum KafkaTestClusterKind
{
    /// <summary>An existing cluster named by <c>KAFKA_BOOTSTRAP_SERVERS</c>; not owned, not stopped.</summary>
    External,
    /// <summary>A single-broker Kafka in Docker, started through Testcontainers.</summary>
    Container,
    /// <summary>The in-process <see cref="EmbeddedKafka"/>; the only kind with fault injection.</summary>
    Embedded,
}
