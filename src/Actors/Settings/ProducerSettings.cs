using Akka.Configuration;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Settings;

/// <summary>
/// The producer's settings, one property per Java producer setting (names in <see cref="ProducerConfig"/>,
/// defaults in hocon/reference.conf). Build them with <see cref="Create(string)"/>,
/// <see cref="FromProperties"/> or <see cref="FromConfig"/>, which validate and throw
/// <see cref="Errors.ConfigException"/> naming the offending key; <see cref="WithProperty"/> returns a
/// re-validated copy. Immutable and thread-safe.
/// </summary>
public sealed record ProducerSettings
{
    internal ProducerSettings() { }

    public IReadOnlyList<string> BootstrapServers { get; init; } = [];
    public string ClientId { get; init; } = "";
    /// <summary>-1 (all), 0 or 1.</summary>
    public short Acks { get; init; }
    public bool EnableIdempotence { get; init; }
    public int DeliveryTimeoutMs { get; init; }
    public int RequestTimeoutMs { get; init; }
    public long MaxBlockMs { get; init; }
    public int Retries { get; init; }
    public long RetryBackoffMs { get; init; }
    public long RetryBackoffMaxMs { get; init; }
    public long ReconnectBackoffMs { get; init; }
    public long ReconnectBackoffMaxMs { get; init; }
    public long SocketConnectionSetupTimeoutMs { get; init; }
    public long SocketConnectionSetupTimeoutMaxMs { get; init; }
    public long ConnectionsMaxIdleMs { get; init; }
    public int SendBufferBytes { get; init; }
    public int ReceiveBufferBytes { get; init; }
    public long BufferMemory { get; init; }
    public int BatchSize { get; init; }
    public long LingerMs { get; init; }
    public int MaxRequestSize { get; init; }
    public int MaxInFlightRequestsPerConnection { get; init; }
    public CompressionType CompressionType { get; init; }
    public int CompressionGzipLevel { get; init; }
    public int CompressionLz4Level { get; init; }
    public int CompressionZstdLevel { get; init; }
    public string PartitionerClass { get; init; } = "";
    public bool PartitionerIgnoreKeys { get; init; }
    public bool PartitionerAdaptivePartitioningEnable { get; init; }
    public long PartitionerAvailabilityTimeoutMs { get; init; }
    public IReadOnlyList<string> InterceptorClasses { get; init; } = [];
    public bool AllowAutoCreateTopics { get; init; }
    public long MetadataMaxAgeMs { get; init; }
    public long MetadataMaxIdleMs { get; init; }
    public int TransactionTimeoutMs { get; init; }
    public long MetricsSampleWindowMs { get; init; }
    public int MetricsNumSamples { get; init; }

    /// <summary>KafkaActors only: waiting told records from which senders get <see cref="BufferFull"/>.</summary>
    public int TellBufferFullThreshold { get; init; }

    /// <summary>KafkaActors only: waiting told records at or below which those senders get <see cref="Ready"/>.</summary>
    public int TellReadyThreshold { get; init; }

    /// <summary>The settings as Java property names and values, including defaults; what <see cref="WithProperty"/> edits.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>The compression level that applies to <see cref="CompressionType"/>.</summary>
    public int CompressionLevel => CompressionType switch
    {
        CompressionType.Gzip => CompressionGzipLevel,
        CompressionType.Lz4 => CompressionLz4Level,
        CompressionType.Zstd => CompressionZstdLevel,
        _ => 0,
    };

    /// <summary>Kafka's defaults with the given bootstrap servers.</summary>
    public static ProducerSettings Create(string bootstrapServers) =>
        FromProperties(new Dictionary<string, string> { [ProducerConfig.BootstrapServers] = bootstrapServers });

    /// <summary>Settings from Java property names and string values (as in a producer.properties file).</summary>
    public static ProducerSettings FromProperties(IEnumerable<KeyValuePair<string, string>> properties) =>
        ProducerSettingsReader.Read(ProducerSettingsReader.ToConfig(properties));

    /// <summary>
    /// Settings from HOCON: either the <c>akka.kafka.producer</c> block itself or a root config holding it.
    /// reference.conf fills in whatever is not set.
    /// </summary>
    public static ProducerSettings FromConfig(Config config)
    {
        var block = config.HasPath(ReferenceConfig.ProducerPath) ? config.GetConfig(ReferenceConfig.ProducerPath) : config;
        return ProducerSettingsReader.Read(block);
    }

    /// <summary>
    /// The settings a HOCON producer block sets itself, as Java properties: what it adds over
    /// reference.conf (also when reference.conf is merged into it, as in an ActorSystem's config).
    /// For layering settings from several sources before <see cref="FromProperties"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> UserProperties(Config block) =>
        ProducerSettingsReader.UserKeys(block).ToDictionary(key => key, key => ProducerSettingsReader.Describe(block, key), StringComparer.Ordinal);

    /// <summary>A validated copy with one Java property changed.</summary>
    public ProducerSettings WithProperty(string key, string value) => WithProperties([new(key, value)]);

    /// <summary>A validated copy with several Java properties changed.</summary>
    public ProducerSettings WithProperties(IEnumerable<KeyValuePair<string, string>> changes)
    {
        var merged = new Dictionary<string, string>(ExplicitProperties);
        foreach (var (key, value) in changes) merged[key] = value;
        return FromProperties(merged);
    }

    /// <summary>The properties the user set (not defaults): what a copy starts from.</summary>
    internal IReadOnlyDictionary<string, string> ExplicitProperties { get; init; } = new Dictionary<string, string>();

    public TimeSpan MaxBlock => TimeSpan.FromMilliseconds(MaxBlockMs);
    public TimeSpan Linger => TimeSpan.FromMilliseconds(LingerMs);
    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);
    public TimeSpan DeliveryTimeout => TimeSpan.FromMilliseconds(DeliveryTimeoutMs);
}
