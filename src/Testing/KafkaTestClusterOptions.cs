namespace KafkaActors.Testing;

/// <summary>How <see cref="KafkaTestCluster"/> picks and starts a cluster.</summary>
public sealed record KafkaTestClusterOptions
{
    /// <summary>Broker count of an embedded cluster (a container always has one).</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>
    /// Bootstrap servers of an existing cluster to use first. Null (the default) reads the
    /// <see cref="KafkaTestCluster.BootstrapServersVariable"/> environment variable; empty disables it.
    /// </summary>
    public string? ExternalBootstrapServers { get; init; }

    /// <summary>Whether to try Testcontainers when Docker answers.</summary>
    public bool UseDocker { get; init; } = true;

    /// <summary>Kafka image for the container; null uses <see cref="DefaultContainerImage"/>.</summary>
    public string? ContainerImage { get; init; }

    /// <summary>How long the Docker availability check may take before Docker counts as absent.</summary>
    public TimeSpan DockerProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for pulling and starting the container.</summary>
    public TimeSpan ContainerStartTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When Docker answers but the container fails to start (e.g. the image cannot be pulled),
    /// fall back to the embedded cluster (true) or throw (false).
    /// </summary>
    public bool FallBackWhenContainerFails { get; init; } = true;

    /// <summary>The image used when <see cref="ContainerImage"/> is null.</summary>
    public const string DefaultContainerImage = "confluentinc/cp-kafka:7.5.12";
}
