using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Builds the OAUTHBEARER token provider the settings ask for (Java's choice of login callback handler):
/// with <c>sasl.oauthbearer.token.endpoint.url</c> set, the KIP-768 client-credentials flow (or a token file for a
/// <c>file:</c> URL) with the JAAS options <c>clientId</c>, <c>clientSecret</c>, <c>scope</c> and
/// <c>extension_&lt;name&gt;</c>, as Java's <c>OAuthBearerLoginModule</c>; otherwise unsecured tokens
/// (<see cref="UnsecuredLoginTokenProvider"/>). Either way wrapped in a <see cref="RefreshingTokenProvider"/>, which
/// the caller owns and disposes. Stateless; thread-safe.
/// </summary>
internal static class OAuthBearerTokenProviders
{
    /// <summary>The SASL mechanism name, as failures report it.</summary>
    internal const string Mechanism = SaslMechanisms.OAuthBearer;

    /// <summary>The setting whose options configure the providers; JAAS option errors name it.</summary>
    internal const string JaasConfigKey = Settings.ProducerConfig.SaslJaasConfig;

    internal const string TokenEndpointUrlKey = Settings.ProducerConfig.SaslOAuthBearerTokenEndpointUrl;

    internal const string ClientIdOption = "clientId";
    internal const string ClientSecretOption = "clientSecret";
    internal const string ScopeOption = "scope";
    internal const string ExtensionPrefix = "extension_";

    /// <param name="jaasOptions">The options of the <c>sasl.jaas.config</c> login module.</param>
    /// <param name="tokenEndpointUrl"><c>sasl.oauthbearer.token.endpoint.url</c>, or null for unsecured tokens.</param>
    /// <param name="login">The <c>sasl.login.*</c> timings.</param>
    /// <param name="subClaimName"><c>sasl.oauthbearer.sub.claim.name</c>.</param>
    /// <param name="scopeClaimName"><c>sasl.oauthbearer.scope.claim.name</c>.</param>
    /// <exception cref="ConfigException">An option is missing or invalid; the message names it but not its value.</exception>
    public static RefreshingTokenProvider Create(IReadOnlyDictionary<string, string> jaasOptions, string? tokenEndpointUrl, SaslLoginSettings login,
        string subClaimName = "sub", string scopeClaimName = "scope")
    {
        ArgumentNullException.ThrowIfNull(jaasOptions);
        ArgumentNullException.ThrowIfNull(login);
        return new RefreshingTokenProvider(CreateFetching(jaasOptions, tokenEndpointUrl, login, subClaimName, scopeClaimName), login);
    }

    /// <summary>The provider that fetches a token each time it is asked, without caching.</summary>
    internal static IOAuthBearerTokenProvider CreateFetching(IReadOnlyDictionary<string, string> jaasOptions, string? tokenEndpointUrl, SaslLoginSettings login,
        string subClaimName, string scopeClaimName)
    {
        if (string.IsNullOrWhiteSpace(tokenEndpointUrl)) return new UnsecuredLoginTokenProvider(jaasOptions);

        if (!Uri.TryCreate(tokenEndpointUrl.Trim(), UriKind.Absolute, out var endpoint)
            || !(endpoint.IsFile || endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps))
            throw new ConfigException(TokenEndpointUrlKey, tokenEndpointUrl, "must be an absolute http, https or file URL.");
        if (string.IsNullOrWhiteSpace(subClaimName))
            throw new ConfigException("sasl.oauthbearer.sub.claim.name", subClaimName, "must not be empty.");
        if (string.IsNullOrWhiteSpace(scopeClaimName))
            throw new ConfigException("sasl.oauthbearer.scope.claim.name", scopeClaimName, "must not be empty.");

        var extensions = SaslExtensionOptions.Parse(jaasOptions, ExtensionPrefix);
        if (endpoint.IsFile) return new FileTokenProvider(endpoint.LocalPath, subClaimName, scopeClaimName, extensions);

        var clientId = Required(jaasOptions, ClientIdOption);
        var clientSecret = Required(jaasOptions, ClientSecretOption);
        jaasOptions.TryGetValue(ScopeOption, out var scope);
        return new ClientCredentialsTokenProvider(endpoint, clientId, clientSecret, scope, login, subClaimName, scopeClaimName, extensions);
    }

    private static string Required(IReadOnlyDictionary<string, string> options, string option) =>
        options.TryGetValue(option, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ConfigException(JaasConfigKey, null,
                $"the login module option {option} is required with {TokenEndpointUrlKey} (OAuth client credentials).");
}
