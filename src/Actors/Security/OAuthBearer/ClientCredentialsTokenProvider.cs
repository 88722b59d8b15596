using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Fetches OAUTHBEARER tokens with the OAuth 2 client-credentials grant (KIP-768; Java's
/// <c>HttpAccessTokenRetriever</c> behind <c>OAuthBearerLoginCallbackHandler</c>): POSTs
/// <c>grant_type=client_credentials[&amp;scope=…]</c> to <c>sasl.oauthbearer.token.endpoint.url</c> with HTTP Basic
/// credentials (client id and secret form-URL-encoded, per RFC 6749 §2.3.1), and reads <c>access_token</c>.
/// The principal and expiry come from the JWT's claims (<see cref="LoginAccessTokenValidator"/>).
/// <para>
/// Failed attempts are retried as Java's <c>Retry</c> does: connection failures, timeouts, 408, 429 and 5xx (but
/// 501 and 505) are retried after <c>sasl.login.retry.backoff.ms</c>, doubling, for at most
/// <c>sasl.login.retry.backoff.max.ms</c> in all; other answers fail at once. Failures are
/// <see cref="SaslAuthenticationException"/>s naming the endpoint and the HTTP status; they never contain the client
/// secret or a token, and of an error body only OAuth's <c>error</c> and <c>error_description</c>.
/// </para>
/// Fetches every time it is asked: wrap it in <see cref="RefreshingTokenProvider"/> to cache. Owns its
/// <see cref="HttpClient"/>; thread-safe.
/// </summary>
internal sealed class ClientCredentialsTokenProvider : IOAuthBearerTokenProvider, IDisposable
{
    private const int MaxResponseBytes = 1 << 20;
    private const int MaxErrorDescriptionLength = 500;

    private readonly Uri _endpoint;
    private readonly string _endpointText;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly byte[] _body;
    private readonly SaslLoginSettings _login;
    private readonly LoginAccessTokenValidator _validator;
    private readonly IReadOnlyDictionary<string, string>? _extensions;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    /// <param name="tokenEndpoint">An http or https URL.</param>
    /// <param name="clientId">The OAuth client id (JAAS option <c>clientId</c>).</param>
    /// <param name="clientSecret">The OAuth client secret (JAAS option <c>clientSecret</c>).</param>
    /// <param name="scope">The scope to ask for (JAAS option <c>scope</c>), or null.</param>
    /// <param name="login">Timeouts and retry backoff.</param>
    /// <param name="subClaimName"><c>sasl.oauthbearer.sub.claim.name</c>.</param>
    /// <param name="scopeClaimName"><c>sasl.oauthbearer.scope.claim.name</c>.</param>
    /// <param name="extensions">SASL extensions to send with each token.</param>
    /// <param name="time">The clock; the system clock by default.</param>
    public ClientCredentialsTokenProvider(Uri tokenEndpoint, string clientId, string clientSecret, string? scope, SaslLoginSettings login,
        string subClaimName = "sub", string scopeClaimName = "scope", IReadOnlyDictionary<string, string>? extensions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentNullException.ThrowIfNull(login);
        if (!tokenEndpoint.IsAbsoluteUri || (tokenEndpoint.Scheme != Uri.UriSchemeHttp && tokenEndpoint.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("The token endpoint must be an absolute http or https URL.", nameof(tokenEndpoint));
        // Messages name the secret's parameter, never its value.
        if (string.IsNullOrWhiteSpace(clientId)) throw new ArgumentException("A client id is required.", nameof(clientId));
        if (string.IsNullOrWhiteSpace(clientSecret)) throw new ArgumentException("A client secret is required.", nameof(clientSecret));

        _endpoint = tokenEndpoint;
        _endpointText = Describe(tokenEndpoint);
        var credentials = $"{FormUrlEncode(clientId.Trim())}:{FormUrlEncode(clientSecret.Trim())}";
        // RFC 7617: standard (not URL-safe) base64, as Java since KAFKA-14496.
        _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        var body = "grant_type=client_credentials";
        if (!string.IsNullOrWhiteSpace(scope)) body += "&scope=" + FormUrlEncode(scope.Trim());
        _body = Encoding.UTF8.GetBytes(body);
        _login = login;
        _validator = new LoginAccessTokenValidator(subClaimName, scopeClaimName, time);
        _extensions = extensions;
        _time = time ?? TimeProvider.System;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Max(1, login.ConnectTimeoutMs)),
            // The Authorization header must not follow a redirect to another host; a 3xx is reported instead.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler)
        {
            // HttpClient's timeout covers connecting and the answer; the connect part is bounded by the handler.
            Timeout = TimeSpan.FromMilliseconds(Math.Max(1, login.ConnectTimeoutMs) + Math.Max(1, login.ReadTimeoutMs)),
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
    }

    /// <summary>The endpoint as messages show it: scheme, host, port and path, without user info or query.</summary>
    internal string Endpoint => _endpointText;

    /// <exception cref="SaslAuthenticationException">No token could be fetched; the message says why.</exception>
    public async ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        // Java's Retry: waits double from the backoff, each cut to what is left of backoff.max in all.
        var backoffMs = Math.Max(0, _login.RetryBackoffMs);
        var budgetMs = Math.Max(backoffMs, _login.RetryBackoffMaxMs);
        var start = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await RequestAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Token is { } token) return token;
            var failure = outcome.Failure!;
            if (!failure.Retriable)
                throw new SaslAuthenticationException(OAuthBearerTokenProviders.Mechanism,
                    $"{failure.Message}{(attempt > 1 ? $" (attempt {attempt})" : "")}; not retried.", failure.Inner);
            var elapsedMs = (long)_time.GetElapsedTime(start).TotalMilliseconds;
            var waitMs = (long)Math.Min(backoffMs * Math.Pow(2, attempt - 1), budgetMs - elapsedMs);
            if (waitMs <= 0)
                throw new SaslAuthenticationException(OAuthBearerTokenProviders.Mechanism,
                    $"{failure.Message}; gave up after {attempt} attempt{(attempt == 1 ? "" : "s")} in {elapsedMs} ms (sasl.login.retry.backoff.max.ms = {_login.RetryBackoffMaxMs}).",
                    failure.Inner);
            await Task.Delay(TimeSpan.FromMilliseconds(waitMs), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"ClientCredentialsTokenProvider {{ Endpoint = {_endpointText}, ClientSecret = [hidden] }}";

    private async Task<Outcome> RequestAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Outcome.Failed(true, $"The OAUTHBEARER token request to {_endpointText} timed out (sasl.login.connect.timeout.ms = {_login.ConnectTimeoutMs}, sasl.login.read.timeout.ms = {_login.ReadTimeoutMs})", e);
        }
        catch (HttpRequestException e)
        {
            // Its message names the host and the socket error, never a header.
            return Outcome.Failed(true, $"The OAUTHBEARER token request to {_endpointText} failed: {e.Message}", e);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                return Outcome.Failed(true, $"The OAUTHBEARER token request to {_endpointText} failed reading the HTTP {status} answer: {e.Message}", e);
            }

            if (status is >= 200 and < 300) return Parse(status, body);
            // As Java: 4xx (but 408 and 429), 501 and 505 are not transient; anything else might be.
            var retriable = status is 408 or 429 || status >= 500 && status != 501 && status != 505;
            return Outcome.Failed(retriable, $"The OAUTHBEARER token endpoint {_endpointText} answered HTTP {status} {response.ReasonPhrase}{OAuthError(body)}", null);
        }
    }

    private Outcome Parse(int status, string body)
    {
        string? accessToken = null;
        double? expiresIn = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String) accessToken = token.GetString();
                if (root.TryGetProperty("expires_in", out var seconds))
                    expiresIn = seconds.ValueKind switch
                    {
                        JsonValueKind.Number => seconds.GetDouble(),
                        JsonValueKind.String when double.TryParse(seconds.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var s) => s,
                        _ => null,
                    };
            }
        }
        catch (JsonException)
        {
            // The body is not quoted: it might hold a token.
            return Outcome.Failed(false, $"The OAUTHBEARER token endpoint {_endpointText} answered HTTP {status} with a body that is not JSON", null);
        }
        if (string.IsNullOrWhiteSpace(accessToken))
            return Outcome.Failed(false, $"The OAUTHBEARER token endpoint {_endpointText} answered HTTP {status} without an access_token", null);
        return new Outcome(_validator.Validate(accessToken, _endpointText, expiresIn, _extensions), null);
    }

    /// <summary>" (error: description)" from an OAuth error body (RFC 6749 §5.2; Okta's errorCode/errorSummary too), else "".</summary>
    private static string OAuthError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "";
            var (error, description) = (Text(root, "error"), Text(root, "error_description"));
            if (error is null) (error, description) = (Text(root, "errorCode"), Text(root, "errorSummary"));
            if (error is null) return "";
            if (description is { Length: > MaxErrorDescriptionLength }) description = description[..MaxErrorDescriptionLength] + "…";
            return description is null ? $" ({error})" : $" ({error}: {description})";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Scheme, host, port and path: user info and the query are left out, as they may carry credentials.</summary>
    internal static string Describe(Uri url) =>
        url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    /// <summary>Java's <c>URLEncoder.encode(s, UTF_8)</c>: letters, digits and <c>.-*_</c> stay, space becomes '+', the rest %XX of UTF-8.</summary>
    internal static string FormUrlEncode(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*' or '_') sb.Append(c);
            else if (c == ' ') sb.Append('+');
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private sealed record Outcome(OAuthBearerToken? Token, Failure? Failure)
    {
        public static Outcome Failed(bool retriable, string message, Exception? inner) => new(null, new Failure(retriable, message, inner));
    }

    private sealed record Failure(bool Retriable, string Message, Exception? Inner);
}
