using KafkaActors.Testing;
using KafkaActors.Tests.Support;

namespace KafkaActors.Tests.Network;

/// <summary>
/// A one-broker embedded cluster reached only through <see cref="BrokerRelay"/>s: the broker advertises the
/// <see cref="Advertised"/> relay in Metadata, and clients bootstrap from it (or from any other relay the test adds).
/// Owned by one test; not thread-safe.
/// </summary>
public sealed class RelayedCluster : IAsyncDisposable
{
    private readonly List<BrokerRelay> _relays = [];

    public RelayedCluster()
    {
        LibRdKafka.EnsureLoaded();
        Kafka = EmbeddedKafka.Start(1);
        Advertised = AddRelay();
        Advertise(Advertised);
    }

    public EmbeddedKafka Kafka { get; }

    /// <summary>The relay Metadata names for broker 1 (until <see cref="Advertise"/> names another).</summary>
    public BrokerRelay Advertised { get; private set; }

    /// <summary>Another address of the same broker.</summary>
    public BrokerRelay AddRelay()
    {
        var relay = new BrokerRelay(Kafka.BootstrapServers.Split(',')[0]);
        _relays.Add(relay);
        return relay;
    }

    /// <summary>Metadata names <paramref name="relay"/> as broker 1's address from now on.</summary>
    public void Advertise(BrokerRelay relay)
    {
        Kafka.SetBrokerHostPort(1, "127.0.0.1", relay.Port);
        Advertised = relay;
    }

    public string CreateTopic(string prefix, int partitions = 1)
    {
        var topic = Topics.Unique(prefix);
        Kafka.CreateTopic(topic, partitions, 1);
        return topic;
    }

    /// <summary>Everything in the topic, read with Confluent's consumer through the advertised relay.</summary>
    public IReadOnlyList<ConsumedRecord> ReadAll(string topic) => KafkaReader.ReadAll(Advertised.Address, topic, KafkaFixtureBase.ReadTimeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays) await relay.DisposeAsync();
        Kafka.Dispose();
    }
}
