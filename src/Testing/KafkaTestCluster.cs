using DotNet.Testcontainers.Configurations;
using KafkaActors.Testing.Clusters;

namespace KafkaActors.Testing;

/// <summary>
/// Picks a Kafka cluster for tests: an external one named by <c>KAFKA_BOOTSTRAP_SERVERS</c>, else
/// Kafka in Docker through Testcontainers, else the in-process <see cref="EmbeddedKafka"/>.
/// </summary>
public static class KafkaTestCluster
{
    /// <summary>Environment variable naming an existing cluster to test against.</summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>Starts (or connects to) a cluster with default options and <paramref name="brokers"/> embedded brokers.</summary>
    public static Task<IKafkaTestCluster> StartAsync(int brokers = 3, CancellationToken cancellationToken = default) =>
        StartAsync(new KafkaTestClusterOptions { Brokers = brokers }, cancellationToken);

    /// <summary>Starts (or connects to) a cluster, trying external, then container, then embedded.</summary>
    public static async Task<IKafkaTestCluster> StartAsync(KafkaTestClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var external = options.ExternalBootstrapServers ?? Environment.GetEnvironmentVariable(BootstrapServersVariable);
        if (!string.IsNullOrWhiteSpace(external))
            return new ExternalKafkaCluster(external.Trim(), $"external cluster {external.Trim()} (from {(options.ExternalBootstrapServers is null ? BootstrapServersVariable : "options")})");

        string skipped;
        if (!options.UseDocker)
        {
            skipped = "Docker disabled by options";
        }
        else if (!await IsDockerAvailableAsync(options.DockerProbeTimeout, cancellationToken).ConfigureAwait(false))
        {
            skipped = "Docker not available";
        }
        else
        {
            var image = options.ContainerImage ?? KafkaTestClusterOptions.DefaultContainerImage;
            try
            {
                return await ContainerKafkaCluster.StartAsync(image, options.ContainerStartTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (options.FallBackWhenContainerFails && !cancellationToken.IsCancellationRequested)
            {
                skipped = $"container {image} failed to start: {e.GetType().Name}: {e.Message}";
            }
        }
        return new EmbeddedKafkaCluster(EmbeddedKafka.Start(options.Brokers), $"embedded cluster with {options.Brokers} brokers ({skipped})");
    }

    /// <summary>
    /// Whether Testcontainers finds a Docker endpoint that answers, within <paramref name="timeout"/>.
    /// The answer is computed once per process by Testcontainers; a timeout counts as "no".
    /// </summary>
    public static async Task<bool> IsDockerAvailableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // Testcontainers probes every candidate endpoint (DOCKER_HOST, the socket, docker contexts…)
        // and leaves the config null when none answers. The probe is synchronous, so run it off-thread
        // and stop waiting at the timeout; a late answer is cached for the next caller.
        var probe = Task.Run(() => TestcontainersSettings.OS.DockerEndpointAuthConfig is not null, CancellationToken.None);
        try
        {
            return await probe.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }
}
