using Confluent.Kafka;

namespace KafkaActors.Testing.Tests;

/// <summary>Confluent producers as a stand-in client under test, quiet unless a test listens to logs.</summary>
internal static class TestClients
{
    public static IProducer<byte[]?, byte[]?> Producer(string bootstrap, Action<ProducerConfig>? configure = null, Action<LogMessage>? log = null)
    {
        LibRdKafka.EnsureLoaded();
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
            MessageTimeoutMs = 15000,
            // Brokers come back within the test: reconnect quickly.
            ReconnectBackoffMs = 20,
            ReconnectBackoffMaxMs = 200,
            RetryBackoffMs = 50,
            LogConnectionClose = false,
        };
        configure?.Invoke(config);
        return new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetKeySerializer(Serializers.ByteArray!)
            .SetValueSerializer(Serializers.ByteArray!)
            .SetLogHandler((_, m) => log?.Invoke(m))
            .SetErrorHandler((_, _) => { })
            .Build();
    }

    public static Message<byte[]?, byte[]?> Message(string? key, string value) => new()
    {
        Key = key is null ? null : System.Text.Encoding.UTF8.GetBytes(key),
        Value = System.Text.Encoding.UTF8.GetBytes(value),
    };

    public static string Topic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
