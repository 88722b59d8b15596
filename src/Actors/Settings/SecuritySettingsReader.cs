using System.Net.Security;
using System.Security.Authentication;
using KafkaActors.Errors;
using KafkaActors.Security;
using C = KafkaActors.Settings.ProducerConfig;

namespace KafkaActors.Settings;

/// <summary>
/// Reads <c>security.protocol</c>, <c>ssl.*</c> and <c>sasl.*</c> as Java's client does, into
/// <see cref="TlsSettings"/> (stores loaded) and <see cref="SaslSettings"/>. TLS settings are read only for
/// SSL/SASL_SSL and SASL settings only for SASL_*, as Java ignores them otherwise; settings Java has but this
/// producer cannot honour are rejected when setting them would change security. Stateless, thread-safe.
/// </summary>
internal static class SecuritySettingsReader
{
    private static readonly string[] KerberosKeys =
    [
        C.SaslKerberosServiceName, C.SaslKerberosKinitCmd, C.SaslKerberosTicketRenewWindowFactor,
        C.SaslKerberosTicketRenewJitter, C.SaslKerberosMinTimeBeforeRelogin,
    ];

    /// <summary>Java's standard names; others would ask for custom trust or key handling this producer does not have.</summary>
    private static readonly string[] TrustManagerAlgorithms = ["PKIX", "SunPKIX", "SunX509", "X509", "X.509", "IbmPKIX", "IbmX509"];

    private static readonly string[] KeyManagerAlgorithms = ["SunX509", "NewSunX509", "PKIX", "IbmX509"];

    /// <summary>Java's built-in OAUTHBEARER login callback handlers, which the built-in token sources here stand for.</summary>
    private static readonly string[] BuiltInLoginCallbackHandlers =
    [
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
        "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler",
        "org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredLoginCallbackHandler",
    ];

    private static string SupportedMechanisms => string.Join(", ", SaslMechanisms.Supported);

    private static string GssapiNotSupported => $"GSSAPI (Kerberos) is not supported; use one of {SupportedMechanisms}.";

    public static (SecurityProtocol Protocol, TlsSettings? Tls, SaslSettings? Sasl) Read(
        ConfigReader r, IReadOnlyCollection<string> explicitKeys, IOAuthBearerTokenProvider? tokenProvider)
    {
        var protocolName = r.String(C.SecurityProtocol);
        if (!SecurityProtocols.TryParse(protocolName, out var protocol))
            throw new ConfigException(C.SecurityProtocol, protocolName, "must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.");

        foreach (var key in KerberosKeys)
        {
            if (explicitKeys.Contains(key)) throw new ConfigException(key, r.String(key), GssapiNotSupported);
        }
        RejectJavaClass(r, C.SecurityProviders, "Java security providers cannot be used here; .NET uses the operating system's cryptography.");
        RejectJavaClass(r, C.SaslClientCallbackHandlerClass, "SASL client callback handlers are Java classes and cannot be used here.");
        RejectJavaClass(r, C.SaslLoginClass, "Java login classes cannot be used here.");
        var loginHandler = r.String(C.SaslLoginCallbackHandlerClass).Trim();
        if (loginHandler.Length > 0 && !BuiltInLoginCallbackHandlers.Contains(loginHandler, StringComparer.Ordinal))
            throw new ConfigException(C.SaslLoginCallbackHandlerClass, loginHandler,
                $"only Java's built-in OAUTHBEARER handlers are understood; for tokens of your own pass an {nameof(IOAuthBearerTokenProvider)} " +
                $"({nameof(ProducerSettings)}.{nameof(ProducerSettings.WithOAuthBearerTokenProvider)}).");

        var tls = protocol.UsesTls() ? ReadTls(r) : null;
        var sasl = protocol.UsesSasl() ? ReadSasl(r, protocol, explicitKeys, tokenProvider) : null;
        return (protocol, tls, sasl);
    }

    private static void RejectJavaClass(ConfigReader r, string key, string reason)
    {
        var value = r.String(key).Trim();
        if (value.Length > 0) throw new ConfigException(key, value, reason);
    }

    private static TlsSettings ReadTls(ConfigReader r)
    {
        RejectJavaClass(r, C.SslEngineFactoryClass, "a custom SSL engine factory is a Java class; TLS here is .NET's SslStream, configured by the other ssl.* settings.");
        CheckAlgorithm(r, C.SslTrustmanagerAlgorithm, TrustManagerAlgorithms, "certificates are always checked with .NET's X.509 chain validation (PKIX)");
        CheckAlgorithm(r, C.SslKeymanagerAlgorithm, KeyManagerAlgorithms, "the client certificate is always the key store's X.509 key entry");

        var endpoint = r.String(C.SslEndpointIdentificationAlgorithm).Trim();
        var identification = endpoint.Length switch
        {
            0 => false,
            _ when endpoint.Equals("https", StringComparison.OrdinalIgnoreCase) => true,
            _ => throw new ConfigException(C.SslEndpointIdentificationAlgorithm, endpoint,
                "must be https (check the broker's host name against its certificate) or empty (no check)."),
        };

        var (trusted, trustDescription) = KeyStores.LoadTrustStore(r);
        var (clientCertificate, clientChain) = KeyStores.LoadKeyStore(r);
        return new TlsSettings
        {
            TrustedCertificates = trusted,
            TrustStoreDescription = trustDescription,
            ClientCertificate = clientCertificate,
            ClientCertificateChain = clientChain,
            EndpointIdentification = identification,
            EnabledSslProtocols = ReadProtocols(r),
            CipherSuites = ReadCipherSuites(r),
        };
    }

    private static void CheckAlgorithm(ConfigReader r, string key, string[] accepted, string why)
    {
        var value = r.String(key).Trim();
        if (value.Length > 0 && !accepted.Contains(value, StringComparer.OrdinalIgnoreCase))
            throw new ConfigException(key, value, $"must be one of Java's standard algorithms ({string.Join(", ", accepted)}): {why}.");
    }

    /// <summary>
    /// <c>ssl.enabled.protocols</c> capped by <c>ssl.protocol</c>: as in Java, <c>ssl.protocol=TLSv1.2</c> keeps
    /// TLS 1.3 off even when it is enabled.
    /// </summary>
    private static SslProtocols ReadProtocols(ConfigReader r)
    {
        var cap = r.String(C.SslProtocol).Trim().ToUpperInvariant() switch
        {
            "TLS" or "TLSV1.3" => SslProtocols.Tls12 | SslProtocols.Tls13,
            "TLSV1.2" => SslProtocols.Tls12,
            var other => throw new ConfigException(C.SslProtocol, r.String(C.SslProtocol), ProtocolReason(other)),
        };
        var names = r.CommaList(C.SslEnabledProtocols);
        var enabled = names.Count == 0 ? SslProtocols.Tls12 | SslProtocols.Tls13 : SslProtocols.None;
        foreach (var name in names)
        {
            enabled |= name.ToUpperInvariant() switch
            {
                "TLSV1.2" => SslProtocols.Tls12,
                "TLSV1.3" => SslProtocols.Tls13,
                var other => throw new ConfigException(C.SslEnabledProtocols, r.String(C.SslEnabledProtocols), ProtocolReason(other)),
            };
        }
        var effective = enabled & cap;
        if (effective == SslProtocols.None)
            throw new ConfigException(C.SslEnabledProtocols, r.String(C.SslEnabledProtocols), $"enables nothing that {C.SslProtocol}={r.String(C.SslProtocol)} allows.");
        return effective;
    }

    private static string ProtocolReason(string upper) => upper is "TLSV1" or "TLSV1.1" or "SSLV3" or "SSLV2" or "SSL" or "SSLV2HELLO"
        ? "TLS 1.0, 1.1 and SSL are insecure and not supported; use TLSv1.2 or TLSv1.3."
        : "must be TLSv1.2 or TLSv1.3 (TLS for ssl.protocol means the newest).";

    private static IReadOnlyList<TlsCipherSuite>? ReadCipherSuites(ConfigReader r)
    {
        var names = r.CommaList(C.SslCipherSuites);
        if (names.Count == 0) return null;
        if (OperatingSystem.IsWindows())
            throw new ConfigException(C.SslCipherSuites, r.String(C.SslCipherSuites),
                "cannot be honoured on Windows, where .NET cannot restrict TLS cipher suites per connection; leave it empty to use the system's policy.");
        var suites = new List<TlsCipherSuite>();
        foreach (var name in names)
        {
            if (!char.IsAsciiLetter(name[0]) || !Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite))
                throw new ConfigException(C.SslCipherSuites, r.String(C.SslCipherSuites), $"'{name}' is not an IANA cipher suite name (e.g. TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384).");
            suites.Add(suite);
        }
        return suites;
    }

    private static SaslSettings ReadSasl(ConfigReader r, SecurityProtocol protocol, IReadOnlyCollection<string> explicitKeys, IOAuthBearerTokenProvider? tokenProvider)
    {
        var mechanism = r.String(C.SaslMechanism).Trim().ToUpperInvariant();
        if (mechanism == SaslMechanisms.Gssapi)
        {
            throw new ConfigException(C.SaslMechanism, r.String(C.SaslMechanism), explicitKeys.Contains(C.SaslMechanism)
                ? GssapiNotSupported
                : $"security.protocol={protocol.JavaName()} needs sasl.mechanism, and Java's default, GSSAPI (Kerberos), is not supported; set it to one of {SupportedMechanisms}.");
        }
        if (!SaslMechanisms.Supported.Contains(mechanism))
            throw new ConfigException(C.SaslMechanism, r.String(C.SaslMechanism), $"is not a supported SASL mechanism; use one of {SupportedMechanisms}.");

        var login = new SaslLoginSettings
        {
            ConnectTimeoutMs = r.Long(C.SaslLoginConnectTimeoutMs, min: 0),
            ReadTimeoutMs = r.Long(C.SaslLoginReadTimeoutMs, min: 0),
            RetryBackoffMs = r.Long(C.SaslLoginRetryBackoffMs, min: 0),
            RetryBackoffMaxMs = r.Long(C.SaslLoginRetryBackoffMaxMs, min: 0),
            RefreshWindowFactor = r.Double(C.SaslLoginRefreshWindowFactor, 0.5, 1.0),
            RefreshWindowJitter = r.Double(C.SaslLoginRefreshWindowJitter, 0.0, 0.25),
            RefreshMinPeriodSeconds = r.Int(C.SaslLoginRefreshMinPeriodSeconds, 0, 900),
            RefreshBufferSeconds = r.Int(C.SaslLoginRefreshBufferSeconds, 0, 3600),
        };
        var scopeClaim = NonEmpty(r, C.SaslOAuthBearerScopeClaimName);
        var subClaim = NonEmpty(r, C.SaslOAuthBearerSubClaimName);
        var endpoint = ReadTokenEndpoint(r);

        var jaasText = r.String(C.SaslJaasConfig);
        var usesProvider = mechanism == SaslMechanisms.OAuthBearer && tokenProvider is not null;
        IReadOnlyDictionary<string, string> options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (jaasText.Trim().Length == 0)
        {
            if (!usesProvider)
                throw new ConfigException(C.SaslJaasConfig, "", $"is required with security.protocol={protocol.JavaName()} and sasl.mechanism={mechanism}: " +
                    $"{SaslMechanisms.LoginModuleFor(mechanism)} required {ExampleOptions(mechanism)};" +
                    (mechanism == SaslMechanisms.OAuthBearer ? $" (or pass an {nameof(IOAuthBearerTokenProvider)} in code)." : ""));
        }
        else
        {
            options = ReadLoginModule(jaasText, mechanism).Options;
        }

        string? username = null;
        Password? password = null;
        if (mechanism == SaslMechanisms.OAuthBearer)
        {
            if (!usesProvider) CheckOAuthBearerOptions(options, endpoint);
        }
        else
        {
            username = options.GetValueOrDefault("username") is { Length: > 0 } user ? user
                : throw new ConfigException(C.SaslJaasConfig, null, $"the {mechanism} login module needs a username option (username=\"...\").");
            password = options.TryGetValue("password", out var secret) ? new Password(secret)
                : throw new ConfigException(C.SaslJaasConfig, null, $"the {mechanism} login module needs a password option (password=\"...\").");
        }

        return new SaslSettings
        {
            Mechanism = mechanism,
            Username = username,
            Password = password,
            JaasOptions = options,
            TokenEndpointUrl = endpoint,
            ScopeClaimName = scopeClaim,
            SubClaimName = subClaim,
            Login = login,
        };
    }

    private static string ExampleOptions(string mechanism) =>
        mechanism == SaslMechanisms.OAuthBearer ? "clientId=\"...\" clientSecret=\"...\"" : "username=\"...\" password=\"...\"";

    private static JaasLoginModule ReadLoginModule(string text, string mechanism)
    {
        var module = JaasConfig.Parse(text);
        var expected = SaslMechanisms.LoginModuleFor(mechanism);
        if (module.ClassName == expected) return module;
        var known = new[] { SaslMechanisms.PlainLoginModule, SaslMechanisms.ScramLoginModule, SaslMechanisms.OAuthBearerLoginModule };
        throw new ConfigException(C.SaslJaasConfig, null, known.Contains(module.ClassName)
            ? $"names {module.ClassName}, which does not go with sasl.mechanism={mechanism}; use {expected}."
            : $"the login module {JaasConfig.Printable(module.ClassName)} is not supported; with sasl.mechanism={mechanism} use {expected}.");
    }

    /// <summary>
    /// Without a token provider, OAUTHBEARER tokens come from the token endpoint (KIP-768: clientId and
    /// clientSecret) or, without one, are Java's unsecured test tokens, which need a principal claim.
    /// </summary>
    private static void CheckOAuthBearerOptions(IReadOnlyDictionary<string, string> options, Uri? endpoint)
    {
        if (endpoint is not null)
        {
            foreach (var option in new[] { "clientId", "clientSecret" })
            {
                if (options.GetValueOrDefault(option) is not { Length: > 0 })
                    throw new ConfigException(C.SaslJaasConfig, null, $"needs the {option} option for {C.SaslOAuthBearerTokenEndpointUrl} (OAuth client credentials).");
            }
            return;
        }
        var principalClaim = options.GetValueOrDefault("unsecuredLoginPrincipalClaimName") is { Length: > 0 } name ? name : "sub";
        if (options.GetValueOrDefault("unsecuredLoginStringClaim_" + principalClaim) is not { Length: > 0 })
            throw new ConfigException(C.SaslJaasConfig, null,
                $"OAUTHBEARER needs a token source: {C.SaslOAuthBearerTokenEndpointUrl} with clientId and clientSecret in {C.SaslJaasConfig}; " +
                $"Java's unsecured test tokens (unsecuredLoginStringClaim_{principalClaim}=\"<principal>\"); or an {nameof(IOAuthBearerTokenProvider)} in code.");
    }

    private static Uri? ReadTokenEndpoint(ConfigReader r)
    {
        var text = r.String(C.SaslOAuthBearerTokenEndpointUrl).Trim();
        if (text.Length == 0) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http" or "file"))
            throw new ConfigException(C.SaslOAuthBearerTokenEndpointUrl, url is null ? "(not a URL)" : url.GetLeftPart(UriPartial.Scheme),
                "must be an absolute https (or http, or file) URL.");
        return url;
    }

    private static string NonEmpty(ConfigReader r, string key)
    {
        var value = r.String(key).Trim();
        return value.Length > 0 ? value : throw new ConfigException(key, value, "must not be empty.");
    }
}
