namespace KafkaActors.Testing.Clusters;

/// <summary>A cluster someone else runs: we only create topics on it and never stop it.</summary>
internal sealed class ExternalKafkaCluster(string bootstrapServers, string description) : IKafkaTestCluster
{
    public KafkaTestClusterKind Kind => KafkaTestClusterKind.External;
    public string BootstrapServers { get; } = bootstrapServers;
    public EmbeddedKafka? Embedded => null;
    public string Description { get; } = description;

    public Task CreateTopicAsync(string topic, int partitions, int replicationFactor = 1, CancellationToken cancellationToken = default) =>
        AdminTopics.CreateAsync(BootstrapServers, topic, partitions, replicationFactor, cancellationToken);

    public void Dispose() { }
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    public override string ToString() => Description;
}
