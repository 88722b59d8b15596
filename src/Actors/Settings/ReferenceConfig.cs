using Akka.Configuration;

namespace KafkaActors.Settings;

/// <summary>
/// hocon/reference.conf, embedded in this assembly: every producer setting with its Java name and
/// Kafka's default, used as the fallback under whatever the user configures.
/// </summary>
public static class ReferenceConfig
{
    public const string ProducerPath = "akka.kafka.producer";

    private static readonly Lazy<Config> Reference = new(Load);

    /// <summary>The whole reference configuration (root paths).</summary>
    public static Config Config => Reference.Value;

    /// <summary>Just the <c>akka.kafka.producer</c> block.</summary>
    public static Config Producer => Reference.Value.GetConfig(ProducerPath);

    private static Config Load()
    {
        using var stream = typeof(ReferenceConfig).Assembly.GetManifestResourceStream("KafkaActors.reference.conf")
            ?? throw new InvalidOperationException("KafkaActors.reference.conf is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
