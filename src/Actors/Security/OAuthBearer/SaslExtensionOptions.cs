using System.Text.RegularExpressions;
using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Reads SASL extensions (KIP-342) from JAAS options named <c>&lt;prefix&gt;&lt;name&gt;</c>, validated as Java's
/// <c>OAuthBearerClientInitialResponse</c> does: names are letters only and not <c>auth</c>, values are printable
/// ASCII, space, tab, CR or LF. Stateless; thread-safe.
/// </summary>
internal static partial class SaslExtensionOptions
{
    /// <summary>The extension name the OAUTHBEARER initial response uses for the token itself.</summary>
    private const string AuthKey = "auth";

    /// <summary>The extensions among <paramref name="options"/>, or null when there are none.</summary>
    /// <exception cref="ConfigException">An extension name or value is not allowed (key <c>sasl.jaas.config</c>).</exception>
    public static IReadOnlyDictionary<string, string>? Parse(IReadOnlyDictionary<string, string> options, string prefix)
    {
        Dictionary<string, string>? extensions = null;
        foreach (var (key, value) in options)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var name = key[prefix.Length..];
            if (!ExtensionName().IsMatch(name) || name == AuthKey)
                throw new ConfigException(OAuthBearerTokenProviders.JaasConfigKey, null,
                    $"login module option {key}: a SASL extension name must consist of letters only and must not be '{AuthKey}'.");
            // The value is not echoed: extensions may carry anything the broker's validator expects.
            if (!ExtensionValue().IsMatch(value))
                throw new ConfigException(OAuthBearerTokenProviders.JaasConfigKey, null,
                    $"login module option {key}: a SASL extension value must be non-empty printable ASCII (space, tab, CR and LF allowed).");
            (extensions ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = value;
        }
        return extensions;
    }

    [GeneratedRegex("^[A-Za-z]+$")]
    private static partial Regex ExtensionName();

    [GeneratedRegex("^[\\x21-\\x7E \t\r\n]+$")]
    private static partial Regex ExtensionValue();
}
