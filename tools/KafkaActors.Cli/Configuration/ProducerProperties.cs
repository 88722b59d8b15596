using KafkaActors.Settings;

namespace KafkaActors.Cli.Configuration;

/// <summary>
/// The producer properties a tool runs with, by Java name: a <c>--producer.config</c> file, overridden by
/// properties given on the command line, plus the tool's defaults for what neither set.
/// </summary>
internal static class ProducerProperties
{
    /// <summary>
    /// Java's serializer settings: Kafka's tools set them to fixed classes themselves, and so do these tools
    /// (byte and string serializers), so they are accepted and dropped instead of failing as unknown settings.
    /// </summary>
    private static readonly string[] ToolOwnedKeys = ["key.serializer", "value.serializer"];

    public static Dictionary<string, string> Merge(string? configFile, IReadOnlyDictionary<string, string> overrides)
    {
        var merged = configFile is null ? new Dictionary<string, string>(StringComparer.Ordinal) : PropertiesFile.Load(configFile);
        foreach (var (key, value) in overrides) merged[key] = value;
        foreach (var key in ToolOwnedKeys) merged.Remove(key);
        return merged;
    }

    /// <summary>Sets <paramref name="key"/> unless the user did (Kafka's tools default client.id this way).</summary>
    public static void SetDefault(Dictionary<string, string> properties, string key, string value)
    {
        if (!properties.TryGetValue(key, out var existing) || string.IsNullOrWhiteSpace(existing)) properties[key] = value;
    }

    public static bool HasBootstrapServers(IReadOnlyDictionary<string, string> properties) =>
        properties.TryGetValue(ProducerConfig.BootstrapServers, out var servers) && !string.IsNullOrWhiteSpace(servers);
}
