using KafkaActors.Protocol.Security;
using KafkaActors.Security.OAuthBearer;
using KafkaActors.Settings;

namespace KafkaActors.Security;

/// <summary>
/// Makes the SASL client for each (re-)authentication of each connection, from sasl.mechanism and the
/// credentials of sasl.jaas.config, or a token from the OAUTHBEARER token provider. One per producer, shared
/// by all its connections; thread-safe (the token provider is). Disposing it stops a token refresh it owns.
/// </summary>
internal sealed class SaslClientFactory : IDisposable
{
    private readonly SaslSettings _sasl;
    private readonly IOAuthBearerTokenProvider? _tokens;
    private readonly bool _ownsTokens;

    private SaslClientFactory(SaslSettings sasl, IOAuthBearerTokenProvider? tokens, bool ownsTokens)
    {
        _sasl = sasl;
        _tokens = tokens;
        _ownsTokens = ownsTokens;
    }

    public string Mechanism => _sasl.Mechanism;

    /// <summary>Null when the settings use no SASL.</summary>
    public static SaslClientFactory? Create(ProducerSettings settings)
    {
        if (settings.Sasl is not { } sasl) return null;
        if (sasl.Mechanism != SaslMechanisms.OAuthBearer) return new SaslClientFactory(sasl, null, false);
        if (settings.OAuthBearerTokenProvider is { } given) return new SaslClientFactory(sasl, given, false);
        var made = OAuthBearerTokenProviders.Create(sasl.JaasOptions, sasl.TokenEndpointUrl?.ToString(), sasl.Login, sasl.SubClaimName, sasl.ScopeClaimName);
        return new SaslClientFactory(sasl, made, true);
    }

    public async ValueTask<ISaslClient> CreateAsync(CancellationToken cancellation)
    {
        switch (_sasl.Mechanism)
        {
            case SaslMechanisms.Plain:
                return new PlainSaslClient(_sasl.Username!, _sasl.Password!.Value);
            case SaslMechanisms.ScramSha256:
                return new ScramSaslClient(ScramMechanism.ScramSha256, _sasl.Username!, _sasl.Password!.Value);
            case SaslMechanisms.ScramSha512:
                return new ScramSaslClient(ScramMechanism.ScramSha512, _sasl.Username!, _sasl.Password!.Value);
            default:
                var token = await _tokens!.GetTokenAsync(cancellation).ConfigureAwait(false);
                return new OAuthBearerSaslClient(token.Value, token.Extensions);
        }
    }

    public void Dispose()
    {
        if (_ownsTokens && _tokens is IDisposable disposable) disposable.Dispose();
    }
}
