using Testcontainers.Kafka;

namespace KafkaActors.Testing.Clusters;

/// <summary>A single-broker Kafka in Docker, owned by the test: disposing removes the container.</summary>
internal sealed class ContainerKafkaCluster : IKafkaTestCluster
{
    private readonly KafkaContainer _container;
    private int _disposed;

    private ContainerKafkaCluster(KafkaContainer container, string bootstrapServers, string description)
    {
        _container = container;
        BootstrapServers = bootstrapServers;
        Description = description;
    }

    public KafkaTestClusterKind Kind => KafkaTestClusterKind.Container;
    public string BootstrapServers { get; }
    public EmbeddedKafka? Embedded => null;
    public string Description { get; }

    public static async Task<ContainerKafkaCluster> StartAsync(string image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var container = new KafkaBuilder(image).Build();
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            await container.StartAsync(cts.Token).ConfigureAwait(false);
            var bootstrap = ToHostPort(container.GetBootstrapAddress());
            return new ContainerKafkaCluster(container, bootstrap, $"Testcontainers Kafka {image} at {bootstrap}");
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task CreateTopicAsync(string topic, int partitions, int replicationFactor = 1, CancellationToken cancellationToken = default) =>
        AdminTopics.CreateAsync(BootstrapServers, topic, partitions, replicationFactor, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            await _container.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public override string ToString() => Description;

    // Testcontainers answers a URI such as "plaintext://127.0.0.1:32771/"; clients want host:port.
    private static string ToHostPort(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0 ? $"{uri.Host}:{uri.Port}" : address;
}
