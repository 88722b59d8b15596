using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Where the clients of one workload connect: the cluster (for topics and broker RTT), the Java properties
/// KafkaActors starts from and the Confluent.Kafka configuration, both naming the same bootstrap servers and
/// security settings. Owns the fresh cluster and front it made for a <see cref="Transport.Relay"/> or
/// <see cref="Transport.Tls"/> workload; a direct endpoint borrows the shared cluster. Not thread-safe.
/// </summary>
public sealed class Endpoint : IDisposable
{
    private readonly SecureEmbeddedKafka? _front;

    private Endpoint(EmbeddedKafka cluster, SecureEmbeddedKafka? front, IDictionary<string, string> javaProperties, IEnumerable<KeyValuePair<string, string>> confluentConfig)
    {
        Cluster = cluster;
        _front = front;
        JavaProperties = javaProperties.ToDictionary();
        ConfluentConfig = confluentConfig.ToDictionary();
    }

    public EmbeddedKafka Cluster { get; }

    /// <summary>bootstrap.servers and, through a front, security.protocol and the PEM trust store.</summary>
    public IReadOnlyDictionary<string, string> JavaProperties { get; }

    /// <summary>bootstrap.servers and, through a front, security.protocol and ssl.ca.location.</summary>
    public IReadOnlyDictionary<string, string> ConfluentConfig { get; }

    public string BootstrapServers => JavaProperties["bootstrap.servers"];

    /// <summary>The shared plaintext cluster for <see cref="Transport.Direct"/>, else a fresh 3-broker cluster behind a front.</summary>
    public static Endpoint For(Transport transport, EmbeddedKafka shared)
    {
        if (transport == Transport.Direct)
            return new Endpoint(shared, null, new Dictionary<string, string> { ["bootstrap.servers"] = shared.BootstrapServers },
                new Confluent.Kafka.ClientConfig { BootstrapServers = shared.BootstrapServers });

        // The front re-points the brokers' advertised addresses, so it gets a cluster of its own.
        var cluster = EmbeddedKafka.Start(3);
        try
        {
            var front = SecureEmbeddedKafka.Start(cluster, new SecureKafkaOptions
            {
                SecurityProtocol = transport == Transport.Tls ? ListenerSecurityProtocol.Ssl : ListenerSecurityProtocol.Plaintext,
            });
            return new Endpoint(cluster, front, front.JavaClientProperties(), front.ConfluentClientConfig());
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_front is null) return;
        _front.Dispose();
        Cluster.Dispose();
    }
}
