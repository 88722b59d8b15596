namespace KafkaActors.Protocol.Security;

/// <summary>
/// The grammar of the OAUTHBEARER client initial response (RFC 7628 section 3.1, KIP-342 extensions), as Kafka's
/// OAuthBearerClientInitialResponse checks it. Shared by the client and the test server. Stateless; thread-safe.
/// </summary>
public static class OAuthBearerFormat
{
    /// <summary>The mechanism name.</summary>
    public const string Mechanism = "OAUTHBEARER";

    /// <summary>Separates the key/value pairs (kvsep, Control-A).</summary>
    public const char Separator = '\u0001';

    /// <summary>The reserved key that carries <c>Bearer &lt;token&gt;</c>; no extension may use it.</summary>
    public const string AuthKey = "auth";

    /// <summary>An extension key: one or more ASCII letters (<c>[A-Za-z]+</c>).</summary>
    public static bool IsValidExtensionKey(string key) => key.Length > 0 && key.All(char.IsAsciiLetter);

    /// <summary>An extension value: one or more of visible ASCII, space, tab, CR, LF (<c>[\x21-\x7E \t\r\n]+</c>).</summary>
    public static bool IsValidExtensionValue(string value) =>
        value.Length > 0 && value.All(c => c is >= '\x21' and <= '\x7E' or ' ' or '\t' or '\r' or '\n');

    /// <summary>A token as Kafka accepts it: one or more of <c>[-_.a-zA-Z0-9]</c> (a compact JWS is base64url and dots).</summary>
    public static bool IsValidToken(string token) =>
        token.Length > 0 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
