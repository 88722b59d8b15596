namespace KafkaActors.Testing.Clusters;

/// <summary>Adapts <see cref="EmbeddedKafka"/> to <see cref="IKafkaTestCluster"/>.</summary>
internal sealed class EmbeddedKafkaCluster(EmbeddedKafka embedded, string description) : IKafkaTestCluster
{
    public KafkaTestClusterKind Kind => KafkaTestClusterKind.Embedded;
    public string BootstrapServers => Embedded.BootstrapServers;
    public EmbeddedKafka Embedded { get; } = embedded;
    EmbeddedKafka? IKafkaTestCluster.Embedded => Embedded;
    public string Description { get; } = description;

    public Task CreateTopicAsync(string topic, int partitions, int replicationFactor = 1, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // The mock caps RF at the broker count itself; creation is synchronous and immediate.
        Embedded.CreateTopic(topic, partitions, replicationFactor);
        return Task.CompletedTask;
    }

    public void Dispose() => Embedded.Dispose();

    public ValueTask DisposeAsync()
    {
        Embedded.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => Description;
}
