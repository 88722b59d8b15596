using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.FaultTests.Support;

/// <summary>
/// A fresh 3-broker embedded cluster per test (faults must not leak between tests), with a topic whose
/// partitions are replicated on every broker so any broker can become leader; with <see cref="FaultBroker.Enforcing"/>,
/// the producer's settings point at the idempotence-enforcing front instead of the mock. Owned by one test; not thread-safe.
/// </summary>
public sealed class FaultCluster : IDisposable
{
    /// <summary>
    /// Starts the cluster. Without <paramref name="broker"/>, the environment variable <c>KAFKA_ACTORS_FAULT_BROKER</c>
    /// (<c>Mock</c> or <c>Enforcing</c>) chooses, else the mock: set it to run the whole suite on the enforcing front once.
    /// </summary>
    public FaultCluster(int partitions = 4, FaultBroker? broker = null)
    {
        LibRdKafka.EnsureLoaded();
        Kafka = EmbeddedKafka.Start(3);
        Topic = $"faults-{Guid.NewGuid():N}";
        Partitions = partitions;
        Kafka.CreateTopic(Topic, partitions, replicationFactor: 3);
        // Leaders spread deterministically over the brokers (the mock picks them at random otherwise).
        for (var p = 0; p < partitions; p++) Kafka.SetPartitionLeader(Topic, p, p % 3 + 1);
        Broker = broker ?? DefaultBroker;
        if (Broker == FaultBroker.Enforcing)
            Front = SecureEmbeddedKafka.Start(Kafka, new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Plaintext });
    }

    public FaultBroker Broker { get; }

    private static FaultBroker DefaultBroker =>
        Enum.TryParse<FaultBroker>(Environment.GetEnvironmentVariable("KAFKA_ACTORS_FAULT_BROKER"), ignoreCase: true, out var broker) ? broker : FaultBroker.Mock;

    /// <summary>The enforcing front (null on the bare mock). The mock then advertises the front's ports, so every client goes through it.</summary>
    public SecureEmbeddedKafka? Front { get; }

    /// <summary>Whether the broker deduplicates and checks sequences as Kafka does.</summary>
    public bool Enforcing => Front is not null;

    public EmbeddedKafka Kafka { get; }
    public string Topic { get; }
    public int Partitions { get; }
    public string Bootstrap => Kafka.BootstrapServers;

    /// <summary>Settings tuned so faults resolve within seconds: short backoffs, no 30 s waits.</summary>
    public ProducerSettings Settings(params (string Key, string Value)[] overrides)
    {
        var properties = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = Front?.BootstrapServers ?? Bootstrap,
            ["linger.ms"] = "2",
            ["batch.size"] = "4096",
            ["retry.backoff.ms"] = "50",
            ["retry.backoff.max.ms"] = "500",
            ["reconnect.backoff.ms"] = "20",
            ["reconnect.backoff.max.ms"] = "500",
            ["request.timeout.ms"] = "3000",
            ["delivery.timeout.ms"] = "60000",
            ["metadata.max.age.ms"] = "5000",
        };
        foreach (var (key, value) in overrides) properties[key] = value;
        return ProducerSettings.FromProperties(properties);
    }

    public void Dispose()
    {
        Front?.Dispose();
        Kafka.Dispose();
    }

    public override string ToString() => $"{Broker} cluster, topic {Topic}{(Front is { } front ? $", {front.Idempotence}" : "")}";
}
