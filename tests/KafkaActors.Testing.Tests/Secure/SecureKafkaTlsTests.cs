using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;
using KafkaActors.Protocol.Messages;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using Xunit;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>The front's plain and TLS listeners, proven with Confluent's client (librdkafka's own OpenSSL).</summary>
public sealed class SecureKafkaTlsTests
{
    private static readonly TimeSpan ErrorTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(ListenerSecurityProtocol.Plaintext)]
    [InlineData(ListenerSecurityProtocol.Ssl)]
    public async Task Records_produced_through_the_fronts_of_two_brokers_read_back_unchanged(ListenerSecurityProtocol protocol)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = 2, SecurityProtocol = protocol });
        var topic = TestClients.Topic("secure-" + protocol);
        kafka.Cluster.CreateTopic(topic, partitions: 2);
        // One partition led by each broker, so the client must follow Metadata to the second front.
        kafka.Cluster.SetPartitionLeader(topic, 0, 1);
        kafka.Cluster.SetPartitionLeader(topic, 1, 2);

        await SecureClients.ProduceAndVerifyAsync(kafka, kafka.ConfluentClientConfig(), topic, 200);

        // Both fronts were used: the second is only reachable through Metadata.
        Assert.True(kafka.Counters.ConnectionsAccepted >= 2, kafka.Counters.ToString());
        Assert.NotEqual(kafka.BootstrapServers, kafka.Cluster.BootstrapServers);
        if (protocol == ListenerSecurityProtocol.Plaintext)
        {
            // Metadata, asked through the front, names the fronts.
            using var client = KafkaWireClient.Connect(kafka.BootstrapServers.Split(',')[0]);
            var metadata = MetadataResponse.Parse(client.Send(new MetadataRequest([], false), 1), 1);
            Assert.Equal(kafka.BootstrapServers, string.Join(",", metadata.Brokers.OrderBy(b => b.NodeId).Select(b => $"{b.Host}:{b.Port}")));
        }
        Assert.Equal(0, kafka.Counters.TlsHandshakeFailures);
    }

    [Fact]
    public async Task Mutual_tls_accepts_the_ca_issued_client_certificate_with_an_encrypted_key_and_refuses_a_client_without_one()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.Ssl,
            RequireClientCertificate = true,
            ClientKeyPassword = "key-secret",
        });
        var topic = TestClients.Topic("mtls");
        kafka.Cluster.CreateTopic(topic, partitions: 1);
        var config = kafka.ConfluentClientConfig();
        Assert.Equal("key-secret", config.SslKeyPassword);
        Assert.Contains("ENCRYPTED PRIVATE KEY", File.ReadAllText(kafka.Certificates.ClientKeyPem));

        await SecureClients.ProduceAndVerifyAsync(kafka, config, topic, 50);
        // librdkafka may drop a connection mid-handshake (a bootstrap one, once it knows the brokers): count from here.
        var failuresBefore = kafka.Counters.TlsHandshakeFailures;

        // The same client without its certificate: the front refuses the handshake.
        var noCertificate = kafka.ConfluentClientConfig();
        noCertificate.SslCertificateLocation = null;
        noCertificate.SslKeyLocation = null;
        noCertificate.SslKeyPassword = null;
        var errors = new ConcurrentQueue<Error>();
        using var producer = SecureClients.Producer(noCertificate, c => c.MessageTimeoutMs = 1000, errors);
        var delivery = producer.ProduceAsync(topic, SecureClients.Message(1));
        var error = await SecureClients.WaitForErrorAsync(errors, e => e.Code is ErrorCode.Local_Ssl or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown, ErrorTimeout);
        Assert.NotNull(error);
        await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() => delivery);
        Assert.True(kafka.Counters.TlsHandshakeFailures > failuresBefore, kafka.Counters.ToString());
    }

    [Theory]
    [InlineData(ServerCertificateKind.Expired)]
    [InlineData(ServerCertificateKind.WrongHost)]
    public async Task Confluent_refuses_a_bad_server_certificate(ServerCertificateKind kind)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.Ssl,
            ServerCertificateKind = kind,
        });
        var topic = TestClients.Topic("badcert");
        kafka.Cluster.CreateTopic(topic, partitions: 1);
        var config = kafka.ConfluentClientConfig();
        config.SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.Https;
        kafka.Cluster.StartRequestTracking();

        var errors = new ConcurrentQueue<Error>();
        using var producer = SecureClients.Producer(config, c => c.MessageTimeoutMs = 1000, errors);
        var delivery = producer.ProduceAsync(topic, SecureClients.Message(1));
        var error = await SecureClients.WaitForErrorAsync(errors, e => e.Code == ErrorCode.Local_Ssl, ErrorTimeout);
        Assert.Contains("certificate", error.Reason, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() => delivery);
        // Nothing got past TLS.
        Assert.Empty(kafka.Cluster.GetRequests());
    }

    [Fact]
    public void The_certificate_authority_issues_what_it_promises()
    {
        using var ca = TestCertificateAuthority.Create();
        using var server = ca.IssueServerCertificate();
        using var expired = ca.IssueExpiredServerCertificate();
        using var wrongHost = ca.IssueWrongHostServerCertificate();
        using var client = ca.IssueClientCertificate("alice");
        using var stranger = TestCertificateAuthority.Create();
        using var foreign = stranger.IssueClientCertificate();

        Assert.True(server.HasPrivateKey);
        Assert.True(ca.Validates(server));
        Assert.True(ca.Validates(client));
        Assert.False(ca.Validates(expired));
        Assert.False(ca.Validates(foreign));
        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("127.0.0.1"));
        Assert.False(wrongHost.MatchesHostname("localhost"));
        Assert.False(wrongHost.MatchesHostname("127.0.0.1"));
        Assert.True(expired.NotAfter < DateTime.Now);
        Assert.Equal("CN=alice", client.Subject);

        var directory = Path.Combine(Path.GetTempPath(), "kafkaactors-ca-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = TestCertificateFiles.Write(ca, client, directory, clientKeyPassword: "pw", storePassword: "store-pw");
            Assert.DoesNotContain("pw", files.ToString());
            using var keystore = X509CertificateLoader.LoadPkcs12FromFile(files.ClientKeystorePkcs12, "store-pw");
            Assert.True(keystore.HasPrivateKey);
            Assert.Equal(client.Thumbprint, keystore.Thumbprint);
            var trust = X509CertificateLoader.LoadPkcs12CollectionFromFile(files.TruststorePkcs12, "store-pw");
            Assert.Equal(ca.Certificate.Thumbprint, Assert.Single(trust).Thumbprint);
            using var fromPem = X509Certificate2.CreateFromEncryptedPemFile(files.ClientCertificatePem, "pw", files.ClientKeyPem);
            Assert.True(fromPem.HasPrivateKey);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(files.ClientCertificatePem);
            Assert.Equal([client.Thumbprint, ca.Certificate.Thumbprint], chain.Select(c => c.Thumbprint));
            Assert.Equal(ca.Certificate.Thumbprint, X509CertificateLoader.LoadCertificateFromFile(files.CaCertificatePem).Thumbprint);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_listeners_speak_only_the_configured_tls_versions()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.Ssl,
            TlsProtocols = SslProtocols.Tls12,
        });
        var (host, port) = KafkaWireClient.ParseHostPort(kafka.BootstrapServers);

        using (var tls12 = await ConnectTlsAsync(kafka, host, port, SslProtocols.Tls12 | SslProtocols.Tls13))
            Assert.Equal(SslProtocols.Tls12, tls12.SslProtocol);
        await Assert.ThrowsAnyAsync<Exception>(async () => (await ConnectTlsAsync(kafka, host, port, SslProtocols.Tls13)).Dispose());
        // The front counts the failure on its own thread, which a loaded machine may run after the client gave up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (kafka.Counters.TlsHandshakeFailures == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(1, kafka.Counters.TlsHandshakeFailures);
    }

    private static async Task<SslStream> ConnectTlsAsync(SecureEmbeddedKafka kafka, string host, int port, SslProtocols protocols)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 x509 && kafka.Authority.Validates(x509),
            }, timeout.Token);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }
}
