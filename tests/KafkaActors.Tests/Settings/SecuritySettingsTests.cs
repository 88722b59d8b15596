using System.Security.Authentication;
using KafkaActors.Errors;
using KafkaActors.Security;
using KafkaActors.Settings;
using Xunit;

namespace KafkaActors.Tests.Settings;

public sealed class SecuritySettingsTests
{
    internal const string PlainJaas = """org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";""";
    internal const string ScramJaas = """org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";""";
    internal const string OAuthModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

    internal static ProducerSettings Read(params (string Key, string Value)[] properties)
    {
        var all = new Dictionary<string, string> { [ProducerConfig.BootstrapServers] = "localhost:9092" };
        foreach (var (key, value) in properties) all[key] = value;
        return ProducerSettings.FromProperties(all);
    }

    internal static ConfigException Fails(params (string Key, string Value)[] properties) =>
        Assert.Throws<ConfigException>(() => Read(properties));

    [Fact]
    public void Defaults_are_javas()
    {
        var s = ProducerSettings.Create("localhost:9092");
        Assert.Equal(SecurityProtocol.Plaintext, s.SecurityProtocol);
        Assert.Null(s.Tls);
        Assert.Null(s.Sasl);
        Assert.Null(s.OAuthBearerTokenProvider);
        Assert.Equal("PLAINTEXT", s.Properties["security.protocol"]);
        Assert.Equal("GSSAPI", s.Properties["sasl.mechanism"]);
        Assert.Equal("https", s.Properties["ssl.endpoint.identification.algorithm"]);
        Assert.Equal("TLSv1.2,TLSv1.3", s.Properties["ssl.enabled.protocols"]);
        Assert.Equal("TLSv1.3", s.Properties["ssl.protocol"]);
        Assert.Equal("scope", s.Properties["sasl.oauthbearer.scope.claim.name"]);
        Assert.Equal("sub", s.Properties["sasl.oauthbearer.sub.claim.name"]);
        Assert.Equal("100", s.Properties["sasl.login.retry.backoff.ms"]);
        Assert.Equal("10000", s.Properties["sasl.login.retry.backoff.max.ms"]);
        Assert.Equal("0.8", s.Properties["sasl.login.refresh.window.factor"]);
        Assert.Equal("0.05", s.Properties["sasl.login.refresh.window.jitter"]);
        Assert.Equal("60", s.Properties["sasl.login.refresh.min.period.seconds"]);
        Assert.Equal("300", s.Properties["sasl.login.refresh.buffer.seconds"]);
    }

    [Theory]
    [InlineData("PLAINTEXT", SecurityProtocol.Plaintext)]
    [InlineData("ssl", SecurityProtocol.Ssl)]
    [InlineData("Sasl_Plaintext", SecurityProtocol.SaslPlaintext)]
    [InlineData("SASL_SSL", SecurityProtocol.SaslSsl)]
    public void Security_protocol_ignores_case(string value, SecurityProtocol expected)
    {
        var s = Read(("security.protocol", value), ("sasl.mechanism", "PLAIN"), ("sasl.jaas.config", PlainJaas));
        Assert.Equal(expected, s.SecurityProtocol);
        Assert.Equal(expected.UsesTls(), s.Tls is not null);
        Assert.Equal(expected.UsesSasl(), s.Sasl is not null);
        Assert.Equal(value.ToUpperInvariant(), expected.JavaName());
    }

    [Fact]
    public void Ssl_defaults_are_the_system_trust_store_host_name_check_and_tls_12_and_13()
    {
        var tls = Read(("security.protocol", "SSL")).Tls!;
        Assert.Null(tls.TrustedCertificates);
        Assert.Equal(TlsSettings.OperatingSystemTrustStore, tls.TrustStoreDescription);
        Assert.Null(tls.ClientCertificate);
        Assert.True(tls.EndpointIdentification);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, tls.EnabledSslProtocols);
        Assert.Null(tls.CipherSuites);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("https", true)]
    [InlineData("HTTPS", true)]
    public void Endpoint_identification_is_https_or_empty(string value, bool expected) =>
        Assert.Equal(expected, Read(("security.protocol", "SSL"), ("ssl.endpoint.identification.algorithm", value)).Tls!.EndpointIdentification);

    [Theory]
    [InlineData("TLSv1.2", "TLSv1.3", SslProtocols.Tls12)]
    [InlineData("TLSv1.3", "TLSv1.3", SslProtocols.Tls13)]
    [InlineData("tlsv1.2, TLSv1.3", "TLS", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData("TLSv1.2,TLSv1.3", "TLSv1.2", SslProtocols.Tls12)]
    [InlineData("", "TLSv1.3", SslProtocols.Tls12 | SslProtocols.Tls13)]
    public void Enabled_protocols_are_capped_by_ssl_protocol(string enabled, string protocol, SslProtocols expected) =>
        Assert.Equal(expected, Read(("security.protocol", "SSL"), ("ssl.enabled.protocols", enabled), ("ssl.protocol", protocol)).Tls!.EnabledSslProtocols);

    [Fact]
    public void Cipher_suites_are_iana_names()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal("ssl.cipher.suites", Fails(("security.protocol", "SSL"), ("ssl.cipher.suites", "TLS_AES_128_GCM_SHA256")).Key);
            return;
        }
        var tls = Read(("security.protocol", "SSL"), ("ssl.cipher.suites", "TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")).Tls!;
        Assert.Equal([System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256, System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384], tls.CipherSuites);
    }

    [Fact]
    public void Harmless_java_ssl_settings_are_accepted()
    {
        var tls = Read(("security.protocol", "SSL"), ("ssl.keymanager.algorithm", "SunX509"), ("ssl.trustmanager.algorithm", "PKIX"),
            ("ssl.secure.random.implementation", "SHA1PRNG"), ("ssl.provider", "SunJSSE")).Tls;
        Assert.NotNull(tls);
    }

    [Fact]
    public void Tls_settings_are_not_read_without_tls()
    {
        var s = Read(("ssl.truststore.location", "/no/such/file.pem"), ("ssl.endpoint.identification.algorithm", "ldaps"));
        Assert.Null(s.Tls);
        Assert.Equal("/no/such/file.pem", s.Properties["ssl.truststore.location"]);
    }

    [Fact]
    public void Sasl_settings_are_not_read_without_sasl()
    {
        var s = Read(("security.protocol", "SSL"), ("sasl.mechanism", "PLAIN"), ("sasl.jaas.config", "not jaas at all"));
        Assert.Null(s.Sasl);
    }

    public static TheoryData<string, string, string, string> InvalidSsl => new()
    {
        { "security.protocol", "TLS", "security.protocol", "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL" },
        { "ssl.endpoint.identification.algorithm", "ldaps", "ssl.endpoint.identification.algorithm", "https" },
        { "ssl.enabled.protocols", "TLSv1.1,TLSv1.2", "ssl.enabled.protocols", "insecure" },
        { "ssl.enabled.protocols", "TLSv9", "ssl.enabled.protocols", "TLSv1.2 or TLSv1.3" },
        { "ssl.protocol", "SSLv3", "ssl.protocol", "insecure" },
        { "ssl.cipher.suites", "NOT_A_SUITE", "ssl.cipher.suites", "" },
        { "ssl.cipher.suites", "4865", "ssl.cipher.suites", "" },
        { "ssl.trustmanager.algorithm", "InsecureTrustManager", "ssl.trustmanager.algorithm", "PKIX" },
        { "ssl.keymanager.algorithm", "MyKeyManager", "ssl.keymanager.algorithm", "SunX509" },
        { "ssl.engine.factory.class", "com.example.MyEngineFactory", "ssl.engine.factory.class", "SslStream" },
        { "ssl.truststore.type", "JKS", "ssl.truststore.type", "keytool -importkeystore" },
        { "ssl.truststore.type", "JCEKS", "ssl.truststore.type", "PKCS12" },
        { "ssl.keystore.type", "JKS", "ssl.keystore.type", "keytool" },
        { "ssl.truststore.type", "BCFKS", "ssl.truststore.type", "PEM or PKCS12" },
        { "ssl.truststore.location", "/no/such/dir/ca.pem", "ssl.truststore.location", "cannot be read" },
        { "ssl.keystore.location", "/no/such/dir/client.p12", "ssl.keystore.location", "cannot be read" },
    };

    [Theory]
    [MemberData(nameof(InvalidSsl))]
    public void Invalid_ssl_values_are_ConfigExceptions_naming_the_key(string key, string value, string expectedKey, string expectedText)
    {
        var e = Fails(("security.protocol", key == "security.protocol" ? value : "SSL"), (key, value));
        Assert.Equal(expectedKey, e.Key);
        Assert.Contains(expectedKey, e.Message);
        Assert.Contains(expectedText, e.Message);
    }

    [Fact]
    public void Enabled_protocols_that_ssl_protocol_excludes_are_an_error()
    {
        var e = Fails(("security.protocol", "SSL"), ("ssl.enabled.protocols", "TLSv1.3"), ("ssl.protocol", "TLSv1.2"));
        Assert.Equal("ssl.enabled.protocols", e.Key);
    }

    [Fact]
    public void Sasl_without_a_mechanism_says_gssapi_is_not_supported_and_lists_the_supported_ones()
    {
        var e = Fails(("security.protocol", "SASL_SSL"), ("sasl.jaas.config", PlainJaas));
        Assert.Equal("sasl.mechanism", e.Key);
        Assert.Contains("GSSAPI", e.Message);
        Assert.Contains("Kerberos", e.Message);
        Assert.Contains("PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER", e.Message);
    }

    [Theory]
    [InlineData("GSSAPI", "GSSAPI (Kerberos) is not supported")]
    [InlineData("AWS_MSK_IAM", "not a supported SASL mechanism")]
    [InlineData("SCRAM-SHA-1", "not a supported SASL mechanism")]
    public void Other_mechanisms_are_ConfigExceptions(string mechanism, string expected)
    {
        var e = Fails(("security.protocol", "SASL_PLAINTEXT"), ("sasl.mechanism", mechanism), ("sasl.jaas.config", PlainJaas));
        Assert.Equal("sasl.mechanism", e.Key);
        Assert.Contains(expected, e.Message);
        Assert.Contains("OAUTHBEARER", e.Message);
    }

    [Theory]
    [InlineData("sasl.kerberos.service.name", "kafka")]
    [InlineData("sasl.kerberos.kinit.cmd", "/usr/bin/kinit")]
    [InlineData("sasl.kerberos.min.time.before.relogin", "60000")]
    public void Kerberos_settings_are_rejected_when_set(string key, string value)
    {
        var e = Fails((key, value));
        Assert.Equal(key, e.Key);
        Assert.Contains("GSSAPI (Kerberos) is not supported", e.Message);
    }

    [Fact]
    public void Plain_credentials_come_from_the_jaas_config()
    {
        var sasl = Read(("security.protocol", "SASL_SSL"), ("sasl.mechanism", "plain"), ("sasl.jaas.config", PlainJaas)).Sasl!;
        Assert.Equal(SaslMechanisms.Plain, sasl.Mechanism);
        Assert.Equal("alice", sasl.Username);
        Assert.Equal("alice-secret", sasl.Password!.Value);
        Assert.Equal(["password", "username"], sasl.JaasOptionNames.Order());
        Assert.Null(sasl.TokenEndpointUrl);
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public void Scram_credentials_come_from_the_scram_login_module(string mechanism)
    {
        var sasl = Read(("security.protocol", "SASL_PLAINTEXT"), ("sasl.mechanism", mechanism), ("sasl.jaas.config", ScramJaas)).Sasl!;
        Assert.Equal(mechanism, sasl.Mechanism);
        Assert.Equal("bob", sasl.Username);
        Assert.Equal("bob-secret", sasl.Password!.Value);
    }

    public static TheoryData<string, string, string> InvalidJaas => new()
    {
        { "SCRAM-SHA-256", PlainJaas, "use org.apache.kafka.common.security.scram.ScramLoginModule" },
        { "PLAIN", ScramJaas, "use org.apache.kafka.common.security.plain.PlainLoginModule" },
        { "OAUTHBEARER", PlainJaas, "use " + OAuthModule },
        { "PLAIN", "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;", "com.sun.security.auth.module.Krb5LoginModule is not supported" },
        { "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"x\";", "needs a username" },
        { "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bob\";", "needs a password" },
        { "PLAIN", "", "is required with security.protocol=SASL_SSL and sasl.mechanism=PLAIN" },
        { "OAUTHBEARER", "", "IOAuthBearerTokenProvider" },
        { "OAUTHBEARER", OAuthModule + " required;", "unsecuredLoginStringClaim_sub" },
        { "OAUTHBEARER", OAuthModule + " required unsecuredLoginPrincipalClaimName=\"user\" unsecuredLoginStringClaim_sub=\"alice\";", "unsecuredLoginStringClaim_user" },
        { "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"x\"", "must end with ';'" },
    };

    [Theory]
    [MemberData(nameof(InvalidJaas))]
    public void Jaas_config_errors_name_the_key(string mechanism, string jaas, string expected)
    {
        var e = Fails(("security.protocol", "SASL_SSL"), ("sasl.mechanism", mechanism), ("sasl.jaas.config", jaas));
        Assert.Equal("sasl.jaas.config", e.Key);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Oauthbearer_unsecured_tokens_and_extensions()
    {
        var sasl = Read(("security.protocol", "SASL_SSL"), ("sasl.mechanism", "OAUTHBEARER"),
            ("sasl.jaas.config", OAuthModule + """ required unsecuredLoginStringClaim_sub="alice" extension_traceId="t-1" extension_="ignored";""")).Sasl!;
        Assert.Equal(SaslMechanisms.OAuthBearer, sasl.Mechanism);
        Assert.Null(sasl.Username);
        Assert.Null(sasl.Password);
        Assert.Equal("alice", sasl.JaasOptions["unsecuredLoginStringClaim_sub"]);
        Assert.Equal(new Dictionary<string, string> { ["traceId"] = "t-1" }, sasl.Extensions);
    }

    [Fact]
    public void Oauthbearer_client_credentials_read_every_kip_768_setting()
    {
        var sasl = Read(("security.protocol", "SASL_SSL"), ("sasl.mechanism", "OAUTHBEARER"),
            ("sasl.jaas.config", OAuthModule + """ required clientId="app" clientSecret="app-secret" scope="kafka";"""),
            ("sasl.oauthbearer.token.endpoint.url", "https://idp.example.com/oauth2/token"),
            ("sasl.oauthbearer.scope.claim.name", "scp"), ("sasl.oauthbearer.sub.claim.name", "client_id"),
            ("sasl.login.connect.timeout.ms", "2000"), ("sasl.login.read.timeout.ms", "3000"),
            ("sasl.login.retry.backoff.ms", "50"), ("sasl.login.retry.backoff.max.ms", "5000"),
            ("sasl.login.refresh.window.factor", "0.9"), ("sasl.login.refresh.window.jitter", "0.1"),
            ("sasl.login.refresh.min.period.seconds", "30"), ("sasl.login.refresh.buffer.seconds", "120"),
            ("sasl.login.callback.handler.class", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"),
            ("sasl.oauthbearer.expected.audience", "kafka"), ("sasl.oauthbearer.clock.skew.seconds", "10")).Sasl!;
        Assert.Equal(new Uri("https://idp.example.com/oauth2/token"), sasl.TokenEndpointUrl);
        Assert.Equal("scp", sasl.ScopeClaimName);
        Assert.Equal("client_id", sasl.SubClaimName);
        Assert.Equal("app-secret", sasl.JaasOptions["clientSecret"]);
        Assert.Equal(new SaslLoginSettings
        {
            ConnectTimeoutMs = 2000, ReadTimeoutMs = 3000, RetryBackoffMs = 50, RetryBackoffMaxMs = 5000,
            RefreshWindowFactor = 0.9, RefreshWindowJitter = 0.1, RefreshMinPeriodSeconds = 30, RefreshBufferSeconds = 120,
        }, sasl.Login);
    }

    [Fact]
    public void Sasl_login_defaults_are_javas()
    {
        var sasl = Read(("security.protocol", "SASL_SSL"), ("sasl.mechanism", "PLAIN"), ("sasl.jaas.config", PlainJaas)).Sasl!;
        Assert.Equal(new SaslLoginSettings(), sasl.Login);
        Assert.Equal("scope", sasl.ScopeClaimName);
        Assert.Equal("sub", sasl.SubClaimName);
    }

    [Fact]
    public void Oauthbearer_token_endpoint_needs_client_id_and_secret()
    {
        var e = Fails(("security.protocol", "SASL_SSL"), ("sasl.mechanism", "OAUTHBEARER"),
            ("sasl.jaas.config", OAuthModule + """ required clientId="app";"""),
            ("sasl.oauthbearer.token.endpoint.url", "https://idp.example.com/token"));
        Assert.Equal("sasl.jaas.config", e.Key);
        Assert.Contains("clientSecret", e.Message);
    }

    public static TheoryData<string, string, string> InvalidSaslValues => new()
    {
        { "sasl.oauthbearer.token.endpoint.url", "idp.example.com/token", "absolute https" },
        { "sasl.oauthbearer.token.endpoint.url", "ftp://idp.example.com/token", "absolute https" },
        { "sasl.login.refresh.window.factor", "0.4", "between 0.5 and 1" },
        { "sasl.login.refresh.window.factor", "high", "must be a number" },
        { "sasl.login.refresh.window.jitter", "0.3", "between 0 and 0.25" },
        { "sasl.login.refresh.min.period.seconds", "901", "at most 900" },
        { "sasl.login.refresh.buffer.seconds", "3601", "at most 3600" },
        { "sasl.login.refresh.buffer.seconds", "-1", "at least 0" },
        { "sasl.login.retry.backoff.ms", "soon", "whole number" },
        { "sasl.login.connect.timeout.ms", "-5", "at least 0" },
        { "sasl.oauthbearer.sub.claim.name", " ", "must not be empty" },
        { "sasl.login.callback.handler.class", "com.example.MyHandler", "IOAuthBearerTokenProvider" },
        { "sasl.client.callback.handler.class", "com.example.MyHandler", "Java classes" },
        { "sasl.login.class", "com.example.MyLogin", "Java login classes" },
        { "security.providers", "com.example.FipsProviderCreator", "Java security providers" },
    };

    [Theory]
    [MemberData(nameof(InvalidSaslValues))]
    public void Invalid_sasl_values_are_ConfigExceptions_naming_the_key(string key, string value, string expected)
    {
        var e = Fails(("security.protocol", "SASL_SSL"), ("sasl.mechanism", "OAUTHBEARER"),
            ("sasl.jaas.config", OAuthModule + """ required clientId="app" clientSecret="s";"""), (key, value));
        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Message);
    }

    private sealed class FixedTokenProvider : IOAuthBearerTokenProvider
    {
        public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new OAuthBearerToken("token-value", DateTimeOffset.UtcNow.AddHours(1), "alice"));
    }

    [Fact]
    public void A_token_provider_makes_the_jaas_config_optional_and_survives_copies()
    {
        var properties = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "localhost:9092",
            ["security.protocol"] = "SASL_SSL",
            ["sasl.mechanism"] = "OAUTHBEARER",
        };
        Assert.Equal("sasl.jaas.config", Assert.Throws<ConfigException>(() => ProducerSettings.FromProperties(properties)).Key);

        var provider = new FixedTokenProvider();
        var s = ProducerSettings.FromProperties(properties, provider);
        Assert.Same(provider, s.OAuthBearerTokenProvider);
        Assert.Equal(SaslMechanisms.OAuthBearer, s.Sasl!.Mechanism);
        Assert.Empty(s.Sasl.JaasOptionNames);

        var copy = s.WithProperty("linger.ms", "20").WithProperties([new("acks", "1")]);
        Assert.Same(provider, copy.OAuthBearerTokenProvider);
        Assert.Equal(20, copy.LingerMs);

        var viaWith = ProducerSettings.Create("localhost:9092").WithOAuthBearerTokenProvider(provider)
            .WithProperties(properties.Where(p => p.Key != "bootstrap.servers"));
        Assert.Same(provider, viaWith.OAuthBearerTokenProvider);
        Assert.Equal(SecurityProtocol.SaslSsl, viaWith.SecurityProtocol);
    }
}
