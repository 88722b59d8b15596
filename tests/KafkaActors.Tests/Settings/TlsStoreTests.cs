using System.Security.Cryptography.X509Certificates;
using KafkaActors.Errors;
using KafkaActors.Settings;
using KafkaActors.Tests.Security;
using Xunit;
using static KafkaActors.Tests.Settings.SecuritySettingsTests;

namespace KafkaActors.Tests.Settings;

/// <summary>Trust stores and key stores loaded from PEM and PKCS12 files and inline PEM, and their errors.</summary>
public sealed class TlsStoreTests : IDisposable
{
    private const string StorePassword = "St0re-Pa55!";
    private readonly TestPki _pki = new();
    private readonly X509Certificate2 _ca = TestPki.CreateCa("test-ca");
    private readonly X509Certificate2 _otherCa = TestPki.CreateCa("other-ca");
    private readonly X509Certificate2 _client;

    public TlsStoreTests() => _client = TestPki.CreateLeaf(_ca, "client", client: true);

    public void Dispose() => _pki.Dispose();

    private static (string, string) Ssl => ("security.protocol", "SSL");

    private string CaPem => _ca.ExportCertificatePem() + "\n" + _otherCa.ExportCertificatePem() + "\n";

    [Theory]
    [InlineData("")]
    [InlineData("PEM")]
    [InlineData("pem")]
    public void Pem_trust_store_file_is_loaded(string type)
    {
        var path = _pki.Write("ca.pem", CaPem);
        var tls = Read(Ssl, ("ssl.truststore.location", path), ("ssl.truststore.type", type)).Tls!;
        Assert.Equal([_ca.Thumbprint, _otherCa.Thumbprint], tls.TrustedCertificates!.Select(c => c.Thumbprint));
        Assert.Equal($"ssl.truststore.location ({path})", tls.TrustStoreDescription);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PKCS12")]
    public void Pkcs12_trust_store_file_is_loaded(string type)
    {
        var path = _pki.Write("truststore.p12", TestPki.Pkcs12(StorePassword, X509CertificateLoader.LoadCertificate(_ca.RawData)));
        var tls = Read(Ssl, ("ssl.truststore.location", path), ("ssl.truststore.type", type), ("ssl.truststore.password", StorePassword)).Tls!;
        Assert.Equal([_ca.Thumbprint], tls.TrustedCertificates!.Select(c => c.Thumbprint));
    }

    [Fact]
    public void Inline_trust_store_certificates_are_loaded_even_on_one_line()
    {
        var multiLine = Read(Ssl, ("ssl.truststore.certificates", CaPem), ("ssl.truststore.type", "PEM")).Tls!;
        Assert.Equal(2, multiLine.TrustedCertificates!.Count);
        Assert.Equal("ssl.truststore.certificates", multiLine.TrustStoreDescription);

        // A properties file joins continued lines without new lines, as Java's PEM parser accepts.
        var oneLine = Read(Ssl, ("ssl.truststore.certificates", _ca.ExportCertificatePem().Replace("\n", " "))).Tls!;
        Assert.Equal(_ca.Thumbprint, Assert.Single(oneLine.TrustedCertificates!).Thumbprint);
        var glued = Read(Ssl, ("ssl.truststore.certificates", CaPem.Replace("\n", ""))).Tls!;
        Assert.Equal(2, glued.TrustedCertificates!.Count);
    }

    [Fact]
    public void Jks_store_is_recognised_by_its_magic_and_rejected_with_advice()
    {
        var path = _pki.Write("truststore.jks", new byte[] { 0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1 });
        var e = Fails(Ssl, ("ssl.truststore.location", path), ("ssl.truststore.password", StorePassword));
        Assert.Equal("ssl.truststore.location", e.Key);
        Assert.Contains("JKS", e.Message);
        Assert.Contains("keytool -importkeystore", e.Message);
        Assert.Contains("PKCS12", e.Message);

        var keystore = Fails(Ssl, ("ssl.keystore.location", path));
        Assert.Equal("ssl.keystore.location", keystore.Key);
        Assert.Contains("keytool", keystore.Message);
    }

    public static TheoryData<string, string> BadTrustStores => new()
    {
        { "garbage", "is neither a PEM file nor a PKCS12 store" },
        { "pem-without-certificates", "holds no PEM certificate" },
        { "pem-as-pkcs12", "is a PEM file, but ssl.truststore.type is PKCS12" },
        { "pkcs12-as-pem", "is not a PEM file" },
        { "pkcs12-without-password", "cannot be opened without ssl.truststore.password" },
        { "empty-pkcs12", "holds no certificate" },
    };

    [Theory]
    [MemberData(nameof(BadTrustStores))]
    public void Bad_trust_stores_are_ConfigExceptions_naming_the_location(string kind, string expected)
    {
        var pem = _pki.Write("ca.pem", CaPem);
        var p12 = _pki.Write("ca.p12", TestPki.Pkcs12(StorePassword, X509CertificateLoader.LoadCertificate(_ca.RawData)));
        (string, string)[] settings = kind switch
        {
            "garbage" => [("ssl.truststore.location", _pki.Write("garbage", "not a store"u8.ToArray()))],
            "pem-without-certificates" => [("ssl.truststore.location", _pki.Write("key.pem", TestPki.KeyPem(_client)))],
            "pem-as-pkcs12" => [("ssl.truststore.location", pem), ("ssl.truststore.type", "PKCS12")],
            "pkcs12-as-pem" => [("ssl.truststore.location", p12), ("ssl.truststore.type", "PEM")],
            "pkcs12-without-password" => [("ssl.truststore.location", p12)],
            "empty-pkcs12" => [("ssl.truststore.location", _pki.Write("empty.p12", new X509Certificate2Collection().Export(X509ContentType.Pkcs12, StorePassword)!)),
                ("ssl.truststore.password", StorePassword)],
            _ => throw new ArgumentException(kind),
        };
        var e = Fails([Ssl, .. settings]);
        Assert.Equal("ssl.truststore.location", e.Key);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Wrong_trust_store_password_names_the_password_key_and_hides_it()
    {
        var p12 = _pki.Write("ca.p12", TestPki.Pkcs12(StorePassword, X509CertificateLoader.LoadCertificate(_ca.RawData)));
        var e = Fails(Ssl, ("ssl.truststore.location", p12), ("ssl.truststore.password", "Wr0ng-Pa55!"));
        Assert.Equal("ssl.truststore.password", e.Key);
        Assert.Contains("[hidden]", e.Message);
        Assert.Contains(p12, e.Message);
        Assert.DoesNotContain("Wr0ng-Pa55!", e.Message);
        Assert.DoesNotContain(StorePassword, e.Message);
    }

    [Fact]
    public void Conflicting_trust_store_settings_are_errors()
    {
        var pem = _pki.Write("ca.pem", CaPem);
        Assert.Equal("ssl.truststore.certificates", Fails(Ssl, ("ssl.truststore.location", pem), ("ssl.truststore.certificates", CaPem)).Key);
        Assert.Equal("ssl.truststore.password", Fails(Ssl, ("ssl.truststore.location", pem), ("ssl.truststore.password", StorePassword)).Key);
        Assert.Equal("ssl.truststore.type", Fails(Ssl, ("ssl.truststore.certificates", CaPem), ("ssl.truststore.type", "PKCS12")).Key);
    }

    [Fact]
    public void Pem_key_store_file_with_chain_and_key()
    {
        var path = _pki.Write("client.pem", _client.ExportCertificatePem() + "\n" + _ca.ExportCertificatePem() + "\n" + TestPki.KeyPem(_client));
        var tls = Read(Ssl, ("ssl.keystore.location", path)).Tls!;
        Assert.Equal(_client.Thumbprint, tls.ClientCertificate!.Thumbprint);
        Assert.True(tls.ClientCertificate.HasPrivateKey);
        Assert.Equal(_ca.Thumbprint, Assert.Single(tls.ClientCertificateChain!).Thumbprint);
    }

    [Fact]
    public void Pem_key_store_with_an_encrypted_key_needs_the_key_password()
    {
        const string keyPassword = "K3y-Pa55!";
        var path = _pki.Write("client.pem", _client.ExportCertificatePem() + "\n" + TestPki.EncryptedKeyPem(_client, keyPassword));

        var tls = Read(Ssl, ("ssl.keystore.location", path), ("ssl.keystore.type", "PEM"), ("ssl.key.password", keyPassword)).Tls!;
        Assert.True(tls.ClientCertificate!.HasPrivateKey);
        Assert.Equal(_client.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), tls.ClientCertificate.GetECDsaPrivateKey()!.ExportSubjectPublicKeyInfo());

        var missing = Fails(Ssl, ("ssl.keystore.location", path));
        Assert.Equal("ssl.key.password", missing.Key);
        Assert.Contains("encrypted", missing.Message);

        var wrong = Fails(Ssl, ("ssl.keystore.location", path), ("ssl.key.password", "Wr0ng-K3y!"));
        Assert.Equal("ssl.key.password", wrong.Key);
        Assert.DoesNotContain("Wr0ng-K3y!", wrong.Message);
        Assert.Contains("[hidden]", wrong.Message);
    }

    [Fact]
    public void Inline_key_store_kip_651()
    {
        const string keyPassword = "K3y-Pa55!";
        var tls = Read(Ssl, ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.certificate.chain", _client.ExportCertificatePem()),
            ("ssl.keystore.key", TestPki.EncryptedKeyPem(_client, keyPassword)), ("ssl.key.password", keyPassword)).Tls!;
        Assert.Equal(_client.Thumbprint, tls.ClientCertificate!.Thumbprint);
        Assert.True(tls.ClientCertificate.HasPrivateKey);
        Assert.Empty(tls.ClientCertificateChain!);

        var unencrypted = Read(Ssl, ("ssl.keystore.certificate.chain", (_client.ExportCertificatePem() + _ca.ExportCertificatePem()).Replace("\n", "")),
            ("ssl.keystore.key", TestPki.KeyPem(_client).Replace("\n", " "))).Tls!;
        Assert.True(unencrypted.ClientCertificate!.HasPrivateKey);
        Assert.Equal(_ca.Thumbprint, Assert.Single(unencrypted.ClientCertificateChain!).Thumbprint);
    }

    [Fact]
    public void Pkcs12_key_store_with_its_password()
    {
        var path = _pki.Write("client.p12", TestPki.Pkcs12(StorePassword, _client, X509CertificateLoader.LoadCertificate(_ca.RawData)));
        var tls = Read(Ssl, ("ssl.keystore.location", path), ("ssl.keystore.password", StorePassword), ("ssl.key.password", StorePassword)).Tls!;
        Assert.Equal(_client.Thumbprint, tls.ClientCertificate!.Thumbprint);
        Assert.True(tls.ClientCertificate.HasPrivateKey);
        Assert.Equal(_ca.Thumbprint, Assert.Single(tls.ClientCertificateChain!).Thumbprint);

        var wrong = Fails(Ssl, ("ssl.keystore.location", path), ("ssl.keystore.password", "Wr0ng-Pa55!"));
        Assert.Equal("ssl.keystore.password", wrong.Key);
        Assert.DoesNotContain("Wr0ng-Pa55!", wrong.Message);

        var noKey = _pki.Write("nokey.p12", TestPki.Pkcs12(StorePassword, X509CertificateLoader.LoadCertificate(_ca.RawData)));
        Assert.Contains("no private key", Fails(Ssl, ("ssl.keystore.location", noKey), ("ssl.keystore.password", StorePassword)).Message);
    }

    public static TheoryData<string, string, string> BadKeyStores => new()
    {
        { "chain-only", "ssl.keystore.key", "is required with ssl.keystore.certificate.chain" },
        { "key-only", "ssl.keystore.certificate.chain", "is required with ssl.keystore.key" },
        { "inline-and-location", "ssl.keystore.certificate.chain", "cannot be set together with ssl.keystore.location" },
        { "pem-with-store-password", "ssl.keystore.password", "only ssl.key.password" },
        { "key-of-another-certificate", "ssl.keystore.key", "does not belong to the first certificate" },
        { "no-key", "ssl.keystore.location", "holds no PEM private key" },
        { "unreadable-key", "ssl.keystore.key", "cannot be read" },
        { "inline-as-pkcs12", "ssl.keystore.type", "must be PEM" },
    };

    [Theory]
    [MemberData(nameof(BadKeyStores))]
    public void Bad_key_stores_are_ConfigExceptions_naming_the_key(string kind, string expectedKey, string expected)
    {
        var chain = _client.ExportCertificatePem();
        var key = TestPki.KeyPem(_client);
        var pemFile = _pki.Write("client.pem", chain + "\n" + key);
        (string, string)[] settings = kind switch
        {
            "chain-only" => [("ssl.keystore.certificate.chain", chain)],
            "key-only" => [("ssl.keystore.key", key)],
            "inline-and-location" => [("ssl.keystore.certificate.chain", chain), ("ssl.keystore.key", key), ("ssl.keystore.location", pemFile)],
            "pem-with-store-password" => [("ssl.keystore.location", pemFile), ("ssl.keystore.password", StorePassword)],
            "key-of-another-certificate" => [("ssl.keystore.certificate.chain", chain), ("ssl.keystore.key", TestPki.KeyPem(TestPki.CreateLeaf(_ca, "someone-else")))],
            "no-key" => [("ssl.keystore.location", _pki.Write("chain.pem", chain))],
            "unreadable-key" => [("ssl.keystore.certificate.chain", chain), ("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")],
            "inline-as-pkcs12" => [("ssl.keystore.certificate.chain", chain), ("ssl.keystore.key", key), ("ssl.keystore.type", "PKCS12")],
            _ => throw new ArgumentException(kind),
        };
        var e = Fails([Ssl, .. settings]);
        Assert.Equal(expectedKey, e.Key);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("PRIVATE KEY", e.Message.Replace("BEGIN PRIVATE KEY-----", "").Replace("BEGIN ENCRYPTED PRIVATE KEY-----", ""));
        Assert.DoesNotContain(StorePassword, e.Message);
    }
}
