using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace KafkaActors.Tests.Security;

/// <summary>
/// A real OAuth token endpoint on 127.0.0.1 for the client-credentials tests: checks the method, content type,
/// <c>grant_type</c>, <c>scope</c> and Basic credentials (form-URL-decoded, as RFC 6749 §2.3.1 has them encoded),
/// answers with unsigned JWTs, and records every request. <see cref="Respond"/> can replace the answer per request
/// number (1-based). Owned by one test; the counters are thread-safe.
/// </summary>
internal sealed class TokenEndpointServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private int _requests;

    public TokenEndpointServer(string clientId, string clientSecret, string? expectedScope = null, double lifetimeSeconds = 3600, string subject = "service-account")
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        ExpectedScope = expectedScope;
        LifetimeSeconds = lifetimeSeconds;
        Subject = subject;
        (_listener, Url) = Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }
    public string ClientId { get; }
    public string ClientSecret { get; }
    public string? ExpectedScope { get; }
    public string Subject { get; }
    public double LifetimeSeconds { get; set; }

    /// <summary>Requests answered so far.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Every request, in arrival order.</summary>
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Every token issued, in order.</summary>
    public ConcurrentQueue<(string Token, DateTimeOffset ExpiresAt)> Issued { get; } = new();

    /// <summary>Replaces the answer to request n (1-based) when it returns non-null; null means "issue a token".</summary>
    public Func<int, Answer?>? Respond { get; set; }

    /// <summary>Delays the answer to request n (1-based).</summary>
    public Func<int, TimeSpan>? Delay { get; set; }

    public static Answer Error(int status, string body) => new(status, body);

    /// <summary>An unsigned JWT (alg none) with the given claims.</summary>
    public static string Jwt(object claims) =>
        $"{B64("""{"alg":"none","typ":"JWT"}""")}.{B64(JsonSerializer.Serialize(claims))}.";

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (Exception) { /* the loop ends with the listener's ObjectDisposedException */ }
    }

    private static (HttpListener, Uri) Start()
    {
        // A free port from the OS; HttpListener cannot bind port 0 itself. Retried in case another process takes it first.
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            var prefix = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                return (listener, new Uri(prefix + "oauth2/token"));
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var n = Interlocked.Increment(ref _requests);
        var at = DateTimeOffset.UtcNow; // first, so that parsing time does not skew the gaps between requests
        try
        {
            var request = context.Request;
            string body;
            using (var reader = new StreamReader(request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            var form = ParseForm(body);
            var (user, password) = BasicCredentials(request.Headers["Authorization"]);
            var received = new Received(at, request.HttpMethod, request.ContentType, request.Headers["Accept"], body,
                form.GetValueOrDefault("grant_type"), form.GetValueOrDefault("scope"), user, password);
            Requests.Enqueue(received);

            if (Delay?.Invoke(n) is { } delay && delay > TimeSpan.Zero) await Task.Delay(delay);

            var answer = Respond?.Invoke(n) ?? Check(received) ?? IssueToken();
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The client gave up (a timeout test) or the server is stopping.
            try { context.Response.Abort(); } catch (Exception) { /* already gone */ }
        }
    }

    private Answer? Check(Received r)
    {
        if (r.Method != "POST") return Error(405, """{"error":"invalid_request","error_description":"POST only"}""");
        if (r.ContentType != "application/x-www-form-urlencoded") return Error(400, """{"error":"invalid_request","error_description":"form content type expected"}""");
        if (r.GrantType != "client_credentials") return Error(400, """{"error":"unsupported_grant_type"}""");
        if (r.Scope != ExpectedScope) return Error(400, """{"error":"invalid_scope"}""");
        if (r.ClientId != ClientId || r.ClientSecret != ClientSecret) return Error(401, """{"error":"invalid_client","error_description":"Client authentication failed"}""");
        return null;
    }

    private Answer IssueToken()
    {
        var now = DateTimeOffset.UtcNow;
        var expiresAt = now.AddSeconds(LifetimeSeconds);
        var token = Jwt(new Dictionary<string, object>
        {
            ["sub"] = Subject,
            ["iat"] = now.ToUnixTimeMilliseconds() / 1000.0,
            ["exp"] = expiresAt.ToUnixTimeMilliseconds() / 1000.0,
            ["scope"] = ExpectedScope ?? "",
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        Issued.Enqueue((token, expiresAt));
        return new Answer(200, JsonSerializer.Serialize(new { access_token = token, token_type = "Bearer", expires_in = (int)LifetimeSeconds }));
    }

    private static Dictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(kv => WebUtility.UrlDecode(kv[0]), kv => kv.Length > 1 ? WebUtility.UrlDecode(kv[1]) : "");

    private static (string? User, string? Password) BasicCredentials(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal)) return (null, null);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        var colon = decoded.IndexOf(':');
        return colon < 0 ? (null, null) : (WebUtility.UrlDecode(decoded[..colon]), WebUtility.UrlDecode(decoded[(colon + 1)..]));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal sealed record Answer(int Status, string Body);

    internal sealed record Received(DateTimeOffset At, string Method, string? ContentType, string? Accept, string Body,
        string? GrantType, string? Scope, string? ClientId, string? ClientSecret);
}
