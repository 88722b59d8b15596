using Akka.Configuration;
using KafkaActors.Protocol.Records;
using KafkaActors.Security;

namespace KafkaActors.Settings;

/// <summary>
/// The producer's settings, one property per Java producer setting (names in <see cref="ProducerConfig"/>,
/// defaults in hocon/reference.conf). Build them with <see cref="Create(string)"/>,
/// <see cref="FromProperties(IEnumerable{KeyValuePair{string, string}})"/> or <see cref="FromConfig(Config)"/>, which validate and throw
/// <see cref="Errors.ConfigException"/> naming the offending key; <see cref="WithProperty"/> returns a
/// re-validated copy. Immutable and thread-safe. Secrets never show: <see cref="Properties"/> and
/// <c>ToString()</c> print <c>[hidden]</c> for them (ToString prints <see cref="OAuthBearerTokenProvider"/>'s own ToString).
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
    public MetadataRecoveryStrategy MetadataRecoveryStrategy { get; init; }
    public long MetadataRecoveryRebootstrapTriggerMs { get; init; }
    public ClientDnsLookup ClientDnsLookup { get; init; }
    /// <summary>The transactional.id; null for a producer without transactions.</summary>
    public string? TransactionalId { get; init; }

    /// <summary>True when transactional.id is set: sends belong to transactions (Begin/Commit/Abort).</summary>
    public bool IsTransactional => TransactionalId is not null;

    public int TransactionTimeoutMs { get; init; }
    public long MetricsSampleWindowMs { get; init; }
    public int MetricsNumSamples { get; init; }

    /// <summary>KafkaActors only: waiting told records from which senders get <see cref="BufferFull"/>.</summary>
    public int TellBufferFullThreshold { get; init; }

    /// <summary>KafkaActors only: waiting told records at or below which those senders get <see cref="Ready"/>.</summary>
    public int TellReadyThreshold { get; init; }

    /// <summary>
    /// KafkaActors only (<c>tracing.propagate-context</c>): while the <c>KafkaActors</c> ActivitySource has listeners, each
    /// record's <c>send</c> span context goes into its headers as W3C <c>traceparent</c>/<c>tracestate</c> (headers the
    /// record already has are kept). Default: true.
    /// </summary>
    public bool TracingPropagateContext { get; init; } = true;

    /// <summary>
    /// KafkaActors only (<c>buffer.adaptive-limit</c>): while appenders wait for memory and the brokers already have
    /// enough of this producer's requests queued, hold them back below buffer.memory (a limit steered by each Produce
    /// answer; lifted while no answer comes), so a saturated producer queues less and its records wait less. Off: Java's
    /// rule, appenders wait only once buffer.memory is used up. Default: true.
    /// </summary>
    public bool BufferAdaptiveLimit { get; init; } = true;

    /// <summary><c>security.protocol</c>. Default: <see cref="Security.SecurityProtocol.Plaintext"/>.</summary>
    public SecurityProtocol SecurityProtocol { get; init; }

    /// <summary>The <c>ssl.*</c> settings with their stores loaded: set for SSL and SASL_SSL, null otherwise.</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>The <c>sasl.*</c> settings: set for SASL_PLAINTEXT and SASL_SSL, null otherwise.</summary>
    public SaslSettings? Sasl { get; init; }

    /// <summary>
    /// Where OAUTHBEARER tokens come from when given in code (Java's <c>sasl.login.callback.handler.class</c>);
    /// null: from <c>sasl.oauthbearer.token.endpoint.url</c> or Java's unsecured test tokens, as
    /// <c>sasl.jaas.config</c> says. Used only with <c>sasl.mechanism=OAUTHBEARER</c>.
    /// </summary>
    public IOAuthBearerTokenProvider? OAuthBearerTokenProvider { get; init; }

    /// <summary>
    /// The settings as Java property names and values, including defaults; what <see cref="WithProperty"/> edits.
    /// Secrets (<see cref="ProducerConfig.IsSecret"/>) that are set show as <c>[hidden]</c>.
    /// </summary>
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
        FromProperties(properties, null);

    /// <summary>
    /// Settings from Java properties, with OAUTHBEARER tokens from <paramref name="oauthBearerTokenProvider"/>
    /// (then <c>sasl.jaas.config</c> is optional for OAUTHBEARER).
    /// </summary>
    public static ProducerSettings FromProperties(IEnumerable<KeyValuePair<string, string>> properties, IOAuthBearerTokenProvider? oauthBearerTokenProvider) =>
        ProducerSettingsReader.Read(ProducerSettingsReader.ToConfig(properties), oauthBearerTokenProvider);

    /// <summary>
    /// Settings from HOCON: either the <c>akka.kafka.producer</c> block itself or a root config holding it.
    /// reference.conf fills in whatever is not set.
    /// </summary>
    public static ProducerSettings FromConfig(Config config) => FromConfig(config, null);

    /// <summary>As <see cref="FromConfig(Config)"/>, with OAUTHBEARER tokens from <paramref name="oauthBearerTokenProvider"/>.</summary>
    public static ProducerSettings FromConfig(Config config, IOAuthBearerTokenProvider? oauthBearerTokenProvider)
    {
        var block = config.HasPath(ReferenceConfig.ProducerPath) ? config.GetConfig(ReferenceConfig.ProducerPath) : config;
        return ProducerSettingsReader.Read(block, oauthBearerTokenProvider);
    }

    /// <summary>
    /// The settings a HOCON producer block sets itself, as Java properties: what it adds over
    /// reference.conf (also when reference.conf is merged into it, as in an ActorSystem's config).
    /// For layering settings from several sources before <see cref="FromProperties(IEnumerable{KeyValuePair{string, string}})"/>.
    /// The values are the real ones, secrets included: do not print them.
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
        return FromProperties(merged, OAuthBearerTokenProvider);
    }

    /// <summary>A validated copy whose OAUTHBEARER tokens come from <paramref name="provider"/>.</summary>
    public ProducerSettings WithOAuthBearerTokenProvider(IOAuthBearerTokenProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return FromProperties(ExplicitProperties, provider);
    }

    /// <summary>The properties the user set (not defaults): what a copy starts from. Holds secrets as given: never print it.</summary>
    internal IReadOnlyDictionary<string, string> ExplicitProperties { get; init; } = new Dictionary<string, string>();

    public TimeSpan MaxBlock => TimeSpan.FromMilliseconds(MaxBlockMs);
    public TimeSpan Linger => TimeSpan.FromMilliseconds(LingerMs);
    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);
    public TimeSpan DeliveryTimeout => TimeSpan.FromMilliseconds(DeliveryTimeoutMs);
}
