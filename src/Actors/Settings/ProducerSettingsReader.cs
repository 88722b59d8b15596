using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Akka.Configuration;
using KafkaActors.Errors;
using KafkaActors.Protocol.Records;
using KafkaActors.Security;
using C = KafkaActors.Settings.ProducerConfig;

namespace KafkaActors.Settings;

/// <summary>
/// Reads and validates settings the way Java's ProducerConfig does: types, ranges, and the rules
/// that tie settings together (idempotence, delivery timeout). Every failure is a
/// <see cref="ConfigException"/> naming the key.
/// </summary>
internal static class ProducerSettingsReader
{
    private static readonly Lazy<HashSet<string>> KnownKeys = new(() =>
        HoconPaths.Leaves(ReferenceConfig.Producer).ToHashSet(StringComparer.Ordinal));

    private static readonly HashSet<string> ListKeys = [C.InterceptorClasses, "metric.reporters"];

    /// <summary>HOCON from Java property names and string values; unknown names are rejected.</summary>
    public static Config ToConfig(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var hocon = new StringBuilder();
        foreach (var (key, value) in properties)
        {
            CheckKnown(key);
            if (value is null) throw new ConfigException(key, null, "a value is required.");
            hocon.Append(key).Append(" = ");
            if (ListKeys.Contains(key))
            {
                var items = SplitTypeList(value);
                hocon.Append('[').AppendJoin(", ", items.Select(Quote)).Append(']');
            }
            else
            {
                hocon.Append(Quote(value.Trim()));
            }
            hocon.Append('\n');
        }
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>Reads an <c>akka.kafka.producer</c> block over reference.conf.</summary>
    public static ProducerSettings Read(Config user, IOAuthBearerTokenProvider? tokenProvider = null)
    {
        var explicitKeys = UserKeys(user);
        foreach (var key in explicitKeys) CheckKnown(key);
        var config = user.WithFallback(ReferenceConfig.Producer);
        var r = new ConfigReader(config);

        var acks = ParseAcks(r.String(C.Acks));
        var maxInFlight = r.Int(C.MaxInFlightRequestsPerConnection, min: 1);
        var retries = r.Int(C.Retries, min: 0);
        var linger = r.Long(C.LingerMs, min: 0);
        var requestTimeout = r.Int(C.RequestTimeoutMs, min: 0);
        var deliveryTimeout = r.Int(C.DeliveryTimeoutMs, min: 0);
        var batchSize = r.Int(C.BatchSize, min: 0);
        var bufferMemory = r.Long(C.BufferMemory, min: 0);
        var compression = ParseCompression(r.String(C.CompressionType));

        var transactionalId = r.String(C.TransactionalId);
        var transactional = transactionalId.Length > 0;
        var idempotenceExplicit = explicitKeys.Contains(C.EnableIdempotence);
        var idempotenceRequested = r.Bool(C.EnableIdempotence);
        // Java: a transactional producer is idempotent; turning idempotence off, or a setting that conflicts with it, is an error.
        if (transactional && !idempotenceRequested)
            throw new ConfigException(C.EnableIdempotence, false, $"cannot be false with a {C.TransactionalId}: transactions need the idempotent producer.");
        var idempotence = ResolveIdempotence(idempotenceRequested, idempotenceExplicit || transactional, acks, maxInFlight, retries);

        // Java: an explicit delivery.timeout.ms below linger + request timeout is an error; the default is raised instead.
        if (deliveryTimeout < linger + requestTimeout)
        {
            if (explicitKeys.Contains(C.DeliveryTimeoutMs))
                throw new ConfigException(C.DeliveryTimeoutMs, deliveryTimeout,
                    $"should be equal to or larger than {C.LingerMs} + {C.RequestTimeoutMs} ({linger + requestTimeout}).");
            deliveryTimeout = (int)Math.Min(int.MaxValue, linger + requestTimeout);
        }

        if (bufferMemory < batchSize)
            throw new ConfigException(C.BufferMemory, bufferMemory, $"must be at least {C.BatchSize} ({batchSize}) so that one batch fits.");

        var tellFull = r.Int(C.TellBufferFullThreshold, min: 1);
        var tellReady = r.Int(C.TellReadyThreshold, min: 0);
        if (tellReady >= tellFull)
            throw new ConfigException(C.TellReadyThreshold, tellReady, $"must be below {C.TellBufferFullThreshold} ({tellFull}).");

        var (securityProtocol, tls, sasl) = SecuritySettingsReader.Read(r, explicitKeys, tokenProvider);

        var settings = new ProducerSettings
        {
            BootstrapServers = ParseBootstrap(r.String(C.BootstrapServers)),
            ClientId = r.String(C.ClientId),
            Acks = acks,
            EnableIdempotence = idempotence,
            DeliveryTimeoutMs = deliveryTimeout,
            RequestTimeoutMs = requestTimeout,
            MaxBlockMs = r.Long(C.MaxBlockMs, min: 0),
            Retries = retries,
            RetryBackoffMs = r.Long(C.RetryBackoffMs, min: 0),
            RetryBackoffMaxMs = r.Long(C.RetryBackoffMaxMs, min: 0),
            ReconnectBackoffMs = r.Long(C.ReconnectBackoffMs, min: 0),
            ReconnectBackoffMaxMs = r.Long(C.ReconnectBackoffMaxMs, min: 0),
            SocketConnectionSetupTimeoutMs = r.Long(C.SocketConnectionSetupTimeoutMs, min: 0),
            SocketConnectionSetupTimeoutMaxMs = r.Long(C.SocketConnectionSetupTimeoutMaxMs, min: 0),
            ConnectionsMaxIdleMs = r.Long(C.ConnectionsMaxIdleMs, min: -1),
            SendBufferBytes = r.Int(C.SendBufferBytes, min: -1),
            ReceiveBufferBytes = r.Int(C.ReceiveBufferBytes, min: -1),
            BufferMemory = bufferMemory,
            BatchSize = batchSize,
            LingerMs = linger,
            MaxRequestSize = r.Int(C.MaxRequestSize, min: 0),
            MaxInFlightRequestsPerConnection = maxInFlight,
            CompressionType = compression,
            CompressionGzipLevel = r.Level(C.CompressionGzipLevel, CompressionType.Gzip),
            CompressionLz4Level = r.Level(C.CompressionLz4Level, CompressionType.Lz4),
            CompressionZstdLevel = r.Level(C.CompressionZstdLevel, CompressionType.Zstd),
            PartitionerClass = r.String(C.PartitionerClass),
            PartitionerIgnoreKeys = r.Bool(C.PartitionerIgnoreKeys),
            PartitionerAdaptivePartitioningEnable = r.Bool(C.PartitionerAdaptivePartitioningEnable),
            PartitionerAvailabilityTimeoutMs = r.Long(C.PartitionerAvailabilityTimeoutMs, min: 0),
            InterceptorClasses = r.List(C.InterceptorClasses),
            AllowAutoCreateTopics = r.Bool(C.AllowAutoCreateTopics),
            MetadataMaxAgeMs = r.Long(C.MetadataMaxAgeMs, min: 0),
            MetadataMaxIdleMs = r.Long(C.MetadataMaxIdleMs, min: 5000),
            MetadataRecoveryStrategy = ParseRecoveryStrategy(r.String(C.MetadataRecoveryStrategy)),
            MetadataRecoveryRebootstrapTriggerMs = r.Long(C.MetadataRecoveryRebootstrapTriggerMs, min: 0),
            ClientDnsLookup = ParseDnsLookup(r.String(C.ClientDnsLookup)),
            TransactionalId = transactional ? transactionalId : null,
            TransactionTimeoutMs = r.Int(C.TransactionTimeoutMs, min: 1),
            MetricsSampleWindowMs = r.Long("metrics.sample.window.ms", min: 1),
            MetricsNumSamples = r.Int("metrics.num.samples", min: 1),
            TellBufferFullThreshold = tellFull,
            TellReadyThreshold = tellReady,
            TracingPropagateContext = r.Bool(C.TracingPropagateContext),
            BufferAdaptiveLimit = r.Bool(C.BufferAdaptiveLimit),
            SecurityProtocol = securityProtocol,
            Tls = tls,
            Sasl = sasl,
            OAuthBearerTokenProvider = tokenProvider,
            Properties = KnownKeys.Value.ToDictionary(key => key, key => Shown(key, Describe(config, key))),
            ExplicitProperties = explicitKeys.ToDictionary(key => key, key => Describe(config, key)),
        };
        return settings;
    }

    /// <summary>
    /// The keys a user set. A block taken from an ActorSystem's config already has reference.conf merged
    /// in; Akka keeps each fallback's value objects as parsed, so a value that is the very object
    /// reference.conf holds was set by nobody else. (Were a future Akka to copy them, every key would count
    /// as set, which only makes Java's silent "idempotence off" turn into a ConfigException.)
    /// </summary>
    internal static List<string> UserKeys(Config user)
    {
        if (user.IsEmpty) return [];
        var reference = ReferenceConfig.Producer;
        return HoconPaths.Leaves(user)
            .Where(key => !reference.HasPath(key) || !ReferenceEquals(user.GetValue(key), reference.GetValue(key)))
            .ToList();
    }

    private static bool ResolveIdempotence(bool requested, bool isExplicit, short acks, int maxInFlight, int retries)
    {
        if (!requested) return false;
        string? conflict = null;
        string? key = null;
        object? value = null;
        if (acks != -1)
        {
            (key, value, conflict) = (C.Acks, acks, "must be all (-1) in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.");
        }
        else if (maxInFlight > 5)
        {
            (key, value, conflict) = (C.MaxInFlightRequestsPerConnection, maxInFlight, "must be at most 5 to use the idempotent producer.");
        }
        else if (retries == 0)
        {
            (key, value, conflict) = (C.Retries, retries, "must be non-zero when using the idempotent producer.");
        }
        if (conflict is null) return true;
        // Java 3.x: idempotence left at its default is silently turned off by conflicting settings.
        if (isExplicit) throw new ConfigException(key!, value, conflict + $" ({C.EnableIdempotence} is true, or {C.TransactionalId} is set)");
        return false;
    }

    private static short ParseAcks(string value) => value.Trim().ToLowerInvariant() switch
    {
        "all" or "-1" => -1,
        "0" => 0,
        "1" => 1,
        _ => throw new ConfigException(C.Acks, value, "must be one of all, -1, 0, 1."),
    };

    /// <summary>
    /// Java lists class names with commas, but a .NET assembly-qualified name has commas of its own
    /// ("Ns.Type, Assembly, Version=..."). So: ';' (or new lines) separate entries when present; a value
    /// that names one loadable type is one entry; otherwise commas separate, as in Java.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification =
        "Only probes whether the whole value names one type, to choose how to split it. The entries are loaded by "
        + "InterceptorFactory (RequiresUnreferencedCode); a trimmed-away type splits at commas and then fails there with a ConfigException.")]
    internal static string[] SplitTypeList(string value)
    {
        const StringSplitOptions options = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
        if (value.IndexOfAny([';', '\n']) >= 0) return value.Split([';', '\n'], options);
        if (value.Trim().Length > 0 && Type.GetType(value.Trim(), throwOnError: false) is not null) return [value.Trim()];
        return value.Split(',', options);
    }

    private static MetadataRecoveryStrategy ParseRecoveryStrategy(string value) => value.Trim().ToLowerInvariant() switch
    {
        "rebootstrap" => MetadataRecoveryStrategy.Rebootstrap,
        "none" => MetadataRecoveryStrategy.None,
        _ => throw new ConfigException(C.MetadataRecoveryStrategy, value, "must be one of rebootstrap, none."),
    };

    private static ClientDnsLookup ParseDnsLookup(string value) => value.Trim().ToLowerInvariant() switch
    {
        "use_all_dns_ips" => ClientDnsLookup.UseAllDnsIps,
        "resolve_canonical_bootstrap_servers_only" => ClientDnsLookup.ResolveCanonicalBootstrapServersOnly,
        _ => throw new ConfigException(C.ClientDnsLookup, value, "must be one of use_all_dns_ips, resolve_canonical_bootstrap_servers_only."),
    };

    private static CompressionType ParseCompression(string value) => value.Trim().ToLowerInvariant() switch
    {
        "none" or "" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw new ConfigException(C.CompressionType, value, "must be one of none, gzip, snappy, lz4, zstd."),
    };

    private static IReadOnlyList<string> ParseBootstrap(string value)
    {
        var servers = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (servers.Length == 0) throw new ConfigException(C.BootstrapServers, value, "at least one host:port is required.");
        foreach (var server in servers)
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw new ConfigException(C.BootstrapServers, value, $"'{server}' is not a valid host:port.");
        }
        return servers;
    }

    private static void CheckKnown(string key)
    {
        if (!KnownKeys.Value.Contains(key))
            throw ConfigException.Unknown(key);
    }

    /// <summary>A HOCON quoted string; control characters are escaped so that no value can break the parse (whose errors would quote it).</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': quoted.Append("\\\\"); break;
                case '"': quoted.Append("\\\""); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case < ' ': quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>A value as the public <see cref="ProducerSettings.Properties"/> shows it: secrets that are set as <c>[hidden]</c>.</summary>
    private static string Shown(string key, string value) => value.Length > 0 && C.IsSecret(key) ? C.Hidden : value;

    internal static string Describe(Config config, string key) =>
        config.GetValue(key).IsArray() ? string.Join(";", config.GetStringList(key)) : config.GetString(key) ?? "";
}
