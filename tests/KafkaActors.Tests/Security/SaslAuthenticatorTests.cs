using System.Text;
using KafkaActors.Errors;
using KafkaActors.Network.Authentication;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Security;
using KafkaActors.Testing.Secure;
using KafkaActors.Testing.Secure.Sasl;
using Xunit;

namespace KafkaActors.Tests.Security;

/// <summary>The connection's SASL exchange, step by step, against the secure front's server mechanisms (no sockets).</summary>
public sealed class SaslAuthenticatorTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-secret" };

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    [InlineData("OAUTHBEARER")]
    public void Completes_against_the_server_mechanism(string mechanism)
    {
        var server = SaslServerMechanisms.Create(mechanism, Users)!;
        var authenticator = new SaslAuthenticator(Client(mechanism, "alice", "alice-secret"), "1 (localhost:9092)");

        var rounds = Run(authenticator, server, lifetimeMs: 5000);

        Assert.True(authenticator.IsComplete);
        Assert.True(server.IsComplete);
        Assert.Equal("alice", server.AuthenticatedUser);
        Assert.Equal(5000, authenticator.SessionLifetimeMs);
        Assert.Equal(mechanism.StartsWith("SCRAM", StringComparison.Ordinal) ? 2 : 1, rounds);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public void A_wrong_password_is_a_SaslAuthenticationException_with_the_brokers_message_and_no_secret(string mechanism)
    {
        var server = SaslServerMechanisms.Create(mechanism, Users)!;
        var authenticator = new SaslAuthenticator(Client(mechanism, "alice", "not-the-password"), "1 (localhost:9092)");

        var e = Assert.Throws<SaslAuthenticationException>(() => Run(authenticator, server, lifetimeMs: 0));

        Assert.Equal(mechanism, e.Mechanism);
        Assert.Contains("Authentication failed", e.Message);
        Assert.Contains("node 1 (localhost:9092)", e.Message);
        Assert.DoesNotContain("not-the-password", e.Message);
        Assert.False(authenticator.IsComplete);
    }

    [Fact]
    public void An_unknown_OAUTHBEARER_subject_fails_after_the_error_challenge()
    {
        var server = SaslServerMechanisms.Create("OAUTHBEARER", Users)!;
        var token = UnsecuredJwt.Create("mallory", DateTimeOffset.UtcNow.AddMinutes(5));
        var authenticator = new SaslAuthenticator(new OAuthBearerSaslClient(token), "1 (localhost:9092)");

        var e = Assert.Throws<SaslAuthenticationException>(() => Run(authenticator, server, lifetimeMs: 0));

        Assert.Contains("invalid_token", e.Message);
        Assert.DoesNotContain(token, e.Message);
    }

    [Fact]
    public void A_mechanism_the_broker_does_not_enable_names_the_ones_it_does()
    {
        var authenticator = new SaslAuthenticator(new PlainSaslClient("alice", "alice-secret"), "2 (b:9093)");
        authenticator.Start();

        var e = Assert.Throws<SaslAuthenticationException>(() =>
            authenticator.OnHandshake(new SaslHandshakeResponse(ErrorCode.UnsupportedSaslMechanism, ["SCRAM-SHA-512"])));

        Assert.Contains("does not enable SASL mechanism PLAIN", e.Message);
        Assert.Contains("SCRAM-SHA-512", e.Message);
    }

    [Fact]
    public void A_SCRAM_server_that_cannot_prove_it_knows_the_password_is_refused()
    {
        // The impostor knows the user but not the password: its server-final signature cannot match.
        var impostor = new ScramSaslServer(ScramMechanism.ScramSha256, new Dictionary<string, string> { ["alice"] = "guess" });
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "alice", "alice-secret");
        var authenticator = new SaslAuthenticator(client, "1 (localhost:9092)");
        authenticator.Start();
        var first = (SaslAuthenticateRequest)authenticator.OnHandshake(new SaslHandshakeResponse(ErrorCode.None, ["SCRAM-SHA-256"]));
        var serverFirst = impostor.Evaluate(first.AuthBytes);
        var final = (SaslAuthenticateRequest)authenticator.OnAuthenticate(new SaslAuthenticateResponse(ErrorCode.None, null, serverFirst, 0))!;
        // A real impostor would answer success with a made-up signature; forge one from its own (wrong) keys.
        byte[] forged;
        try { forged = impostor.Evaluate(final.AuthBytes); }
        catch (SaslAuthenticationFailedException) { forged = Encoding.ASCII.GetBytes("v=" + Convert.ToBase64String(new byte[32])); }

        var e = Assert.Throws<SaslAuthenticationException>(() => authenticator.OnAuthenticate(new SaslAuthenticateResponse(ErrorCode.None, null, forged, 0)));

        Assert.Contains("failed the exchange", e.Message);
        Assert.False(authenticator.IsComplete);
    }

    private static ISaslClient Client(string mechanism, string user, string password) => mechanism switch
    {
        "PLAIN" => new PlainSaslClient(user, password),
        "OAUTHBEARER" => new OAuthBearerSaslClient(UnsecuredJwt.Create(user, DateTimeOffset.UtcNow.AddMinutes(5))),
        _ => new ScramSaslClient(ScramMechanism.ForName(mechanism)!, user, password),
    };

    /// <summary>Plays the broker: SaslHandshake, then SaslAuthenticate answers from the server mechanism, as Kafka frames them.</summary>
    private static int Run(SaslAuthenticator authenticator, ISaslServerMechanism server, long lifetimeMs)
    {
        var handshake = (SaslHandshakeRequest)authenticator.Start();
        Assert.Equal(server.Mechanism, handshake.Mechanism);
        var next = authenticator.OnHandshake(new SaslHandshakeResponse(ErrorCode.None, [server.Mechanism]));
        var rounds = 0;
        while (next is SaslAuthenticateRequest request)
        {
            rounds++;
            SaslAuthenticateResponse answer;
            try
            {
                answer = new SaslAuthenticateResponse(ErrorCode.None, null, server.Evaluate(request.AuthBytes), lifetimeMs);
            }
            catch (SaslAuthenticationFailedException e)
            {
                answer = new SaslAuthenticateResponse(ErrorCode.SaslAuthenticationFailed, e.Message, [], 0);
            }
            next = authenticator.OnAuthenticate(answer);
            Assert.True(rounds < 10, "the exchange does not end");
        }
        return rounds;
    }
}
