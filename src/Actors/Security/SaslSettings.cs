namespace KafkaActors.Security;

/// <summary>
/// The SASL side of the producer's settings (<c>sasl.*</c>), built by the settings reader for
/// <c>SASL_PLAINTEXT</c> and <c>SASL_SSL</c>. Immutable and thread-safe. <see cref="ToString"/> shows the
/// mechanism, the user name and the JAAS option names, never a password, client secret or option value.
/// </summary>
public sealed record SaslSettings
{
    /// <summary><c>sasl.mechanism</c>: one of <see cref="SaslMechanisms.Supported"/>.</summary>
    public string Mechanism { get; init; } = SaslMechanisms.Plain;

    /// <summary>The JAAS <c>username</c> option: PLAIN and SCRAM; null for OAUTHBEARER.</summary>
    public string? Username { get; init; }

    /// <summary>The JAAS <c>password</c> option: PLAIN and SCRAM; null for OAUTHBEARER.</summary>
    public Password? Password { get; init; }

    /// <summary>The names of the options in <c>sasl.jaas.config</c> (the values are secret or may be).</summary>
    public IReadOnlyCollection<string> JaasOptionNames => JaasOptions.Keys.ToArray();

    /// <summary>
    /// All options of <c>sasl.jaas.config</c> with their values (e.g. OAUTHBEARER's <c>clientId</c>,
    /// <c>clientSecret</c>, <c>scope</c>, <c>extension_*</c>, <c>unsecuredLogin*</c>). Holds secrets: internal.
    /// </summary>
    internal IReadOnlyDictionary<string, string> JaasOptions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>sasl.oauthbearer.token.endpoint.url</c> (KIP-768 client credentials); null: unsecured tokens or a token provider.</summary>
    public Uri? TokenEndpointUrl { get; init; }

    /// <summary><c>sasl.oauthbearer.scope.claim.name</c>. Default: <c>scope</c>.</summary>
    public string ScopeClaimName { get; init; } = "scope";

    /// <summary><c>sasl.oauthbearer.sub.claim.name</c>. Default: <c>sub</c>.</summary>
    public string SubClaimName { get; init; } = "sub";

    /// <summary>The <c>sasl.login.*</c> settings: token requests and refresh.</summary>
    public SaslLoginSettings Login { get; init; } = new();

    /// <summary>
    /// The SASL extensions (KIP-342) the JAAS options name (<c>extension_&lt;name&gt;="value"</c>), by name
    /// without the prefix. OAUTHBEARER only.
    /// </summary>
    public IReadOnlyDictionary<string, string> Extensions => JaasOptions
        .Where(o => o.Key.StartsWith(ExtensionPrefix, StringComparison.Ordinal) && o.Key.Length > ExtensionPrefix.Length)
        .ToDictionary(o => o.Key[ExtensionPrefix.Length..], o => o.Value, StringComparer.Ordinal);

    private const string ExtensionPrefix = "extension_";

    public override string ToString() =>
        $"SaslSettings {{ Mechanism = {Mechanism}, Username = {Username ?? "none"}, Password = {(Password is null ? "none" : Password.Hidden)}, " +
        $"JaasOptions = [{string.Join(", ", JaasOptions.Keys.Select(k => k + "=" + Password.Hidden))}], TokenEndpointUrl = {(TokenEndpointUrl is null ? "none" : WithoutUserInfoOrQuery(TokenEndpointUrl))}, " +
        $"ScopeClaimName = {ScopeClaimName}, SubClaimName = {SubClaimName}, Login = {Login} }}";

    /// <summary>A URL may carry credentials (<c>https://user:secret@host</c>, <c>?key=...</c>): print neither.</summary>
    private static string WithoutUserInfoOrQuery(Uri url) =>
        url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : Password.Hidden;

    public bool Equals(SaslSettings? other) =>
        other is not null && Mechanism == other.Mechanism && Username == other.Username && Equals(Password, other.Password)
        && JaasOptions.Count == other.JaasOptions.Count
        && JaasOptions.All(o => other.JaasOptions.TryGetValue(o.Key, out var v) && v == o.Value)
        && TokenEndpointUrl == other.TokenEndpointUrl && ScopeClaimName == other.ScopeClaimName
        && SubClaimName == other.SubClaimName && Login == other.Login;

    public override int GetHashCode() => HashCode.Combine(Mechanism, Username, Password, JaasOptions.Count, TokenEndpointUrl, Login);
}
