namespace KafkaActors.Security;

/// <summary>
/// Supplies OAUTHBEARER tokens (Java's <c>sasl.login.callback.handler.class</c> for OAUTHBEARER). Called
/// for every new connection and every re-authentication; implementations cache and refresh as they see fit.
/// Must be thread-safe: several connections may ask at once.
/// </summary>
public interface IOAuthBearerTokenProvider
{
    ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One OAUTHBEARER token: its compact serialization, when it expires, the principal it names and the SASL
/// extensions (KIP-342) to send with it. Immutable. <see cref="ToString"/> never shows the token.
/// </summary>
public sealed record OAuthBearerToken(string Value, DateTimeOffset ExpiresAt, string Principal, IReadOnlyDictionary<string, string>? Extensions = null)
{
    public override string ToString() => $"OAuthBearerToken {{ Value = [hidden], ExpiresAt = {ExpiresAt:O}, Principal = {Principal} }}";
}
