using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Reads an OAUTHBEARER token from a file, for a <c>file:</c> <c>sasl.oauthbearer.token.endpoint.url</c> (Java's
/// <c>FileJwtRetriever</c>): the file holds one JWT, surrounding whitespace ignored, validated like a token from an
/// endpoint. The file is read on every call, so a token rotated by another process is picked up at the next refresh.
/// Immutable; thread-safe.
/// </summary>
internal sealed class FileTokenProvider : IOAuthBearerTokenProvider
{
    private readonly string _path;
    private readonly LoginAccessTokenValidator _validator;
    private readonly IReadOnlyDictionary<string, string>? _extensions;

    public FileTokenProvider(string path, string subClaimName = "sub", string scopeClaimName = "scope",
        IReadOnlyDictionary<string, string>? extensions = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _validator = new LoginAccessTokenValidator(subClaimName, scopeClaimName, time);
        _extensions = extensions;
    }

    /// <exception cref="SaslAuthenticationException">The file cannot be read, or holds no valid JWT.</exception>
    public async ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SaslAuthenticationException(OAuthBearerTokenProviders.Mechanism, $"Could not read the OAUTHBEARER token file {_path}: {e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(text))
            throw new SaslAuthenticationException(OAuthBearerTokenProviders.Mechanism, $"The OAUTHBEARER token file {_path} is empty.");
        return _validator.Validate(text, _path, extensions: _extensions);
    }

    public override string ToString() => $"FileTokenProvider {{ Path = {_path} }}";
}
