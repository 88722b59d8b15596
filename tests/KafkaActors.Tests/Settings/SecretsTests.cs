using System.Security.Cryptography.X509Certificates;
using KafkaActors.Errors;
using KafkaActors.Hosting;
using KafkaActors.Settings;
using KafkaActors.Tests.Security;
using Xunit;
using static KafkaActors.Tests.Settings.SecuritySettingsTests;

namespace KafkaActors.Tests.Settings;

/// <summary>No secret value shows in messages, ToString(), the public Properties or Hosting options (Java prints [hidden]).</summary>
public sealed class SecretsTests : IDisposable
{
    private const string TrustStorePassword = "TrustStore-S3cret-1";
    private const string KeyStorePassword = "KeyStore-S3cret-2";
    private const string KeyPassword = "Key-S3cret-3";
    private const string SaslPassword = "Sasl-S3cret-4";
    private const string ClientSecret = "Client-S3cret-5";

    private readonly TestPki _pki = new();
    private readonly X509Certificate2 _ca = TestPki.CreateCa("secrets-ca");
    private readonly X509Certificate2 _client;

    public SecretsTests() => _client = TestPki.CreateLeaf(_ca, "client", client: true);

    public void Dispose() => _pki.Dispose();

    private static readonly string[] Secrets = [TrustStorePassword, KeyStorePassword, KeyPassword, SaslPassword, ClientSecret, "PRIVATE KEY"];

    private static void AssertNoSecret(string text)
    {
        foreach (var secret in Secrets) Assert.DoesNotContain(secret, text);
    }

    private Dictionary<string, string> Pkcs12AndPlain() => new()
    {
        ["bootstrap.servers"] = "localhost:9092",
        ["security.protocol"] = "SASL_SSL",
        ["ssl.truststore.location"] = _pki.Write("trust.p12", TestPki.Pkcs12(TrustStorePassword, X509CertificateLoader.LoadCertificate(_ca.RawData))),
        ["ssl.truststore.password"] = TrustStorePassword,
        ["ssl.keystore.location"] = _pki.Write("client.p12", TestPki.Pkcs12(KeyStorePassword, _client)),
        ["ssl.keystore.password"] = KeyStorePassword,
        ["sasl.mechanism"] = "PLAIN",
        ["sasl.jaas.config"] = $"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"{SaslPassword}\";",
    };

    private Dictionary<string, string> InlinePemAndOAuth() => new()
    {
        ["bootstrap.servers"] = "localhost:9092",
        ["security.protocol"] = "SASL_SSL",
        ["ssl.truststore.certificates"] = _ca.ExportCertificatePem(),
        ["ssl.keystore.certificate.chain"] = _client.ExportCertificatePem(),
        ["ssl.keystore.key"] = TestPki.EncryptedKeyPem(_client, KeyPassword),
        ["ssl.key.password"] = KeyPassword,
        ["sasl.mechanism"] = "OAUTHBEARER",
        ["sasl.oauthbearer.token.endpoint.url"] = "https://idp.example.com/token",
        ["sasl.jaas.config"] = $"{OAuthModule} required clientId=\"app\" clientSecret=\"{ClientSecret}\" extension_k=\"v\";",
    };

    [Fact]
    public void Settings_ToString_and_Properties_hide_every_secret()
    {
        foreach (var properties in new[] { Pkcs12AndPlain(), InlinePemAndOAuth() })
        {
            var s = ProducerSettings.FromProperties(properties);
            Assert.NotNull(s.Tls!.ClientCertificate);
            var text = s.ToString();
            Assert.Contains("Sasl = SaslSettings", text);
            Assert.Contains("Tls = TlsSettings", text);
            AssertNoSecret(text);
            AssertNoSecret(s.Tls.ToString());
            AssertNoSecret(s.Sasl!.ToString());
            AssertNoSecret(s.Sasl.Login.ToString());
            Assert.Contains("[hidden]", s.Sasl.ToString());

            foreach (var (key, value) in s.Properties) AssertNoSecret(key + "=" + value);
            Assert.Equal("[hidden]", s.Properties["sasl.jaas.config"]);
            foreach (var key in properties.Keys.Where(ProducerConfig.IsSecret)) Assert.Equal("[hidden]", s.Properties[key]);

            // Copies still work from the real values.
            var copy = s.WithProperty("linger.ms", "7");
            Assert.Equal(s.Sasl, copy.Sasl);
            Assert.Equal(properties["sasl.jaas.config"], copy.ExplicitProperties["sasl.jaas.config"]);
        }
    }

    [Fact]
    public void Unset_secrets_show_as_empty_and_the_real_values_are_where_they_are_used()
    {
        var plain = ProducerSettings.Create("localhost:9092");
        Assert.Equal("", plain.Properties["ssl.truststore.password"]);
        var s = ProducerSettings.FromProperties(Pkcs12AndPlain());
        Assert.Equal(SaslPassword, s.Sasl!.Password!.Value);
        Assert.Equal("[hidden]", s.Sasl.Password.ToString());
        Assert.Equal(ClientSecret, ProducerSettings.FromProperties(InlinePemAndOAuth()).Sasl!.JaasOptions["clientSecret"]);
    }

    public static TheoryData<string, string> SecretErrors => new()
    {
        { "ssl.truststore.password", "Wrong-TrustStore-S3cret" },
        { "ssl.keystore.password", "Wrong-KeyStore-S3cret" },
        { "ssl.key.password", "Wrong-Key-S3cret" },
        { "sasl.jaas.config", $"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password={SaslPassword} x" },
        { "sasl.jaas.config", $"{OAuthModule} required clientSecret=\"{ClientSecret}\";" },
        { "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----\nTUlJQg==\n-----END PRIVATE KEY-----" },
    };

    [Theory]
    [MemberData(nameof(SecretErrors))]
    public void ConfigException_messages_hide_secret_values(string key, string badValue)
    {
        var properties = key.StartsWith("ssl.keystore.key", StringComparison.Ordinal) || key == "ssl.key.password" ? InlinePemAndOAuth() : Pkcs12AndPlain();
        properties[key] = badValue;
        var e = Assert.Throws<ConfigException>(() => ProducerSettings.FromProperties(properties));
        Assert.Equal(key, e.Key);
        Assert.Contains("[hidden]", e.Message);
        Assert.DoesNotContain(badValue, e.Message);
        AssertNoSecret(e.Message);
        AssertNoSecret(e.ToString());
    }

    [Fact]
    public void Any_password_or_secret_key_is_secret()
    {
        Assert.True(ProducerConfig.IsSecret("ssl.truststore.password"));
        Assert.True(ProducerConfig.IsSecret("ssl.keystore.key"));
        Assert.True(ProducerConfig.IsSecret("sasl.jaas.config"));
        Assert.True(ProducerConfig.IsSecret("some.future.password"));
        Assert.True(ProducerConfig.IsSecret("sasl.oauthbearer.client.secret"));
        Assert.False(ProducerConfig.IsSecret("ssl.keystore.location"));
        Assert.False(ProducerConfig.IsSecret("sasl.mechanism"));
        Assert.Equal("Invalid value [hidden] for configuration x.password: bad.", new ConfigException("x.password", "hunter2", "bad.").Message);
    }

    [Fact]
    public void Hosting_options_do_not_print_secrets()
    {
        var options = new KafkaProducerOptions<string, string> { BootstrapServers = "localhost:9092" };
        foreach (var (key, value) in Pkcs12AndPlain()) options.Properties[key] = value;
        AssertNoSecret(options.ToString()!);
        // ToProperties hands the real values on (to ProducerSettings), which then hides them.
        var settings = ProducerSettings.FromProperties(options.ToProperties());
        AssertNoSecret(settings.ToString());
    }
}
