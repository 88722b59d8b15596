using KafkaActors.Testing;

namespace KafkaActors.Tests.Support;

/// <summary>One embedded (librdkafka mock) cluster per test class; topics are unique per test.</summary>
public abstract class KafkaFixtureBase : IDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    protected KafkaFixtureBase(int brokers)
    {
        LibRdKafka.EnsureLoaded();
        Kafka = EmbeddedKafka.Start(brokers);
    }

    public EmbeddedKafka Kafka { get; }

    public string Bootstrap => Kafka.BootstrapServers;

    /// <summary>Creates a topic with a unique name (the prefix is for humans reading logs).</summary>
    public string CreateTopic(string prefix, int partitions, int replicationFactor = 1)
    {
        var topic = Topics.Unique(prefix);
        Kafka.CreateTopic(topic, partitions, replicationFactor);
        return topic;
    }

    /// <summary>Everything in the topic, read back with Confluent's consumer (CRCs checked), by partition then offset.</summary>
    public IReadOnlyList<ConsumedRecord> ReadAll(string topic) => KafkaReader.ReadAll(Bootstrap, topic, ReadTimeout);

    /// <summary>Sum of high watermarks: how many records the broker holds for the topic.</summary>
    public long CountRecords(string topic) =>
        KafkaReader.GetWatermarks(Bootstrap, topic).Values.Sum(w => w.High - w.Low);

    public void Dispose()
    {
        Kafka.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class KafkaFixture() : KafkaFixtureBase(brokers: 1);

public sealed class ThreeBrokerKafkaFixture() : KafkaFixtureBase(brokers: 3);

public static class Topics
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
