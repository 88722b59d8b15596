using System.Globalization;
using Akka.Configuration;
using KafkaActors.Errors;
using KafkaActors.Interceptors;
using KafkaActors.Partitioning;
using KafkaActors.Protocol.Records;
using KafkaActors.Security;
using KafkaActors.Serialization;
using C = KafkaActors.Settings.ProducerConfig;

namespace KafkaActors.Hosting;

/// <summary>Java's <c>acks</c>: how many acknowledgements the partition leader waits for before answering.</summary>
public enum Acks
{
    /// <summary><c>acks=all</c> (-1): the full in-sync replica set; Kafka's default.</summary>
    All = -1,

    /// <summary><c>acks=0</c>: no answer at all; offsets are unknown.</summary>
    None = 0,

    /// <summary><c>acks=1</c>: the leader only.</summary>
    Leader = 1,
}

/// <summary>
/// The settings of one hosted producer, as set in code. Every property is null unless set, and only set
/// properties are emitted (see <see cref="ToProperties"/> and <see cref="ToHocon"/>), so whatever is left
/// null comes from the next layer down: an <c>IConfiguration</c> section, then the ActorSystem's HOCON
/// (<c>akka.kafka.producers.&lt;name&gt;</c>, then <c>akka.kafka.producer</c>), then hocon/reference.conf.
/// The default named on each property is reference.conf's, i.e. Kafka's.
/// </summary>
/// <remarks>
/// Settings without a property here go into <see cref="Properties"/> under their Java name; a typed
/// property wins over the same key in <see cref="Properties"/>. Not thread-safe: fill it in, then hand it
/// to <see cref="KafkaProducerHostingExtensions"/>, which copies what it needs at that moment.
/// </remarks>
public class KafkaProducerOptions
{
    /// <summary><c>bootstrap.servers</c>: comma-separated <c>host:port</c> pairs. Required (in some layer); no default.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary><c>client.id</c>. Default here: the producer's name (Kafka's own default is <c>producer-N</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary><c>acks</c>. Default: <see cref="Hosting.Acks.All"/>.</summary>
    public Acks? Acks { get; set; }

    /// <summary>
    /// <c>enable.idempotence</c>. Default: true, silently turned off when acks, retries or in-flight limits
    /// conflict with it; set explicitly to true, such a conflict fails startup instead (as in Java).
    /// </summary>
    public bool? EnableIdempotence { get; set; }

    /// <summary><c>linger.ms</c>: how long a batch that is not full waits for more records. Default: 5.</summary>
    public long? LingerMs { get; set; }

    /// <summary><c>batch.size</c>: target bytes of one partition's batch. Default: 16384.</summary>
    public int? BatchSize { get; set; }

    /// <summary><c>buffer.memory</c>: total bytes of records waiting to be sent. Default: 33554432 (32 MiB).</summary>
    public long? BufferMemory { get; set; }

    /// <summary><c>compression.type</c>. Default: <see cref="Protocol.Records.CompressionType.None"/>.</summary>
    public CompressionType? CompressionType { get; set; }

    /// <summary>
    /// The level for <see cref="CompressionType"/> (emitted as <c>compression.gzip.level</c>,
    /// <c>compression.lz4.level</c> or <c>compression.zstd.level</c>); needs <see cref="CompressionType"/>.
    /// Default: gzip -1 (zlib's default), lz4 9, zstd 3.
    /// </summary>
    public int? CompressionLevel { get; set; }

    /// <summary><c>max.in.flight.requests.per.connection</c>. Default: 5 (at most 5 with idempotence).</summary>
    public int? MaxInFlightRequestsPerConnection { get; set; }

    /// <summary><c>delivery.timeout.ms</c>: bound from send to outcome, retries included. Default: 120000.</summary>
    public int? DeliveryTimeoutMs { get; set; }

    /// <summary><c>request.timeout.ms</c>: how long one request may wait for its answer. Default: 30000.</summary>
    public int? RequestTimeoutMs { get; set; }

    /// <summary><c>max.block.ms</c>: how long a send may wait for metadata or buffer memory. Default: 60000.</summary>
    public long? MaxBlockMs { get; set; }

    /// <summary><c>retries</c>. Default: 2147483647 (delivery.timeout.ms is the real bound).</summary>
    public int? Retries { get; set; }

    /// <summary><c>retry.backoff.ms</c>. Default: 100.</summary>
    public long? RetryBackoffMs { get; set; }

    /// <summary><c>retry.backoff.max.ms</c>. Default: 1000.</summary>
    public long? RetryBackoffMaxMs { get; set; }

    /// <summary><c>max.request.size</c>: largest request, and so largest record. Default: 1048576.</summary>
    public int? MaxRequestSize { get; set; }

    /// <summary><c>allow.auto.create.topics</c> (KafkaActors: whether Metadata asks brokers to create unknown topics). Default: true.</summary>
    public bool? AllowAutoCreateTopics { get; set; }

    /// <summary><c>metadata.max.age.ms</c>. Default: 300000.</summary>
    public long? MetadataMaxAgeMs { get; set; }

    /// <summary><c>partitioner.ignore.keys</c>. Default: false.</summary>
    public bool? PartitionerIgnoreKeys { get; set; }

    /// <summary>
    /// <c>transactional.id</c>: makes the producer transactional (idempotence is forced on; an explicit
    /// <see cref="EnableIdempotence"/> = false fails startup). Call InitTransactions on the facade, or Tell
    /// <c>InitTransactions</c> to the actor, before the first transaction. Default: none.
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary><c>transaction.timeout.ms</c>: how long the coordinator lets a transaction stay open before aborting it. Default: 60000.</summary>
    public int? TransactionTimeoutMs { get; set; }

    /// <summary><c>partitioner.adaptive.partitioning.enable</c>: weigh the sticky partition by queue sizes (KIP-794). Default: true.</summary>
    public bool? PartitionerAdaptivePartitioningEnable { get; set; }

    /// <summary><c>partitioner.availability.timeout.ms</c>: leave out partitions that could not send for that long; 0 = off. Default: 0.</summary>
    public long? PartitionerAvailabilityTimeoutMs { get; set; }

    /// <summary><c>tell.buffer-full-threshold</c> (KafkaActors only): waiting told records from which senders get <c>BufferFull</c>. Default: 10000.</summary>
    public int? TellBufferFullThreshold { get; set; }

    /// <summary><c>tell.ready-threshold</c> (KafkaActors only): waiting told records at or below which they get <c>Ready</c>. Default: 5000.</summary>
    public int? TellReadyThreshold { get; set; }

    /// <summary><c>tracing.propagate-context</c> (KafkaActors only): write each traced record's span context into its headers (W3C traceparent). Default: true.</summary>
    public bool? TracingPropagateContext { get; set; }

    /// <summary><c>buffer.adaptive-limit</c> (KafkaActors only): hold appenders back below buffer.memory while the brokers have enough queued. Default: true.</summary>
    public bool? BufferAdaptiveLimit { get; set; }

    /// <summary>
    /// Any other producer setting by its Java name (e.g. <c>"connections.max.idle.ms"</c>, <c>"security.protocol"</c>,
    /// <c>"sasl.jaas.config"</c>). Unknown names fail startup. Secrets set here are kept out of the ActorSystem's
    /// HOCON (which Akka may log), and are never printed.
    /// </summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The <c>IConfiguration</c> section read for this producer (keys are Java names, e.g.
    /// <c>"linger.ms"</c>). Default: <c>Kafka:Producers:&lt;name&gt;</c>; an empty string reads none.
    /// </summary>
    public string? ConfigurationSectionPath { get; set; }

    /// <summary>Chooses partitions for records without one; null: the built-in partitioner (or <c>partitioner.class</c>).</summary>
    public IPartitioner? Partitioner { get; set; }

    /// <summary>
    /// Supplies OAUTHBEARER tokens (with <c>sasl.mechanism=OAUTHBEARER</c>); null: tokens come from
    /// <c>sasl.oauthbearer.token.endpoint.url</c> or <c>sasl.jaas.config</c>'s unsecured options.
    /// </summary>
    public IOAuthBearerTokenProvider? OAuthBearerTokenProvider { get; set; }

    /// <summary>The settings that are set, by Java name: <see cref="Properties"/> overlaid with the typed properties.</summary>
    /// <exception cref="ConfigException">A key is not a plausible setting name, or <see cref="CompressionLevel"/> lacks <see cref="CompressionType"/>.</exception>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Properties)
        {
            HoconText.CheckKey(key);
            properties[key] = value ?? throw new ConfigException(key, null, "a value is required.");
        }
        Set(properties, C.BootstrapServers, BootstrapServers);
        Set(properties, C.ClientId, ClientId);
        Set(properties, C.Acks, Acks switch
        {
            null => null,
            Hosting.Acks.All => "all",
            var acks => ((int)acks).ToString(CultureInfo.InvariantCulture),
        });
        Set(properties, C.EnableIdempotence, EnableIdempotence);
        Set(properties, C.LingerMs, LingerMs);
        Set(properties, C.BatchSize, BatchSize);
        Set(properties, C.BufferMemory, BufferMemory);
        Set(properties, C.CompressionType, CompressionType?.ToString().ToLowerInvariant());
        if (CompressionLevel is { } level)
        {
            var key = CompressionType switch
            {
                Protocol.Records.CompressionType.Gzip => C.CompressionGzipLevel,
                Protocol.Records.CompressionType.Lz4 => C.CompressionLz4Level,
                Protocol.Records.CompressionType.Zstd => C.CompressionZstdLevel,
                _ => throw new ConfigException(C.CompressionType, CompressionType?.ToString().ToLowerInvariant(),
                    $"CompressionLevel ({level}) needs CompressionType gzip, lz4 or zstd in the same options; or set {C.CompressionGzipLevel}, {C.CompressionLz4Level} or {C.CompressionZstdLevel} in Properties."),
            };
            properties[key] = level.ToString(CultureInfo.InvariantCulture);
        }
        Set(properties, C.MaxInFlightRequestsPerConnection, MaxInFlightRequestsPerConnection);
        Set(properties, C.DeliveryTimeoutMs, DeliveryTimeoutMs);
        Set(properties, C.RequestTimeoutMs, RequestTimeoutMs);
        Set(properties, C.MaxBlockMs, MaxBlockMs);
        Set(properties, C.Retries, Retries);
        Set(properties, C.RetryBackoffMs, RetryBackoffMs);
        Set(properties, C.RetryBackoffMaxMs, RetryBackoffMaxMs);
        Set(properties, C.MaxRequestSize, MaxRequestSize);
        Set(properties, C.AllowAutoCreateTopics, AllowAutoCreateTopics);
        Set(properties, C.MetadataMaxAgeMs, MetadataMaxAgeMs);
        Set(properties, C.PartitionerIgnoreKeys, PartitionerIgnoreKeys);
        Set(properties, C.TransactionalId, TransactionalId);
        Set(properties, C.TransactionTimeoutMs, TransactionTimeoutMs);
        Set(properties, C.PartitionerAdaptivePartitioningEnable, PartitionerAdaptivePartitioningEnable);
        Set(properties, C.PartitionerAvailabilityTimeoutMs, PartitionerAvailabilityTimeoutMs);
        Set(properties, C.TellBufferFullThreshold, TellBufferFullThreshold);
        Set(properties, C.TellReadyThreshold, TellReadyThreshold);
        Set(properties, C.TracingPropagateContext, TracingPropagateContext);
        Set(properties, C.BufferAdaptiveLimit, BufferAdaptiveLimit);
        return properties;
    }

    /// <summary>
    /// The set settings as HOCON (secrets such as <c>sasl.jaas.config</c> included, as given): under <c>akka.kafka.producers.&lt;producerName&gt;</c>, or under
    /// <c>akka.kafka.producer</c> when <paramref name="producerName"/> is null. Empty when nothing is set.
    /// </summary>
    /// <exception cref="ConfigException">As <see cref="ToProperties"/>.</exception>
    public Config ToHocon(string? producerName = null)
    {
        var path = producerName is null ? KafkaProducerHostingExtensions.DefaultPath : KafkaProducerHostingExtensions.NamedPath(producerName);
        return HoconText.ToConfig(path, ToProperties());
    }

    private static void Set(Dictionary<string, string> properties, string key, string? value)
    {
        if (value is not null) properties[key] = value;
    }

    private static void Set(Dictionary<string, string> properties, string key, long? value)
    {
        if (value is { } v) properties[key] = v.ToString(CultureInfo.InvariantCulture);
    }

    private static void Set(Dictionary<string, string> properties, string key, bool? value)
    {
        if (value is { } v) properties[key] = v ? "true" : "false";
    }
}

/// <summary>
/// <see cref="KafkaProducerOptions"/> plus what only code can give, typed to the producer's key and value:
/// serializers and interceptors.
/// </summary>
public sealed class KafkaProducerOptions<TKey, TValue> : KafkaProducerOptions
{
    /// <summary>Default: the built-in serializer for <typeparamref name="TKey"/> (byte[], string, int, long, ReadOnlyMemory&lt;byte&gt;); startup fails without one.</summary>
    public ISerializer<TKey>? KeySerializer { get; set; }

    /// <summary>Default: the built-in serializer for <typeparamref name="TValue"/>; startup fails without one.</summary>
    public ISerializer<TValue>? ValueSerializer { get; set; }

    /// <summary>Applied in order, after any listed in <c>interceptor.classes</c>. Closed with the producer.</summary>
    public List<IProducerInterceptor<TKey, TValue>> Interceptors { get; set; } = [];
}
