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
    public const string MetadataRecoveryStrategy = "metadata.recovery.strategy";
    public const string MetadataRecoveryRebootstrapTriggerMs = "metadata.recovery.rebootstrap.trigger.ms";
    public const string ClientDnsLookup = "client.dns.lookup";
    public const string TransactionalId = "transactional.id";
    public const string TransactionTimeoutMs = "transaction.timeout.ms";
    public const string SecurityProtocol = "security.protocol";
    public const string SecurityProviders = "security.providers";

    public const string SslProtocol = "ssl.protocol";
    public const string SslEnabledProtocols = "ssl.enabled.protocols";
    public const string SslEndpointIdentificationAlgorithm = "ssl.endpoint.identification.algorithm";
    public const string SslTruststoreType = "ssl.truststore.type";
    public const string SslTruststoreLocation = "ssl.truststore.location";
    public const string SslTruststorePassword = "ssl.truststore.password";
    public const string SslTruststoreCertificates = "ssl.truststore.certificates";
    public const string SslKeystoreType = "ssl.keystore.type";
    public const string SslKeystoreLocation = "ssl.keystore.location";
    public const string SslKeystorePassword = "ssl.keystore.password";
    public const string SslKeyPassword = "ssl.key.password";
    public const string SslKeystoreCertificateChain = "ssl.keystore.certificate.chain";
    public const string SslKeystoreKey = "ssl.keystore.key";
    public const string SslCipherSuites = "ssl.cipher.suites";
    public const string SslKeymanagerAlgorithm = "ssl.keymanager.algorithm";
    public const string SslTrustmanagerAlgorithm = "ssl.trustmanager.algorithm";
    public const string SslSecureRandomImplementation = "ssl.secure.random.implementation";
    public const string SslEngineFactoryClass = "ssl.engine.factory.class";
    public const string SslProvider = "ssl.provider";

    public const string SaslMechanism = "sasl.mechanism";
    public const string SaslJaasConfig = "sasl.jaas.config";
    public const string SaslClientCallbackHandlerClass = "sasl.client.callback.handler.class";
    public const string SaslLoginCallbackHandlerClass = "sasl.login.callback.handler.class";
    public const string SaslLoginClass = "sasl.login.class";
    public const string SaslOAuthBearerTokenEndpointUrl = "sasl.oauthbearer.token.endpoint.url";
    public const string SaslOAuthBearerScopeClaimName = "sasl.oauthbearer.scope.claim.name";
    public const string SaslOAuthBearerSubClaimName = "sasl.oauthbearer.sub.claim.name";
    public const string SaslLoginConnectTimeoutMs = "sasl.login.connect.timeout.ms";
    public const string SaslLoginReadTimeoutMs = "sasl.login.read.timeout.ms";
    public const string SaslLoginRetryBackoffMs = "sasl.login.retry.backoff.ms";
    public const string SaslLoginRetryBackoffMaxMs = "sasl.login.retry.backoff.max.ms";
    public const string SaslLoginRefreshWindowFactor = "sasl.login.refresh.window.factor";
    public const string SaslLoginRefreshWindowJitter = "sasl.login.refresh.window.jitter";
    public const string SaslLoginRefreshMinPeriodSeconds = "sasl.login.refresh.min.period.seconds";
    public const string SaslLoginRefreshBufferSeconds = "sasl.login.refresh.buffer.seconds";
    public const string SaslKerberosServiceName = "sasl.kerberos.service.name";
    public const string SaslKerberosKinitCmd = "sasl.kerberos.kinit.cmd";
    public const string SaslKerberosTicketRenewWindowFactor = "sasl.kerberos.ticket.renew.window.factor";
    public const string SaslKerberosTicketRenewJitter = "sasl.kerberos.ticket.renew.jitter";
    public const string SaslKerberosMinTimeBeforeRelogin = "sasl.kerberos.min.time.before.relogin";

    /// <summary>What Java prints instead of a secret value (a <c>PASSWORD</c>-typed setting).</summary>
    public const string Hidden = "[hidden]";

    /// <summary>
    /// Whether <paramref name="key"/> holds a secret, whose value must never be printed: the passwords,
    /// the inline private key, the JAAS configuration (it holds passwords and client secrets), and, to be
    /// safe with settings added later, any key ending in <c>.password</c> or containing <c>secret</c>.
    /// </summary>
    public static bool IsSecret(string key) =>
        key.Equals(SaslJaasConfig, StringComparison.OrdinalIgnoreCase)
        || key.Equals(SslKeystoreKey, StringComparison.OrdinalIgnoreCase)
        || key.EndsWith(".password", StringComparison.OrdinalIgnoreCase) // ssl.truststore/keystore/key.password
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase);

    /// <summary>KafkaActors only: waiting told records from which senders are told BufferFull.</summary>
    public const string TellBufferFullThreshold = "tell.buffer-full-threshold";

    /// <summary>KafkaActors only: waiting told records at or below which senders are told Ready.</summary>
    public const string TellReadyThreshold = "tell.ready-threshold";

    /// <summary>KafkaActors only: whether a traced record's span context is written into its headers (W3C traceparent, tracestate).</summary>
    public const string TracingPropagateContext = "tracing.propagate-context";

    /// <summary>KafkaActors only: whether appenders may be held back below buffer.memory while the brokers have enough queued.</summary>
    public const string BufferAdaptiveLimit = "buffer.adaptive-limit";
}
