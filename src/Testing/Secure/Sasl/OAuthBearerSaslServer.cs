using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using KafkaActors.Protocol.Security;

namespace KafkaActors.Testing.Secure.Sasl;

/// <summary>
/// The server side of OAUTHBEARER (RFC 7628, KIP-255, KIP-342) accepting unsecured JWTs, as Kafka's
/// OAuthBearerUnsecuredValidatorCallbackHandler does: header <c>alg</c> <c>none</c>, an empty signature, a principal
/// claim (<c>sub</c> by default) naming a known user, and an <c>exp</c> (seconds, possibly fractional) not yet past.
/// A token that fails is answered with the error challenge <c>{"status":"invalid_token"}</c>; the client's
/// <c>\x01</c> then fails the exchange with that same JSON, never with the token. One instance per exchange, used
/// by one connection; not thread-safe.
/// </summary>
public sealed class OAuthBearerSaslServer : ISaslServerMechanism
{
    private const string InvalidTokenStatus = "{\"status\":\"invalid_token\"}";

    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly string _principalClaimName;
    private readonly TimeProvider _time;
    private string? _errorSent;
    private bool _failed;

    /// <summary>Creates the exchange.</summary>
    /// <param name="users">The known users: a token's principal must be one of the keys (passwords are not used).</param>
    /// <param name="principalClaimName">The claim naming the principal (Kafka's <c>unsecuredValidatorPrincipalClaimName</c>).</param>
    /// <param name="timeProvider">The clock <c>exp</c> is checked against; the system clock by default.</param>
    public OAuthBearerSaslServer(IReadOnlyDictionary<string, string> users, string principalClaimName = "sub", TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentException.ThrowIfNullOrWhiteSpace(principalClaimName);
        _users = users;
        _principalClaimName = principalClaimName;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Mechanism => OAuthBearerFormat.Mechanism;

    /// <inheritdoc />
    public bool IsComplete => AuthenticatedUser is not null;

    /// <inheritdoc />
    public string? AuthenticatedUser { get; private set; }

    /// <summary>The authorization id of the GS2 header (<c>a=</c>), empty when the client sent none.</summary>
    public string AuthorizationId { get; private set; } = "";

    /// <summary>The SASL extensions (KIP-342) of the client's initial response, once it has been read.</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// Reads the initial response: answers nothing when the token is valid, the error challenge when it is not.
    /// After an error challenge, the client's <c>\x01</c> throws with the challenge's JSON.
    /// </summary>
    public byte[] Evaluate(ReadOnlySpan<byte> clientMessage)
    {
        if (_failed || IsComplete) throw Malformed();
        if (_errorSent is not null)
        {
            _failed = true;
            if (clientMessage.Length == 1 && clientMessage[0] == (byte)OAuthBearerFormat.Separator)
                throw new SaslAuthenticationFailedException(_errorSent);
            throw Malformed();
        }

        var token = ReadInitialResponse(clientMessage);
        var principal = ValidatedPrincipal(token);
        if (principal is null)
        {
            _errorSent = InvalidTokenStatus;
            return Encoding.UTF8.GetBytes(_errorSent);
        }
        if (AuthorizationId.Length > 0 && AuthorizationId != principal)
        {
            _failed = true;
            throw new SaslAuthenticationFailedException(
                $"Authentication failed: Client requested an authorization id ({AuthorizationId}) that is different from the token's principal name ({principal})");
        }
        AuthenticatedUser = principal;
        return [];
    }

    /// <summary>Parses <c>gs2-header \x01 auth=Bearer token \x01 (key=value \x01)* \x01</c>; returns the token.</summary>
    private string ReadInitialResponse(ReadOnlySpan<byte> clientMessage)
    {
        string message;
        try
        {
            message = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(clientMessage);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed();
        }
        // gs2-header: "n," or "y," (no channel binding), then an optional "a=saslname", then ",".
        if (message.Length < 3 || message[0] is not ('n' or 'y') || message[1] != ',') throw Malformed();
        var end = message.IndexOf(',', 2);
        if (end < 0) throw Malformed();
        var authorization = message[2..end];
        if (authorization.Length > 0)
        {
            if (!authorization.StartsWith("a=", StringComparison.Ordinal)) throw Malformed();
            try
            {
                AuthorizationId = ScramFormatter.Username(authorization[2..]);
            }
            catch (FormatException)
            {
                throw Malformed();
            }
        }

        var rest = message[(end + 1)..];
        var sep = OAuthBearerFormat.Separator;
        // At least "\x01auth=x\x01\x01": a leading kvsep, pairs each ending in one, and a final one.
        if (rest.Length < 3 || rest[0] != sep || rest[^1] != sep || rest[^2] != sep) throw Malformed();
        var pairs = rest[1..^2].Split(sep);
        string? auth = null;
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw Malformed();
            var key = pair[..equals];
            var value = pair[(equals + 1)..];
            if (key == OAuthBearerFormat.AuthKey)
            {
                if (auth is not null) throw Malformed();
                auth = value;
                continue;
            }
            if (!OAuthBearerFormat.IsValidExtensionKey(key) || !OAuthBearerFormat.IsValidExtensionValue(value)) throw Malformed();
            if (!extensions.TryAdd(key, value)) throw Malformed();
        }
        Extensions = extensions;

        // auth = scheme 1*SP token; Kafka compares the scheme case-insensitively.
        if (auth is null) throw Malformed();
        var space = auth.IndexOf(' ');
        if (space <= 0 || !auth[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase)) throw Malformed();
        var token = auth[space..].TrimStart(' ');
        if (!OAuthBearerFormat.IsValidToken(token)) throw Malformed();
        return token;
    }

    /// <summary>The principal of a valid unsecured JWT, or null when the token is not one or has expired.</summary>
    private string? ValidatedPrincipal(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[2].Length != 0) return null;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.ValueKind != JsonValueKind.Object ||
                !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "none")
                return null;

            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = claims.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number) return null;
            var expiresAtMs = Math.Round(exp.GetDouble() * 1000);
            if (expiresAtMs <= _time.GetUtcNow().ToUnixTimeMilliseconds()) return null;
            if (!root.TryGetProperty(_principalClaimName, out var claim) || claim.ValueKind != JsonValueKind.String) return null;
            var principal = claim.GetString();
            return !string.IsNullOrWhiteSpace(principal) && _users.ContainsKey(principal) ? principal : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private SaslAuthenticationFailedException Malformed()
    {
        _failed = true;
        return SaslServerMessages.InvalidCredentials(OAuthBearerFormat.Mechanism);
    }

    /// <summary>Names the mechanism and, once authenticated, the principal; never the token.</summary>
    public override string ToString() => $"OAuthBearerSaslServer {{ AuthenticatedUser = {AuthenticatedUser} }}";
}
