using System.Net;
using System.Net.Sockets;
using KafkaActors.Errors;
using KafkaActors.Security;
using KafkaActors.Security.OAuthBearer;
using Xunit;

namespace KafkaActors.Tests.Security;

/// <summary>The KIP-768 client-credentials flow against a real token endpoint on 127.0.0.1.</summary>
public sealed class OAuthBearerClientCredentialsTests
{
    // Characters that URL-encoding changes, so that the server sees the right secret only if the client encodes it.
    private const string ClientId = "kafka client+1";
    private const string Secret = "s3cr+t:/=é&%";

    private static readonly SaslLoginSettings FastRetries = new() { RetryBackoffMs = 20, RetryBackoffMaxMs = 2_000, ConnectTimeoutMs = 2_000, ReadTimeoutMs = 2_000 };

    private static ClientCredentialsTokenProvider Provider(TokenEndpointServer server, SaslLoginSettings? login = null, string? scope = null,
        IReadOnlyDictionary<string, string>? extensions = null, string secret = Secret) =>
        new(server.Url, ClientId, secret, scope, login ?? FastRetries, extensions: extensions);

    [Fact]
    public async Task Posts_client_credentials_with_Basic_auth_and_scope_and_reads_the_JWT_claims()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret, expectedScope: "kafka produce", lifetimeSeconds: 120, subject: "svc-producer");
        using var provider = Provider(server, scope: " kafka produce ", extensions: new Dictionary<string, string> { ["traceId"] = "t1" });

        var token = await provider.GetTokenAsync(CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("application/json", request.Accept);
        Assert.Equal("grant_type=client_credentials&scope=kafka+produce", request.Body);
        Assert.Equal(ClientId, request.ClientId);
        Assert.Equal(Secret, request.ClientSecret);
        var (issued, expiresAt) = Assert.Single(server.Issued);
        Assert.Equal(issued, token.Value);
        Assert.Equal("svc-producer", token.Principal);
        Assert.Equal(expiresAt.ToUnixTimeMilliseconds(), token.ExpiresAt.ToUnixTimeMilliseconds(), 1.0);
        Assert.Equal(new Dictionary<string, string> { ["traceId"] = "t1" }, token.Extensions);
        Assert.DoesNotContain(Secret, provider.ToString());
    }

    [Fact]
    public async Task Without_scope_the_body_has_only_the_grant_type()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        using var provider = Provider(server);
        await provider.GetTokenAsync(CancellationToken.None);
        Assert.Equal("grant_type=client_credentials", Assert.Single(server.Requests).Body);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task Transient_failures_are_retried_with_backoff_until_a_token_comes(int status)
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        server.Respond = n => n <= 2 ? TokenEndpointServer.Error(status, """{"error":"temporarily_unavailable"}""") : null;
        using var provider = Provider(server, FastRetries with { RetryBackoffMs = 100, RetryBackoffMaxMs = 3_000 });

        var token = await provider.GetTokenAsync(CancellationToken.None);

        Assert.Equal(3, server.RequestCount);
        Assert.Equal(server.Issued.Single().Token, token.Value);
        var times = server.Requests.Select(r => r.At).ToArray();
        // Backoff 100 ms, then 200 ms (less some scheduling noise): the attempts do not come back to back.
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(70), $"{times[1] - times[0]}");
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(150), $"{times[2] - times[1]}");
    }

    [Fact]
    public async Task A_401_is_not_retried_and_reports_the_status_and_OAuth_error_but_no_secret_or_body()
    {
        await using var server = new TokenEndpointServer(ClientId, "the-right-secret");
        server.Respond = _ => TokenEndpointServer.Error(401,
            """{"error":"invalid_client","error_description":"Client authentication failed","debug":"echo s3cr+t:/=é&% eyJhbGciOiJub25lIn0.e30."}""");
        using var provider = Provider(server);

        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));

        Assert.Equal(1, server.RequestCount);
        Assert.Equal("OAUTHBEARER", e.Mechanism);
        Assert.Contains(server.Url.ToString(), e.Message);
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains("invalid_client: Client authentication failed", e.Message);
        Assert.Contains("not retried", e.Message);
        Assert.DoesNotContain("s3cr", e.ToString());
        Assert.DoesNotContain("eyJ", e.ToString());
        Assert.DoesNotContain("debug", e.ToString());
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_by_the_endpoint_once()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        using var provider = Provider(server, secret: "not-the-secret");
        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));
        Assert.Equal(1, server.RequestCount);
        Assert.Contains("HTTP 401", e.Message);
        Assert.DoesNotContain("not-the-secret", e.ToString());
    }

    [Fact]
    public async Task Retries_stop_after_the_backoff_budget_with_the_last_status()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        server.Respond = _ => TokenEndpointServer.Error(503, "<html>down</html>");
        using var provider = Provider(server, FastRetries with { RetryBackoffMs = 50, RetryBackoffMaxMs = 500 });

        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));

        // Waits 50, 100, 200, then what is left of 500 ms: about five attempts (a slow machine's late timers may fit
        // one or two more into the budget); never a tight loop.
        Assert.InRange(server.RequestCount, 2, 8);
        Assert.Contains("HTTP 503", e.Message);
        Assert.Contains($"gave up after {server.RequestCount} attempts", e.Message);
        Assert.DoesNotContain("html", e.Message);
    }

    [Fact]
    public async Task An_endpoint_that_refuses_connections_fails_with_its_URL_after_retrying()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop(); // nothing listens there now
        var url = new Uri($"http://user:pw-in-url@127.0.0.1:{port}/token?key=query-secret");
        using var provider = new ClientCredentialsTokenProvider(url, ClientId, Secret, null, FastRetries with { RetryBackoffMs = 20, RetryBackoffMaxMs = 300 });

        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));

        Assert.Contains($"http://127.0.0.1:{port}/token", e.Message);
        Assert.Matches("gave up after [2-9] attempts", e.Message);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.DoesNotContain("pw-in-url", e.ToString());
        Assert.DoesNotContain("query-secret", e.ToString());
        Assert.DoesNotContain("s3cr", e.ToString());
    }

    [Fact]
    public async Task A_slow_answer_times_out_after_the_read_timeout_and_is_retried()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        server.Delay = n => n == 1 ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
        using var provider = Provider(server, FastRetries with { ConnectTimeoutMs = 200, ReadTimeoutMs = 300, RetryBackoffMs = 20, RetryBackoffMaxMs = 3_000 });

        var token = await provider.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(4));

        Assert.Equal(2, server.RequestCount);
        Assert.Equal(server.Issued.Single().Token, token.Value);
    }

    [Fact]
    public async Task A_success_answer_without_access_token_or_with_an_unusable_JWT_fails_without_echoing_it()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        using var provider = Provider(server);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

        server.Respond = _ => TokenEndpointServer.Error(200, """{"token":"eyJopaque-leak"}""");
        var missing = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));
        Assert.Contains("without an access_token", missing.Message);
        Assert.DoesNotContain("leak", missing.Message);

        var noSub = TokenEndpointServer.Jwt(new { exp, client = "leak" });
        server.Respond = _ => TokenEndpointServer.Error(200, $$"""{"access_token":"{{noSub}}"}""");
        var sub = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));
        Assert.Contains("no 'sub' claim", sub.Message);
        Assert.DoesNotContain(noSub, sub.ToString());

        server.Respond = _ => TokenEndpointServer.Error(200, """{"access_token":"opaque-leak-token"}""");
        var opaque = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));
        Assert.Contains("not a JWT", opaque.Message);
        Assert.DoesNotContain("leak", opaque.ToString());

        var expired = TokenEndpointServer.Jwt(new { sub = "svc", exp = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds() });
        server.Respond = _ => TokenEndpointServer.Error(200, $$"""{"access_token":"{{expired}}"}""");
        var late = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));
        Assert.Contains("expired at", late.Message);

        Assert.Equal(4, server.RequestCount); // none of these is retried
    }

    [Fact]
    public async Task Expires_in_is_used_when_the_JWT_has_no_exp()
    {
        await using var server = new TokenEndpointServer(ClientId, Secret);
        var jwt = TokenEndpointServer.Jwt(new { sub = "svc" });
        server.Respond = _ => TokenEndpointServer.Error(200, $$"""{"access_token":"{{jwt}}","expires_in":90}""");
        using var provider = Provider(server);
        var before = DateTimeOffset.UtcNow;

        var token = await provider.GetTokenAsync(CancellationToken.None);

        Assert.InRange(token.ExpiresAt, before.AddSeconds(89), DateTimeOffset.UtcNow.AddSeconds(91));
        Assert.Equal("svc", token.Principal);
    }

    [Fact]
    public async Task A_file_URL_reads_the_token_from_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oauth-token-{Guid.NewGuid():N}.jwt");
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var jwt = TokenEndpointServer.Jwt(new { sub = "from-file", exp });
        await File.WriteAllTextAsync(path, $"  {jwt}\n");
        try
        {
            var provider = OAuthBearerTokenProviders.CreateFetching(new Dictionary<string, string> { ["extension_team"] = "blue" },
                new Uri(path).AbsoluteUri, new SaslLoginSettings(), "sub", "scope");

            var token = await provider.GetTokenAsync(CancellationToken.None);

            Assert.IsType<FileTokenProvider>(provider);
            Assert.Equal(jwt, token.Value);
            Assert.Equal("from-file", token.Principal);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp), token.ExpiresAt);
            Assert.Equal("blue", token.Extensions!["team"]);

            File.Delete(path);
            var e = await Assert.ThrowsAsync<SaslAuthenticationException>(async () => await provider.GetTokenAsync(CancellationToken.None));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Form_URL_encoding_matches_Java_URLEncoder()
    {
        Assert.Equal("a+b%2B%3A%2F%3D%C3%A9%26%25*-._%7E", ClientCredentialsTokenProvider.FormUrlEncode("a b+:/=é&%*-._~"));
    }
}
