using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Unsecured OAUTHBEARER tokens built from JAAS options (Java's <c>OAuthBearerUnsecuredLoginCallbackHandler</c>),
/// for development and tests only: the token is an unsigned JWS, <c>base64url({"alg":"none"}).base64url(claims).</c>
/// Options: <c>unsecuredLoginStringClaim_&lt;name&gt;</c>, <c>unsecuredLoginNumberClaim_&lt;name&gt;</c>,
/// <c>unsecuredLoginListClaim_&lt;name&gt;</c> (the first character is the delimiter),
/// <c>unsecuredLoginExtension_&lt;name&gt;</c> (SASL extensions), <c>unsecuredLoginPrincipalClaimName</c> (default
/// <c>sub</c>), <c>unsecuredLoginScopeClaimName</c> (default <c>scope</c>) and <c>unsecuredLoginLifetimeSeconds</c>
/// (default 3600). <c>iat</c> and <c>exp</c> are computed and cannot be set.
/// The options are validated once, by the constructor; each token is then built fresh from the clock.
/// Immutable after construction; thread-safe.
/// </summary>
internal sealed class UnsecuredLoginTokenProvider : IOAuthBearerTokenProvider
{
    private const string OptionPrefix = "unsecuredLogin";
    private const string PrincipalClaimNameOption = OptionPrefix + "PrincipalClaimName";
    private const string LifetimeSecondsOption = OptionPrefix + "LifetimeSeconds";
    private const string ScopeClaimNameOption = OptionPrefix + "ScopeClaimName";
    private const string StringClaimPrefix = OptionPrefix + "StringClaim_";
    private const string NumberClaimPrefix = OptionPrefix + "NumberClaim_";
    private const string ListClaimPrefix = OptionPrefix + "ListClaim_";
    private const string ExtensionPrefix = OptionPrefix + "Extension_";
    private const long DefaultLifetimeSeconds = 3600;

    private static readonly string[] ReservedClaims = ["iat", "exp"];

    // Computed once: the header never changes.
    private static readonly string EncodedHeader = Base64Url.EncodeToString("""{"alg":"none"}"""u8);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TimeProvider _time;
    private readonly long _lifetimeSeconds;
    private readonly string _principal;
    private readonly IReadOnlyList<Claim> _claims;
    private readonly IReadOnlyDictionary<string, string>? _extensions;

    /// <param name="options">The JAAS options of <c>sasl.jaas.config</c>.</param>
    /// <param name="time">The clock for <c>iat</c> and <c>exp</c>; the system clock by default.</param>
    /// <exception cref="ConfigException">An option is invalid (key <c>sasl.jaas.config</c>); the message names the option.</exception>
    public UnsecuredLoginTokenProvider(IReadOnlyDictionary<string, string> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        var principalClaimName = ClaimNameOption(options, PrincipalClaimNameOption, "sub");
        var scopeClaimName = ClaimNameOption(options, ScopeClaimNameOption, "scope");
        _lifetimeSeconds = LifetimeSeconds(options);
        _claims = Claims(options);
        _extensions = SaslExtensionOptions.Parse(options, ExtensionPrefix);

        // As Java's OAuthBearerUnsecuredJws: the principal is a non-blank string claim; a scope claim, if any, is a string or a list.
        var principal = _claims.FirstOrDefault(c => c.Name == principalClaimName);
        if (principal is null)
            throw Invalid(StringClaimPrefix + principalClaimName, $"the principal claim '{principalClaimName}' is required (set {StringClaimPrefix}{principalClaimName}, or name another claim in {PrincipalClaimNameOption}).");
        if (principal.Kind != ClaimKind.String || string.IsNullOrWhiteSpace(principal.Text))
            throw Invalid(principal.OptionKey, $"the principal claim '{principalClaimName}' must be a non-empty string claim ({StringClaimPrefix}{principalClaimName}).");
        _principal = principal.Text!;
        if (_claims.FirstOrDefault(c => c.Name == scopeClaimName) is { Kind: ClaimKind.Number } scope)
            throw Invalid(scope.OptionKey, $"the scope claim '{scopeClaimName}' must be a string or a list claim.");
    }

    public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken) => new(CreateToken());

    /// <summary>A new token issued now.</summary>
    internal OAuthBearerToken CreateToken()
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expiresAtMs = nowMs + _lifetimeSeconds * 1000;
        var claims = ClaimsJson(nowMs, expiresAtMs);
        var value = $"{EncodedHeader}.{Base64Url.EncodeToString(claims)}.";
        return new OAuthBearerToken(value, DateTimeOffset.FromUnixTimeMilliseconds(expiresAtMs), _principal, _extensions);
    }

    private byte[] ClaimsJson(long issuedAtMs, long expiresAtMs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            // Seconds with the milliseconds as a fraction, as Java's (time.milliseconds() / 1000.0).
            json.WriteNumber("exp", expiresAtMs / 1000m);
            json.WriteNumber("iat", issuedAtMs / 1000m);
            foreach (var claim in _claims)
            {
                switch (claim.Kind)
                {
                    case ClaimKind.String:
                        json.WriteString(claim.Name, claim.Text);
                        break;
                    case ClaimKind.Number:
                        json.WriteNumber(claim.Name, claim.Number);
                        break;
                    default:
                        json.WriteStartArray(claim.Name);
                        foreach (var element in claim.List!) json.WriteStringValue(element);
                        json.WriteEndArray();
                        break;
                }
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string ClaimNameOption(IReadOnlyDictionary<string, string> options, string key, string defaultName) =>
        options.TryGetValue(key, out var name) && !string.IsNullOrWhiteSpace(name) ? name.Trim() : defaultName;

    private static long LifetimeSeconds(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(LifetimeSecondsOption, out var text)) return DefaultLifetimeSeconds;
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > int.MaxValue)
            throw Invalid(LifetimeSecondsOption, $"the token lifetime must be a whole number of seconds between 1 and {int.MaxValue}.");
        return seconds;
    }

    /// <summary>The claims the options define, ordered by name so that the token's JSON does not depend on dictionary order.</summary>
    private static List<Claim> Claims(IReadOnlyDictionary<string, string> options)
    {
        var claims = new List<Claim>();
        foreach (var (key, value) in options)
        {
            Claim? claim = null;
            if (key.StartsWith(StringClaimPrefix, StringComparison.Ordinal))
                claim = new Claim(key, ClaimName(key, StringClaimPrefix), ClaimKind.String) { Text = value };
            else if (key.StartsWith(NumberClaimPrefix, StringComparison.Ordinal))
                claim = new Claim(key, ClaimName(key, NumberClaimPrefix), ClaimKind.Number) { Number = Number(key, value) };
            else if (key.StartsWith(ListClaimPrefix, StringComparison.Ordinal))
                claim = new Claim(key, ClaimName(key, ListClaimPrefix), ClaimKind.List) { List = List(value) };
            if (claim is null) continue;
            if (claims.FirstOrDefault(c => c.Name == claim.Name) is { } other)
                throw Invalid(key, $"the claim '{claim.Name}' is also set by {other.OptionKey}.");
            claims.Add(claim);
        }
        claims.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return claims;
    }

    private static string ClaimName(string key, string prefix)
    {
        var name = key[prefix.Length..];
        if (name.Length == 0) throw Invalid(key, "the option names no claim.");
        if (ReservedClaims.Contains(name)) throw Invalid(key, $"the '{name}' claim is computed and cannot be set explicitly.");
        return name;
    }

    private static double Number(string key, string value)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            throw Invalid(key, "a number claim's value must be a finite decimal number.");
        return number;
    }

    /// <summary>The first character is the delimiter; "" and a lone delimiter are the empty list; empty elements are kept.</summary>
    private static string[] List(string value) => value.Length <= 1 ? [] : value[1..].Split(value[0]);

    /// <summary>Names the option but never echoes the JAAS text, which may hold other modules' secrets.</summary>
    private static ConfigException Invalid(string option, string reason) =>
        new(OAuthBearerTokenProviders.JaasConfigKey, null, $"login module option {option}: {reason}");

    private enum ClaimKind { String, Number, List }

    private sealed record Claim(string OptionKey, string Name, ClaimKind Kind)
    {
        public string? Text { get; init; }
        public double Number { get; init; }
        public string[]? List { get; init; }
    }
}
