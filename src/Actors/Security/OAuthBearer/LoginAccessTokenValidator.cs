using System.Buffers.Text;
using System.Text.Json;
using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Turns a JWT access token fetched from a token endpoint or a file into an <see cref="OAuthBearerToken"/>
/// (Java's <c>LoginAccessTokenValidator</c>): reads the subject (<c>sasl.oauthbearer.sub.claim.name</c>), <c>exp</c>,
/// <c>iat</c> and scope claims and checks their types. The signature is not verified: the broker does that, and the
/// client has no keys (Java's default login validator does not verify it either). Immutable; thread-safe.
/// </summary>
internal sealed class LoginAccessTokenValidator
{
    private readonly string _subClaimName;
    private readonly string _scopeClaimName;
    private readonly TimeProvider _time;

    public LoginAccessTokenValidator(string subClaimName, string scopeClaimName, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subClaimName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scopeClaimName);
        _subClaimName = subClaimName.Trim();
        _scopeClaimName = scopeClaimName.Trim();
        _time = time ?? TimeProvider.System;
    }

    /// <param name="accessToken">The compact JWT.</param>
    /// <param name="source">Where the token came from, for messages (an endpoint URL without credentials, or a file path).</param>
    /// <param name="expiresInSeconds">The token response's <c>expires_in</c>, used only when the JWT has no <c>exp</c>.</param>
    /// <param name="extensions">SASL extensions to send with the token.</param>
    /// <exception cref="SaslAuthenticationException">The token is not a JWT, lacks a claim, or has expired. The message never contains the token.</exception>
    public OAuthBearerToken Validate(string accessToken, string source, double? expiresInSeconds = null, IReadOnlyDictionary<string, string>? extensions = null)
    {
        var now = _time.GetUtcNow();
        var parts = accessToken.Trim().Split('.');
        // header.payload.signature; the signature may be empty (an unsecured JWS).
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
            throw Invalid(source, "it is not a JWT (expected three dot-separated sections: header, payload and signature).");

        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // The exception is not kept as the inner one: its text could quote parts of the token.
            throw Invalid(source, "its payload is not base64url-encoded JSON.");
        }

        using (payload)
        {
            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object) throw Invalid(source, "its payload is not a JSON object.");

            if (!claims.TryGetProperty(_subClaimName, out var sub) || sub.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(sub.GetString()))
                throw Invalid(source, $"it has no '{_subClaimName}' claim with the principal name (sasl.oauthbearer.sub.claim.name).");

            DateTimeOffset expiresAt;
            if (claims.TryGetProperty("exp", out var exp))
                expiresAt = NumericDate(exp) ?? throw Invalid(source, "its 'exp' claim is not a non-negative number of seconds.");
            else if (expiresInSeconds is > 0)
                expiresAt = now.AddSeconds(expiresInSeconds.Value);
            else
                throw Invalid(source, "it has no 'exp' claim and the token response gave no expires_in.");

            if (claims.TryGetProperty("iat", out var iat) && NumericDate(iat) is null)
                throw Invalid(source, "its 'iat' claim is not a non-negative number of seconds.");

            if (claims.TryGetProperty(_scopeClaimName, out var scope) && !IsScope(scope))
                throw Invalid(source, $"its '{_scopeClaimName}' claim is neither a string nor a list of non-empty strings (sasl.oauthbearer.scope.claim.name).");

            if (expiresAt <= now)
                throw Invalid(source, $"it expired at {expiresAt:O}, before it arrived ({now:O}); check that the clocks agree.");

            return new OAuthBearerToken(accessToken.Trim(), expiresAt, sub.GetString()!.Trim(), extensions);
        }
    }

    /// <summary>A JWT NumericDate (RFC 7519): seconds since the epoch, possibly with a fraction.</summary>
    private static DateTimeOffset? NumericDate(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || seconds < 0 || seconds > 253_402_300_799) return null;
        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
    }

    private static bool IsScope(JsonElement scope) => scope.ValueKind switch
    {
        JsonValueKind.String => true,
        JsonValueKind.Array => scope.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(s.GetString())),
        _ => false,
    };

    private static SaslAuthenticationException Invalid(string source, string reason) =>
        new(OAuthBearerTokenProviders.Mechanism, $"The OAUTHBEARER access token from {source} is not valid: {reason}");
}
