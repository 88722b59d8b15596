namespace KafkaActors.Settings;

/// <summary>Apache Kafka's producer property names (ProducerConfig), as used in reference.conf and property maps.</summary>
public static class ProducerConfig
{
    public const string BootstrapServers = "bootstrap.servers";
    public const string ClientId = "client.id";
    public const string Acks = "acks";
    public const string EnableIdempotence = "enable.idempotence";
    public const string DeliveryTimeoutMs = "delivery.timeout.ms";
    public const string RequestTimeoutMs = "request.timeout.ms";
    public const string MaxBlockMs = "max.block.ms";
    public const string Retries = "retries";
    public const string RetryBackoffMs = "retry.backoff.ms";
    public const string RetryBackoffMaxMs = "retry.backoff.max.ms";
    public const string ReconnectBackoffMs = "reconnect.backoff.ms";
    public const string ReconnectBackoffMaxMs = "reconnect.backoff.max.ms";
    public const string SocketConnectionSetupTimeoutMs = "socket.connection.setup.timeout.ms";
    public const string SocketConnectionSetupTimeoutMaxMs = "socket.connection.setup.timeout.max.ms";
    public const string ConnectionsMaxIdleMs = "connections.max.idle.ms";
    public const string SendBufferBytes = "send.buffer.bytes";
    public const string ReceiveBufferBytes = "receive.buffer.bytes";
    public const string BufferMemory = "buffer.memory";
    public const string BatchSize = "batch.size";
    public const string LingerMs = "linger.ms";
    public const string MaxRequestSize = "max.request.size";
    public const string MaxInFlightRequestsPerConnection = "max.in.flight.requests.per.connection";
    public const string CompressionType = "compression.type";
    public const string CompressionGzipLevel = "compression.gzip.level";
    public const string CompressionLz4Level = "compression.lz4.level";
    public const string CompressionZstdLevel = "compression.zstd.level";
    public const string PartitionerClass = "partitioner.class";
    public const string PartitionerIgnoreKeys = "partitioner.ignore.keys";
    public const string PartitionerAdaptivePartitioningEnable = "partitioner.adaptive.partitioning.enable";
    public const string PartitionerAvailabilityTimeoutMs = "partitioner.availability.timeout.ms";
    public const string InterceptorClasses = "interceptor.classes";
    /// <summary>Not a Java producer setting (the consumer's): ask brokers to auto-create unknown topics.</summary>
    public const string AllowAutoCreateTopics = "allow.auto.create.topics";
    public const string MetadataMaxAgeMs = "metadata.max.age.ms";
    public const string MetadataMaxIdleMs = "metadata.max.idle.ms";
    public const string TransactionalId = "transactional.id";
    public const string TransactionTimeoutMs = "transaction.timeout.ms";
    public const string SecurityProtocol = "security.protocol";

    /// <summary>KafkaActors only: waiting told records from which senders are told BufferFull.</summary>
    public const string TellBufferFullThreshold = "tell.buffer-full-threshold";

    /// <summary>KafkaActors only: waiting told records at or below which senders are told Ready.</summary>
    public const string TellReadyThreshold = "tell.ready-threshold";
}
