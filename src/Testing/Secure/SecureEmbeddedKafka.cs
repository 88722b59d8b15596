using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Net.Security;
using KafkaActors.Protocol.Messages;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure.Idempotence;
using KafkaActors.Testing.Secure.Sasl;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// An embedded Kafka with secure listeners: one relay ("front") per mock broker that terminates TLS and performs
/// SASL server-side (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER), then relays Kafka frames to the broker.
/// The brokers advertise the fronts' addresses, so Metadata and FindCoordinator send clients back through them.
/// </summary>
/// <remarks>
/// Owns its listeners, its test CA and certificate files, and (when started with <see cref="Start(SecureKafkaOptions?)"/>)
/// the <see cref="EmbeddedKafka"/>; dispose it to stop them. Thread-safe. Fault injection goes through <see cref="Cluster"/>
/// as usual; a broker set down drops the relayed connections too. Brokers added after start get no front. The fronts
/// enforce idempotence as a Kafka broker does (see <see cref="Idempotence"/>), which the mock alone does not. What the
/// mock cannot show or do, the fronts add: a log of requests and responses (<see cref="RequestLog"/>), connection counts,
/// throttle times (<see cref="SetThrottleTime"/>), and listeners that can be stopped or added (<see cref="Listener"/>).
/// </remarks>
public sealed class SecureEmbeddedKafka : IAsyncDisposable, IDisposable
{
    private readonly EmbeddedKafka _cluster;
    private readonly bool _ownsCluster;
    private readonly SecureKafkaOptions _options;
    // One advertised listener per broker, fixed once constructed; the added ones under their own lock.
    private readonly List<FrontListener> _listeners = [];
    private readonly List<FrontListener> _addedListeners = [];
    private readonly X509Certificate2? _serverCertificate;
    private readonly bool _deleteCertificateDirectory;
    private readonly FrontFaults _faults = new();
    private int _disposed;

    private SecureEmbeddedKafka(EmbeddedKafka cluster, bool ownsCluster, SecureKafkaOptions options)
    {
        _cluster = cluster;
        _ownsCluster = ownsCluster;
        _options = options;
        SecurityProtocol = options.SecurityProtocol;
        Users = new Dictionary<string, string>(options.Users);
        SaslMechanisms = options.SaslMechanisms.ToArray();
        foreach (var mechanism in SaslMechanisms)
        {
            if (!SecureKafkaOptions.AllSaslMechanisms.Contains(mechanism))
                throw new ArgumentException($"Unsupported SASL mechanism '{mechanism}'; the front implements {string.Join(", ", SecureKafkaOptions.AllSaslMechanisms)}.", nameof(options));
        }

        Authority = TestCertificateAuthority.Create();
        var directory = options.CertificateDirectory ?? Path.Combine(Path.GetTempPath(), "kafkaactors-certs-" + Guid.NewGuid().ToString("N"));
        _deleteCertificateDirectory = options.CertificateDirectory is null;
        using (var clientCertificate = Authority.IssueClientCertificate())
            Certificates = TestCertificateFiles.Write(Authority, clientCertificate, directory, options.ClientKeyPassword, options.StorePassword);

        FrontTls? tls = null;
        if (SecurityProtocol.UsesTls())
        {
            var presented = options.ServerCertificate;
            if (presented is null)
            {
                _serverCertificate = options.ServerCertificateKind switch
                {
                    ServerCertificateKind.Expired => Authority.IssueExpiredServerCertificate(),
                    ServerCertificateKind.WrongHost => Authority.IssueWrongHostServerCertificate(),
                    _ => Authority.IssueServerCertificate(),
                };
                presented = _serverCertificate;
            }
            var context = SslStreamCertificateContext.Create(presented, additionalCertificates: null, offline: true);
            tls = new FrontTls(context, options.TlsProtocols, options.RequireClientCertificate ? Authority : null);
        }

        FrontSaslSettings? sasl = SecurityProtocol.UsesSasl()
            ? new FrontSaslSettings(SaslMechanisms, mechanism => SaslServerMechanisms.Create(mechanism, Users)
                ?? throw new InvalidOperationException($"No server for SASL mechanism '{mechanism}'."), options.SessionLifetime)
            : null;
        // The brokers' own listeners, from Metadata, before they are told to advertise the fronts instead.
        var upstreams = QueryBrokerListeners(cluster);
        Idempotence = new IdempotenceEnforcement(new MockLogLookup(upstreams), options.EnforceIdempotence);
        var idempotence = new IdempotenceStage(Idempotence);
        var extraStages = options.FrameHandlers.ToArray();
        Func<FrontConnectionInfo, IFrameHandler[]> pipeline = info =>
        {
            var stages = new List<IFrameHandler>(extraStages.Length + 4);
            if (sasl is not null) stages.Add(new SaslAuthenticationStage(info, sasl, Counters));
            foreach (var create in extraStages) stages.Add(create(info));
            if (TransactionalOffsets is { } offsets) stages.Add(new TransactionalOffsetsStage(offsets, info));
            stages.Add(idempotence);
            stages.Add(AcksZeroProduceStage.Instance);
            return stages.ToArray();
        };

        // Set before the listeners exist, so before the pipeline runs for a first connection.
        TransactionalOffsets = options.TransactionalOffsets ? new TransactionalOffsetStore(upstreams) : null;
        var addresses = new List<string>();
        try
        {
            foreach (var id in cluster.BrokerIds)
            {
                if (!upstreams.TryGetValue(id, out var upstream))
                    throw new EmbeddedKafkaException($"Broker {id} is missing from the cluster's Metadata.");
                var listener = new FrontListener(new FrontSettings(id, upstream, tls, Counters, _faults, pipeline, RequestLog));
                _listeners.Add(listener);
                cluster.SetBrokerHostPort(id, options.AdvertisedHost, listener.Port);
                addresses.Add($"{options.AdvertisedHost}:{listener.Port}");
            }
        }
        catch
        {
            foreach (var listener in _listeners) listener.CloseAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        BootstrapServers = string.Join(",", addresses);
    }

    /// <summary>Starts a mock cluster of <see cref="SecureKafkaOptions.Brokers"/> brokers and its fronts; the front owns the cluster.</summary>
    public static SecureEmbeddedKafka Start(SecureKafkaOptions? options = null)
    {
        options ??= new SecureKafkaOptions();
        var cluster = EmbeddedKafka.Start(options.Brokers);
        try
        {
            return new SecureEmbeddedKafka(cluster, ownsCluster: true, options);
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts fronts before an existing cluster's brokers (which then advertise the fronts). The caller keeps owning
    /// <paramref name="cluster"/>; it must not have been re-pointed with <see cref="EmbeddedKafka.SetBrokerHostPort"/> before.
    /// </summary>
    public static SecureEmbeddedKafka Start(EmbeddedKafka cluster, SecureKafkaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new SecureEmbeddedKafka(cluster, ownsCluster: false, options ?? new SecureKafkaOptions());
    }

    /// <summary>The fronts' addresses (<c>host:port,...</c>), in broker id order: a client's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The mock cluster behind the fronts, for topics and fault injection. Its <see cref="EmbeddedKafka.BootstrapServers"/> bypasses the fronts.</summary>
    public EmbeddedKafka Cluster => _cluster;

    /// <summary>The listeners' protocol.</summary>
    public ListenerSecurityProtocol SecurityProtocol { get; }

    /// <summary>The enabled SASL mechanisms.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; }

    /// <summary>User name to password (also the accepted OAUTHBEARER subjects).</summary>
    public IReadOnlyDictionary<string, string> Users { get; }

    /// <summary>The test CA that issued the server and client certificates.</summary>
    public TestCertificateAuthority Authority { get; }

    /// <summary>The CA certificate, the client certificate and key, and the PKCS#12 stores, as files.</summary>
    public TestCertificateFiles Certificates { get; }

    /// <summary>Offsets sent in transactions, pending until EndTxn; null when <see cref="SecureKafkaOptions.TransactionalOffsets"/> is off.</summary>
    public TransactionalOffsetStore? TransactionalOffsets { get; }

    /// <summary>What the fronts did: connections, authentications, closures.</summary>
    public SecureFrontCounters Counters { get; } = new();

    /// <summary>Every request the fronts received (api, version, arrival time, connection, Metadata topics) and every response they sent.</summary>
    public FrontRequestLog RequestLog { get; } = new();

    /// <summary>The listener broker <paramref name="brokerId"/> advertises (its address in <see cref="BootstrapServers"/>).</summary>
    public FrontListener Listener(int brokerId) =>
        _listeners.FirstOrDefault(l => l.BrokerId == brokerId) ?? throw new ArgumentException($"Broker {brokerId} has no front.", nameof(brokerId));

    /// <summary>
    /// Every listener, the advertised ones in broker id order, then the added ones. A broker's connection count is the sum
    /// over its listeners' <see cref="FrontListener.ConnectionsOpen"/> (or <see cref="FrontListener.ConnectionsAccepted"/>).
    /// </summary>
    public IReadOnlyList<FrontListener> Listeners
    {
        get
        {
            lock (_addedListeners) return [.. _listeners, .. _addedListeners];
        }
    }

    /// <summary>
    /// Opens another address for broker <paramref name="brokerId"/>, with the same protocol and pipeline; Metadata does not
    /// name it unless the test says so (<see cref="EmbeddedKafka.SetBrokerHostPort"/> on <see cref="Cluster"/>). E.g. a
    /// bootstrap address that still answers when the advertised listener is stopped. Stopped when the front is disposed.
    /// </summary>
    public FrontListener AddListener(int brokerId)
    {
        var listener = new FrontListener(Listener(brokerId).Settings);
        lock (_addedListeners)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _addedListeners.Add(listener);
                return listener;
            }
        }
        listener.CloseAsync().AsTask().GetAwaiter().GetResult();
        throw new ObjectDisposedException(nameof(SecureEmbeddedKafka));
    }

    /// <summary>
    /// The fronts' idempotence check (on unless <see cref="SecureKafkaOptions.EnforceIdempotence"/> is false): its switch
    /// and what it decided. Shared by all brokers, since producer state belongs to the partition.
    /// </summary>
    public IdempotenceEnforcement Idempotence { get; }

    /// <summary>
    /// Makes every response of broker <paramref name="brokerId"/> (that has the field: not ApiVersions or SASL) carry
    /// ThrottleTimeMs <paramref name="throttleMs"/> (KIP-219); 0 stops it. The front answers as fast as before: only
    /// the field changes, as a broker that throttles after answering.
    /// </summary>
    public void SetThrottleTime(int brokerId, int throttleMs)
    {
        if (!_listeners.Any(l => l.BrokerId == brokerId))
            throw new ArgumentException($"Broker {brokerId} has no front.", nameof(brokerId));
        _faults.SetThrottleTime(brokerId, throttleMs);
    }

    /// <summary>
    /// Makes only the next <paramref name="count"/> responses of broker <paramref name="brokerId"/> to <paramref name="apiKey"/>
    /// (see <see cref="ApiKeys"/>; versions that have the field) carry ThrottleTimeMs <paramref name="throttleMs"/>: one
    /// throttle a test can time (see <see cref="FrontResponse.ThrottleTimeMs"/> in <see cref="RequestLog"/>). Replaces an
    /// earlier budget for that broker and API; 0 responses removes it. Takes precedence over <see cref="SetThrottleTime"/>.
    /// </summary>
    public void ThrottleNextResponses(int brokerId, short apiKey, int throttleMs, int count = 1)
    {
        _ = Listener(brokerId); // throws for a broker without a front
        _faults.ThrottleNextResponses(brokerId, apiKey, throttleMs, count);
    }

    /// <summary>
    /// Java client properties for this cluster (as our producer reads them): <c>bootstrap.servers</c>, <c>security.protocol</c>,
    /// the PEM trust store, the PEM key store under mutual TLS, <c>sasl.mechanism</c> and <c>sasl.jaas.config</c> for
    /// <paramref name="user"/> (default the first user) with <paramref name="mechanism"/> (default the first enabled one).
    /// The returned dictionary holds the password; do not log it.
    /// </summary>
    public IDictionary<string, string> JavaClientProperties(string? user = null, string? mechanism = null) =>
        SecureClientConfigs.Java(this, ResolveUser(user), mechanism ?? SaslMechanisms.FirstOrDefault());

    /// <summary>
    /// A Confluent.Kafka client configuration for this cluster: <c>security.protocol</c>, <c>ssl.ca.location</c>, the client
    /// certificate under mutual TLS, and SASL settings for <paramref name="user"/> with <paramref name="mechanism"/>
    /// (OAUTHBEARER uses librdkafka's unsecured JWT with <c>principal=&lt;user&gt;</c>). Pass it to <c>new ProducerConfig(config)</c>.
    /// </summary>
    public Confluent.Kafka.ClientConfig ConfluentClientConfig(string? user = null, string? mechanism = null) =>
        SecureClientConfigs.Confluent(this, ResolveUser(user), mechanism ?? SaslMechanisms.FirstOrDefault());

    internal bool RequiresClientCertificate => _options.RequireClientCertificate;

    /// <summary>Stops the fronts (closing their connections), the owned cluster, and deletes generated certificate files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        FrontListener[] added;
        lock (_addedListeners) added = [.. _addedListeners];
        foreach (var listener in _listeners.Concat(added))
            await listener.CloseAsync().ConfigureAwait(false);
        if (_ownsCluster) _cluster.Dispose();
        _serverCertificate?.Dispose();
        Authority.Dispose();
        if (_deleteCertificateDirectory)
        {
            try { Directory.Delete(Certificates.Directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override string ToString() => $"SecureEmbeddedKafka({SecurityProtocol.ToKafkaName()} {BootstrapServers})";

    private string ResolveUser(string? user)
    {
        if (user is null)
            return Users.Keys.FirstOrDefault() ?? throw new InvalidOperationException("No users are configured.");
        if (!Users.ContainsKey(user))
            throw new ArgumentException($"Unknown user '{user}'.", nameof(user));
        return user;
    }

    private static Dictionary<int, IPEndPoint> QueryBrokerListeners(EmbeddedKafka cluster)
    {
        const short version = 1;
        using var client = KafkaWireClient.Connect(cluster.BootstrapServers.Split(',')[0]);
        var body = client.Send(new MetadataRequest([], AllowAutoTopicCreation: false), version);
        var metadata = MetadataResponse.Parse(body, version);
        var result = new Dictionary<int, IPEndPoint>();
        foreach (var broker in metadata.Brokers)
        {
            var address = IPAddress.TryParse(broker.Host, out var ip) ? ip : IPAddress.Loopback;
            result[broker.NodeId] = new IPEndPoint(address, broker.Port);
        }
        return result;
    }
}
