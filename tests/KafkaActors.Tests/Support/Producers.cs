using KafkaActors.Settings;

namespace KafkaActors.Tests.Support;

/// <summary>Producers for tests: Kafka's defaults plus whatever the test overrides.</summary>
public static class Producers
{
    public static ProducerSettings Settings(string bootstrap, params (string Key, string Value)[] overrides)
    {
        var properties = new Dictionary<string, string> { [ProducerConfig.BootstrapServers] = bootstrap };
        foreach (var (key, value) in overrides) properties[key] = value;
        return ProducerSettings.FromProperties(properties);
    }

    public static KafkaProducer<string?, string?> Strings(string bootstrap, params (string Key, string Value)[] overrides) =>
        new(Settings(bootstrap, overrides));

    public static KafkaProducer<byte[]?, byte[]?> Bytes(string bootstrap, params (string Key, string Value)[] overrides) =>
        new(Settings(bootstrap, overrides));
}
