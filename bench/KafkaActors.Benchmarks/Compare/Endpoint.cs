using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Where the clients of one workload connect: topics and broker RTT on the brokers (in another process by default, or
/// this one with <c>--in-process-broker</c>), the Java properties KafkaActors starts from and the Confluent.Kafka
/// configuration, both naming the same bootstrap servers and security settings. Owns the fresh cluster (or broker
/// process) and front it made for a <see cref="Transport.Relay"/> or <see cref="Transport.Tls"/> workload; a direct
/// endpoint borrows the shared one. Not thread-safe.
/// </summary>
public sealed class Endpoint : IDisposable
{
    private readonly Action<string, int> _createTopic;
    private readonly Action<int> _setRtt;
    private readonly IDisposable? _owned;

    private Endpoint(Action<string, int> createTopic, Action<int> setRtt, IDisposable? owned, IEnumerable<KeyValuePair<string, string>> javaProperties,
        IEnumerable<KeyValuePair<string, string>> confluentConfig, Func<TimeSpan>? brokerProcessorTime = null)
    {
        BrokerProcessorTime = brokerProcessorTime;
        _createTopic = createTopic;
        _setRtt = setRtt;
        _owned = owned;
        JavaProperties = javaProperties.ToDictionary();
        ConfluentConfig = confluentConfig.ToDictionary();
    }

    /// <summary>bootstrap.servers and, through a front, security.protocol and the PEM trust store.</summary>
    public IReadOnlyDictionary<string, string> JavaProperties { get; }

    /// <summary>bootstrap.servers and, through a front, security.protocol and ssl.ca.location.</summary>
    public IReadOnlyDictionary<string, string> ConfluentConfig { get; }

    public string BootstrapServers => JavaProperties["bootstrap.servers"];

    /// <summary>The broker process's user+sys time so far; null when the brokers run in this process.</summary>
    public Func<TimeSpan>? BrokerProcessorTime { get; }

    /// <summary>A fresh topic, replication factor 1.</summary>
    public void CreateTopic(string topic, int partitions) => _createTopic(topic, partitions);

    /// <summary>Every broker's response delay (the warm-up's slow half).</summary>
    public void SetBrokerRtt(int ms) => _setRtt(ms);

    /// <summary>The shared in-process plaintext cluster for <see cref="Transport.Direct"/>, else a fresh in-process 3-broker cluster behind a front.</summary>
    public static Endpoint InProcess(Transport transport, EmbeddedKafka shared)
    {
        if (transport == Transport.Direct)
            return new Endpoint((t, p) => shared.CreateTopic(t, p, 1), ms => shared.SetBrokerRtt(EmbeddedKafka.AllBrokers, ms), null,
                new Dictionary<string, string> { ["bootstrap.servers"] = shared.BootstrapServers },
                new Confluent.Kafka.ClientConfig { BootstrapServers = shared.BootstrapServers });

        // The front re-points the brokers' advertised addresses, so it gets a cluster of its own.
        var cluster = EmbeddedKafka.Start(3);
        try
        {
            var front = SecureEmbeddedKafka.Start(cluster, new SecureKafkaOptions
            {
                SecurityProtocol = transport == Transport.Tls ? ListenerSecurityProtocol.Ssl : ListenerSecurityProtocol.Plaintext,
            });
            return new Endpoint((t, p) => cluster.CreateTopic(t, p, 1), ms => cluster.SetBrokerRtt(EmbeddedKafka.AllBrokers, ms),
                new Owned(front, cluster), front.JavaClientProperties(), front.ConfluentClientConfig());
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The shared broker process for <see cref="Transport.Direct"/>, else a fresh broker process with its front (TLS or a
    /// plaintext relay) on each of its 3 brokers.
    /// </summary>
    public static Endpoint OutOfProcess(Transport transport, ExternalBroker shared)
    {
        var broker = transport == Transport.Direct ? shared : ExternalBroker.Start(transport);
        var java = broker.JavaProperties;
        var confluent = new Confluent.Kafka.ClientConfig { BootstrapServers = java["bootstrap.servers"] };
        if (java.GetValueOrDefault("security.protocol") == "SSL")
        {
            // The broker's test CA, as a PEM file: librdkafka verifies the host name by default, as KafkaActors does.
            confluent.SecurityProtocol = Confluent.Kafka.SecurityProtocol.Ssl;
            confluent.SslCaLocation = java["ssl.truststore.location"];
        }
        return new Endpoint(broker.CreateTopic, broker.SetRtt, broker == shared ? null : broker, java, confluent, () => broker.ProcessorTime);
    }

    public void Dispose() => _owned?.Dispose();

    /// <summary>A front and the cluster behind it, owned by one endpoint and stopped in that order.</summary>
    private sealed class Owned(SecureEmbeddedKafka front, EmbeddedKafka cluster) : IDisposable
    {
        public void Dispose()
        {
            front.Dispose();
            cluster.Dispose();
        }
    }
}
