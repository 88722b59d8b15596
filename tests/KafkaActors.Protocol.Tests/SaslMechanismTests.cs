using System.Text;
using KafkaActors.Protocol.Security;
using KafkaActors.Testing.Secure;
using KafkaActors.Testing.Secure.Sasl;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>PLAIN and OAUTHBEARER clients against the secure front's server mechanisms, and the factory.</summary>
public class SaslMechanismTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-secret", ["bob"] = "bob-secret" };

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
    private static string Text(byte[]? b) => Encoding.UTF8.GetString(b!);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    // --- PLAIN ---

    [Fact]
    public void Plain_sends_an_empty_authzid_the_user_and_the_password()
    {
        var client = new PlainSaslClient("alice", "alice-secret");
        Assert.Equal("PLAIN", client.Mechanism);
        Assert.Equal("\0alice\0alice-secret", Text(client.InitialResponse()));
        Assert.False(client.IsComplete);
        Assert.Null(client.EvaluateChallenge([]));
        Assert.True(client.IsComplete);
    }

    [Fact]
    public void Plain_round_trip()
    {
        var client = new PlainSaslClient("bob", "bob-secret");
        var server = new PlainSaslServer(Users);
        Assert.Equal(1, SaslExchange.Run(client, server));
        Assert.True(server.IsComplete);
        Assert.Equal("bob", server.AuthenticatedUser);
    }

    [Theory]
    [InlineData("alice", "bob-secret")]
    [InlineData("mallory", "alice-secret")]
    public void Plain_wrong_user_or_password_is_refused_with_kafkas_message(string user, string password)
    {
        var server = new PlainSaslServer(Users);
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => SaslExchange.Run(new PlainSaslClient(user, password), server));
        Assert.Equal("Authentication failed: Invalid username or password", e.Message);
        Assert.False(server.IsComplete);
        Assert.Null(server.AuthenticatedUser);
    }

    [Theory]
    [InlineData("alice\0alice-secret", "expected 3 tokens, got 2")]
    [InlineData("\0\0alice-secret", "username not specified")]
    [InlineData("\0alice\0", "password not specified")]
    [InlineData("bob\0alice\0alice-secret", "authorization id that is different from username")]
    public void Plain_server_refuses_malformed_messages(string message, string reason)
    {
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => new PlainSaslServer(Users).Evaluate(Bytes(message)));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Plain_server_accepts_the_users_own_authzid()
    {
        var server = new PlainSaslServer(Users);
        Assert.Empty(server.Evaluate(Bytes("alice\0alice\0alice-secret")));
        Assert.Equal("alice", server.AuthenticatedUser);
    }

    [Fact]
    public void Plain_client_refuses_a_challenge_and_hides_the_password()
    {
        var client = new PlainSaslClient("alice", "alice-secret");
        client.InitialResponse();
        var e = Assert.Throws<SaslException>(() => client.EvaluateChallenge([1, 2]));
        Assert.DoesNotContain("alice-secret", e.Message);
        Assert.DoesNotContain("alice-secret", client.ToString());
        Assert.Throws<ArgumentException>(() => new PlainSaslClient("al\0ice", "x"));
        var nul = Assert.Throws<ArgumentException>(() => new PlainSaslClient("alice", "sec\0ret"));
        Assert.DoesNotContain("sec\0ret", nul.Message);
    }

    // --- OAUTHBEARER ---

    [Fact]
    public void OAuthBearer_initial_response_follows_rfc7628_with_sorted_extensions()
    {
        var client = new OAuthBearerSaslClient("aaa.bbb.", new Dictionary<string, string> { ["traceId"] = "t 1", ["logicalCluster"] = "lkc-1" });
        Assert.Equal("OAUTHBEARER", client.Mechanism);
        Assert.Equal("n,,\u0001auth=Bearer aaa.bbb.\u0001logicalCluster=lkc-1\u0001traceId=t 1\u0001\u0001", Text(client.InitialResponse()));
        Assert.Null(client.EvaluateChallenge([]));
        Assert.True(client.IsComplete);
        Assert.Null(client.ServerError);
    }

    [Fact]
    public void OAuthBearer_without_extensions()
    {
        Assert.Equal("n,,\u0001auth=Bearer tok\u0001\u0001", Text(new OAuthBearerSaslClient("tok").InitialResponse()));
    }

    [Fact]
    public void OAuthBearer_round_trip_passes_extensions_through()
    {
        var token = UnsecuredJwt.Create("alice", Now.AddMinutes(5), Now);
        var extensions = new Dictionary<string, string> { ["logicalCluster"] = "lkc-abc", ["identityPoolId"] = "pool-1" };
        var client = new OAuthBearerSaslClient(token, extensions);
        var server = new OAuthBearerSaslServer(Users, timeProvider: new FixedTime(Now));
        Assert.Equal(1, SaslExchange.Run(client, server));
        Assert.True(client.IsComplete);
        Assert.Equal("alice", server.AuthenticatedUser);
        Assert.Equal(extensions, server.Extensions);
        Assert.Equal("", server.AuthorizationId);
    }

    [Fact]
    public void OAuthBearer_server_reads_a_fractional_exp_and_another_principal_claim()
    {
        // librdkafka's unsecured tokens carry "exp":1764576300.500 style numbers.
        var token = UnsecuredJwt.Create("bob", Now.AddMilliseconds(500), Now, principalClaimName: "principal");
        var server = new OAuthBearerSaslServer(Users, "principal", new FixedTime(Now));
        Assert.Empty(server.Evaluate(new OAuthBearerSaslClient(token).InitialResponse()));
        Assert.Equal("bob", server.AuthenticatedUser);
        var expired = new OAuthBearerSaslServer(Users, "principal", new FixedTime(Now.AddMilliseconds(500)));
        Assert.Equal("{\"status\":\"invalid_token\"}", Text(expired.Evaluate(new OAuthBearerSaslClient(token).InitialResponse())));
    }

    [Fact]
    public void OAuthBearer_server_accepts_a_token_shaped_like_librdkafkas()
    {
        // rd_kafka_oauthbearer_unsecured_token: a fixed header, "%.3f" times, an optional scope list, and its
        // client-first message "n,,\x01auth=Bearer <token>\x01<extensions>\x01".
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = Now.ToUnixTimeSeconds();
        var token = $"eyJhbGciOiJub25lIn0.{B64($"{{\"sub\":\"bob\",\"iat\":{now}.250,\"exp\":{now + 3600}.250,\"scope\":[\"r1\",\"r2\"]}}")}.";
        var server = new OAuthBearerSaslServer(Users, timeProvider: new FixedTime(Now));
        Assert.Empty(server.Evaluate(Bytes($"n,,\u0001auth=Bearer {token}\u0001traceId=123\u0001\u0001")));
        Assert.Equal("bob", server.AuthenticatedUser);
        Assert.Equal("123", server.Extensions["traceId"]);
    }

    public static TheoryData<string> BadTokens()
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = Now.AddMinutes(5).ToUnixTimeSeconds();
        return new TheoryData<string>
        {
            UnsecuredJwt.Create("alice", Now.AddSeconds(-1), Now.AddMinutes(-5)), // expired
            UnsecuredJwt.Create("mallory", Now.AddMinutes(5), Now), // unknown subject
            UnsecuredJwt.Create("alice", Now.AddMinutes(5), Now, principalClaimName: "user"), // no sub
            $"{B64("{\"alg\":\"HS256\"}")}.{B64($"{{\"sub\":\"alice\",\"exp\":{exp}}}")}.", // not alg none
            $"{B64("{\"alg\":\"none\"}")}.{B64($"{{\"sub\":\"alice\",\"exp\":{exp}}}")}.c2ln", // a signature
            $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"alice\"}")}.", // no exp
            $"{B64("{\"alg\":\"none\"}")}.{B64($"{{\"sub\":\"alice\",\"exp\":\"{exp}\"}}")}.", // exp not a number
            $"{B64("{\"alg\":\"none\"}")}.{B64("not json")}.",
            "abc", // not a JWS
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public void OAuthBearer_bad_tokens_get_the_error_challenge_then_fail(string token)
    {
        var client = new OAuthBearerSaslClient(token);
        var server = new OAuthBearerSaslServer(Users, timeProvider: new FixedTime(Now));
        var challenge = server.Evaluate(client.InitialResponse());
        Assert.Equal("{\"status\":\"invalid_token\"}", Text(challenge));
        Assert.False(server.IsComplete);

        // RFC 7628: the client acknowledges the error with a lone kvsep; the server then fails the exchange.
        Assert.Equal([0x01], client.EvaluateChallenge(challenge));
        Assert.Equal("{\"status\":\"invalid_token\"}", client.ServerError);
        Assert.False(client.IsComplete);
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => server.Evaluate([0x01]));
        Assert.Equal("{\"status\":\"invalid_token\"}", e.Message);
        Assert.DoesNotContain(token, e.Message);
        Assert.Null(server.AuthenticatedUser);

        // Should the broker answer again, the client ends with the server's JSON.
        var clientError = Assert.Throws<SaslException>(() => client.EvaluateChallenge([0x7B]));
        Assert.Contains("invalid_token", clientError.Message);
        Assert.DoesNotContain(token, clientError.Message);
    }

    [Theory]
    [InlineData("n,,auth=Bearer tok\u0001\u0001")] // no kvsep after the GS2 header
    [InlineData("n,,\u0001auth=Bearer tok\u0001")] // no final kvsep
    [InlineData("n,,\u0001auth=Basic tok\u0001\u0001")] // other scheme
    [InlineData("n,,\u0001auth=Bearer to/k\u0001\u0001")] // token outside [-_.a-zA-Z0-9]
    [InlineData("n,,\u0001x=1\u0001\u0001")] // no auth
    [InlineData("n,,\u0001auth=Bearer tok\u0001bad-key=1\u0001\u0001")]
    [InlineData("n,,\u0001auth=Bearer tok\u0001a=1\u0001a=2\u0001\u0001")] // duplicate extension
    [InlineData("p=tls-unique,,\u0001auth=Bearer tok\u0001\u0001")] // channel binding
    [InlineData("\u0001")] // an acknowledgement without an error
    public void OAuthBearer_server_refuses_malformed_initial_responses(string message)
    {
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => new OAuthBearerSaslServer(Users).Evaluate(Bytes(message)));
        Assert.Equal("Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER", e.Message);
    }

    [Fact]
    public void OAuthBearer_scheme_is_case_insensitive_and_authzid_must_match()
    {
        var token = UnsecuredJwt.Create("alice", Now.AddMinutes(5), Now);
        var server = new OAuthBearerSaslServer(Users, timeProvider: new FixedTime(Now));
        Assert.Empty(server.Evaluate(Bytes($"n,a=alice,\u0001auth=bearer  {token}\u0001\u0001")));
        Assert.Equal("alice", server.AuthorizationId);
        Assert.Equal("alice", server.AuthenticatedUser);

        var other = new OAuthBearerSaslServer(Users, timeProvider: new FixedTime(Now));
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => other.Evaluate(Bytes($"n,a=bob,\u0001auth=Bearer {token}\u0001\u0001")));
        Assert.Contains("different from the token's principal name (alice)", e.Message);
        Assert.DoesNotContain(token, e.Message);
    }

    [Theory]
    [InlineData("auth", "x", "reserved")]
    [InlineData("bad-key", "x", "[A-Za-z]+")]
    [InlineData("", "x", "[A-Za-z]+")]
    [InlineData("key", "", "invalid")]
    [InlineData("key", "caf\u00e9", "invalid")]
    public void OAuthBearer_client_validates_extensions(string key, string value, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => new OAuthBearerSaslClient("tok", new Dictionary<string, string> { [key] = value }));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void OAuthBearer_client_validates_the_token_without_showing_it()
    {
        var e = Assert.Throws<ArgumentException>(() => new OAuthBearerSaslClient("secret token"));
        Assert.DoesNotContain("secret", e.Message);
        Assert.Throws<ArgumentException>(() => new OAuthBearerSaslClient(""));
        var client = new OAuthBearerSaslClient("eyJhbGciOiJub25lIn0.e30.", new Dictionary<string, string> { ["logicalCluster"] = "lkc" });
        Assert.DoesNotContain("eyJ", client.ToString());
        Assert.Contains("logicalCluster", client.ToString());
    }

    [Fact]
    public void Unsecured_jwt_has_the_unsecured_jws_shape()
    {
        var token = UnsecuredJwt.Create("alice", DateTimeOffset.FromUnixTimeMilliseconds(1_764_576_300_500), DateTimeOffset.FromUnixTimeSeconds(1_764_576_000));
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("", parts[2]);
        Assert.Equal("{\"alg\":\"none\"}", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])));
        Assert.Equal("{\"sub\":\"alice\",\"iat\":1764576000,\"exp\":1764576300.5}",
            Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])));
        Assert.True(OAuthBearerFormat.IsValidToken(token));
    }

    // --- factory ---

    [Theory]
    [InlineData("PLAIN", typeof(PlainSaslServer))]
    [InlineData("SCRAM-SHA-256", typeof(ScramSaslServer))]
    [InlineData("SCRAM-SHA-512", typeof(ScramSaslServer))]
    [InlineData("OAUTHBEARER", typeof(OAuthBearerSaslServer))]
    public void Factory_creates_each_mechanism(string name, Type type)
    {
        var server = SaslServerMechanisms.Create(name, Users);
        Assert.IsType(type, server);
        Assert.Equal(name, server!.Mechanism);
        Assert.Contains(name, SaslServerMechanisms.All);
    }

    [Fact]
    public void Factory_knows_no_other_mechanism() => Assert.Null(SaslServerMechanisms.Create("GSSAPI", Users));

    [Fact]
    public void Every_client_completes_against_its_server()
    {
        var token = UnsecuredJwt.Create("alice", DateTimeOffset.UtcNow.AddMinutes(5));
        ISaslClient[] clients =
        [
            new PlainSaslClient("alice", "alice-secret"),
            new ScramSaslClient(ScramMechanism.ScramSha256, "alice", "alice-secret"),
            new ScramSaslClient(ScramMechanism.ScramSha512, "alice", "alice-secret"),
            new OAuthBearerSaslClient(token),
        ];
        foreach (var client in clients)
        {
            var server = SaslServerMechanisms.Create(client.Mechanism, Users)!;
            SaslExchange.Run(client, server);
            Assert.True(client.IsComplete, client.Mechanism);
            Assert.Equal("alice", server.AuthenticatedUser);
        }
    }
}
