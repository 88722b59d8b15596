using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using KafkaActors.Security;
using KafkaActors.Settings;
using Xunit;

namespace KafkaActors.Tests.Security;

/// <summary>
/// The certificate check of <see cref="TlsClientOptions"/> on real certificates, most through a real TLS
/// handshake with an SslStream server on 127.0.0.1.
/// </summary>
public sealed class TlsClientOptionsTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly X509Certificate2 _ca = TestPki.CreateCa("kafka-ca");
    private readonly X509Certificate2 _broker;

    public TlsClientOptionsTests() => _broker = TestPki.Broker(_ca);

    public void Dispose() => _pki.Dispose();

    /// <summary>Settings as a user writes them: the CA in a PEM file named by ssl.truststore.location.</summary>
    private TlsSettings TrustingCa(X509Certificate2 ca, params (string Key, string Value)[] more)
    {
        var properties = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "localhost:9092",
            ["security.protocol"] = "SSL",
            ["ssl.truststore.location"] = _pki.Write($"{ca.GetNameInfo(X509NameType.SimpleName, false)}.pem", ca.ExportCertificatePem()),
        };
        foreach (var (key, value) in more) properties[key] = value;
        return ProducerSettings.FromProperties(properties).Tls!;
    }

    private sealed record Outcome(bool Accepted, string? Reason, SslProtocols Protocol, string? ClientSubject, string? ServerName);

    /// <summary>One TLS handshake: a server with <paramref name="serverCertificate"/> on 127.0.0.1, a client with the options under test.</summary>
    private static async Task<Outcome> HandshakeAsync(X509Certificate2 serverCertificate, TlsSettings tls, string targetHost, bool requireClientCertificate = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string? clientSubject = null;
        string? serverName = null;
        var server = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync(timeout.Token);
            await using var ssl = new SslStream(accepted.GetStream());
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = SslStreamCertificateContext.Create(serverCertificate, null, offline: true),
                    ClientCertificateRequired = requireClientCertificate,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        clientSubject = certificate?.Subject;
                        return !requireClientCertificate || certificate is not null;
                    },
                }, timeout.Token);
                serverName = ssl.TargetHostName;
                await ssl.WriteAsync(new byte[] { 42 }, timeout.Token);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // The client refused the certificate: the outcome is the client's to report.
            }
        });

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var stream = new SslStream(client.GetStream());
        var reasons = new List<string>();
        var options = TlsClientOptions.Create(tls, targetHost, reasons.Add);
        try
        {
            await stream.AuthenticateAsClientAsync(options, timeout.Token);
            var buffer = new byte[1];
            Assert.Equal(1, await stream.ReadAsync(buffer, timeout.Token));
            Assert.Equal(42, buffer[0]);
            await server;
            Assert.Empty(reasons);
            return new Outcome(true, null, stream.SslProtocol, clientSubject, serverName);
        }
        catch (AuthenticationException)
        {
            await server;
            return new Outcome(false, Assert.Single(reasons), SslProtocols.None, clientSubject, serverName);
        }
    }

    [Fact]
    public async Task A_certificate_signed_by_the_trusted_ca_for_the_host_is_accepted()
    {
        var outcome = await HandshakeAsync(_broker, TrustingCa(_ca), "localhost");
        Assert.True(outcome.Accepted, outcome.Reason);
        Assert.True(outcome.Protocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Equal("localhost", outcome.ServerName); // SNI
    }

    [Fact]
    public async Task A_certificate_of_another_ca_is_not_trusted_and_the_reason_names_the_trust_store()
    {
        var tls = TrustingCa(TestPki.CreateCa("other-ca"));
        var outcome = await HandshakeAsync(_broker, tls, "localhost");
        Assert.False(outcome.Accepted);
        Assert.Contains("not trusted", outcome.Reason);
        Assert.Contains("CN=broker", outcome.Reason);
        Assert.Contains("ssl.truststore.location", outcome.Reason);
        Assert.Contains(tls.TrustStoreDescription, outcome.Reason);
    }

    [Fact]
    public async Task Without_a_trust_store_the_system_store_decides_and_does_not_know_a_test_ca()
    {
        var tls = ProducerSettings.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "localhost:9092",
            ["security.protocol"] = "SSL",
        }).Tls!;
        var outcome = await HandshakeAsync(_broker, tls, "localhost");
        Assert.False(outcome.Accepted);
        Assert.Contains("not trusted", outcome.Reason);
        Assert.Contains("the operating system's trust store", outcome.Reason);
    }

    [Fact]
    public async Task An_expired_certificate_is_rejected_with_its_date()
    {
        var notAfter = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3).AddHours(12), TimeSpan.Zero);
        var expired = TestPki.CreateLeaf(_ca, "broker", ["localhost"], notBefore: notAfter.AddDays(-30), notAfter: notAfter);
        var outcome = await HandshakeAsync(expired, TrustingCa(_ca), "localhost");
        Assert.False(outcome.Accepted);
        Assert.Contains("has expired", outcome.Reason);
        Assert.Contains(notAfter.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", outcome.Reason);
    }

    [Fact]
    public void A_certificate_not_yet_valid_is_rejected_with_its_start_date()
    {
        var future = TestPki.CreateLeaf(_ca, "broker", ["localhost"], notBefore: DateTimeOffset.UtcNow.AddDays(2), notAfter: DateTimeOffset.UtcNow.AddDays(30));
        var reason = TlsClientOptions.Check(TrustingCa(_ca), "localhost", future, null);
        Assert.Contains("is not yet valid", reason);
    }

    [Fact]
    public async Task A_wrong_host_name_is_rejected_listing_the_certificates_names()
    {
        var outcome = await HandshakeAsync(_broker, TrustingCa(_ca), "kafka-1.example.com");
        Assert.False(outcome.Accepted);
        Assert.Contains("'kafka-1.example.com' does not match", outcome.Reason);
        Assert.Contains("DNS:localhost", outcome.Reason);
        Assert.Contains("IP:127.0.0.1", outcome.Reason);
    }

    [Fact]
    public async Task An_ip_literal_host_matches_an_ip_san_and_not_a_dns_one()
    {
        var matching = await HandshakeAsync(_broker, TrustingCa(_ca), "127.0.0.1");
        Assert.True(matching.Accepted, matching.Reason);
        Assert.Equal("", matching.ServerName); // no SNI for an IP literal

        var dnsOnly = TestPki.CreateLeaf(_ca, "127.0.0.1", ["localhost", "127.0.0.1"]);
        var mismatch = await HandshakeAsync(dnsOnly, TrustingCa(_ca), "127.0.0.1");
        Assert.False(mismatch.Accepted);
        Assert.Contains("'127.0.0.1' does not match", mismatch.Reason);

        var otherIp = TestPki.CreateLeaf(_ca, "broker", ["localhost"], [IPAddress.Parse("10.0.0.1"), IPAddress.IPv6Loopback]);
        Assert.Contains("IP:10.0.0.1", TlsClientOptions.Check(TrustingCa(_ca), "127.0.0.1", otherIp, null));
        Assert.Null(TlsClientOptions.Check(TrustingCa(_ca), "[::1]", otherIp, null));
    }

    [Fact]
    public async Task With_identification_off_the_host_name_is_not_checked_but_the_chain_still_is()
    {
        var tls = TrustingCa(_ca, ("ssl.endpoint.identification.algorithm", ""));
        var outcome = await HandshakeAsync(_broker, tls, "kafka-1.example.com");
        Assert.True(outcome.Accepted, outcome.Reason);

        var untrusted = TrustingCa(TestPki.CreateCa("other-ca"), ("ssl.endpoint.identification.algorithm", ""));
        var refused = await HandshakeAsync(_broker, untrusted, "kafka-1.example.com");
        Assert.False(refused.Accepted);
        Assert.Contains("not trusted", refused.Reason);
    }

    [Fact]
    public async Task Mutual_tls_presents_the_key_store_certificate()
    {
        var client = TestPki.CreateLeaf(_ca, "producer-client", client: true);
        var keyPath = _pki.Write("client.pem", client.ExportCertificatePem() + "\n" + TestPki.KeyPem(client));
        var tls = TrustingCa(_ca, ("ssl.keystore.location", keyPath));
        var outcome = await HandshakeAsync(_broker, tls, "localhost", requireClientCertificate: true);
        Assert.True(outcome.Accepted, outcome.Reason);
        Assert.Equal("CN=producer-client", outcome.ClientSubject);
    }

    [Fact]
    public async Task Ssl_protocol_TLSv1_2_keeps_tls_13_off()
    {
        var outcome = await HandshakeAsync(_broker, TrustingCa(_ca, ("ssl.protocol", "TLSv1.2")), "localhost");
        Assert.True(outcome.Accepted, outcome.Reason);
        Assert.Equal(SslProtocols.Tls12, outcome.Protocol);
    }

    [Fact]
    public void No_certificate_is_rejected()
    {
        Assert.Equal("the broker presented no certificate.", TlsClientOptions.Check(TrustingCa(_ca), "localhost", null, null));
    }

    [Fact]
    public void Options_carry_sni_protocols_and_the_client_certificate()
    {
        var client = TestPki.CreateLeaf(_ca, "producer-client", client: true);
        var tls = TrustingCa(_ca, ("ssl.keystore.certificate.chain", client.ExportCertificatePem() + "\n" + _ca.ExportCertificatePem()),
            ("ssl.keystore.key", TestPki.KeyPem(client)), ("ssl.enabled.protocols", "TLSv1.3"));
        var options = TlsClientOptions.Create(tls, "kafka-1.example.com", _ => { });
        Assert.Equal("kafka-1.example.com", options.TargetHost);
        Assert.Equal(SslProtocols.Tls13, options.EnabledSslProtocols);
        Assert.Equal(X509RevocationMode.NoCheck, options.CertificateRevocationCheckMode);
        Assert.NotNull(options.ClientCertificateContext);
        Assert.Equal(client.Thumbprint, options.ClientCertificateContext!.TargetCertificate.Thumbprint);
        Assert.NotNull(options.RemoteCertificateValidationCallback);
    }
}
