using System.Text;
using KafkaActors.Protocol.Security;
using KafkaActors.Testing.Secure;
using KafkaActors.Testing.Secure.Sasl;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>SCRAM-SHA-256/512: RFC 7677's test vector on both sides, round trips, and what each side refuses.</summary>
public class ScramTests
{
    // RFC 7677 section 3.
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonceSuffix = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string Salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private const string RfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static readonly Dictionary<string, string> Users = new() { ["user"] = "pencil", ["alice"] = "alice-secret" };

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
    private static string Text(byte[]? b) => Encoding.UTF8.GetString(b!);

    [Fact]
    public void Client_reproduces_the_rfc7677_exchange()
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "user", "pencil", ClientNonce);
        Assert.Equal("SCRAM-SHA-256", client.Mechanism);
        Assert.Equal(RfcClientFirst, Text(client.InitialResponse()));
        Assert.Equal(RfcClientFinal, Text(client.EvaluateChallenge(Bytes(RfcServerFirst))));
        Assert.False(client.IsComplete);
        Assert.Null(client.EvaluateChallenge(Bytes(RfcServerFinal)));
        Assert.True(client.IsComplete);
    }

    [Fact]
    public void Server_reproduces_the_rfc7677_exchange()
    {
        var server = new ScramSaslServer(ScramMechanism.ScramSha256, Users, 4096, Convert.FromBase64String(Salt), ServerNonceSuffix);
        Assert.Equal(RfcServerFirst, Text(server.Evaluate(Bytes(RfcClientFirst))));
        Assert.False(server.IsComplete);
        Assert.Equal(RfcServerFinal, Text(server.Evaluate(Bytes(RfcClientFinal))));
        Assert.True(server.IsComplete);
        Assert.Equal("user", server.AuthenticatedUser);
    }

    [Fact]
    public void Primitives_match_rfc7677_through_the_proof()
    {
        var m = ScramMechanism.ScramSha256;
        var salted = m.Hi("pencil", Convert.FromBase64String(Salt), 4096);
        var authMessage = $"n=user,r={ClientNonce},{RfcServerFirst},c=biws,r={ClientNonce}{ServerNonceSuffix}";
        var clientKey = m.ClientKey(salted);
        var proof = ScramMechanism.Xor(clientKey, m.ClientSignature(m.StoredKey(clientKey), authMessage));
        Assert.Equal("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", Convert.ToBase64String(proof));
        Assert.Equal("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Convert.ToBase64String(m.ServerSignature(m.ServerKey(salted), authMessage)));
    }

    public static TheoryData<string> Mechanisms => new() { "SCRAM-SHA-256", "SCRAM-SHA-512" };

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Client_and_server_agree(string name)
    {
        var mechanism = ScramMechanism.ForName(name)!;
        var client = new ScramSaslClient(mechanism, "alice", "alice-secret");
        var server = new ScramSaslServer(mechanism, Users);
        Assert.Equal(2, SaslExchange.Run(client, server));
        Assert.True(client.IsComplete);
        Assert.True(server.IsComplete);
        Assert.Equal("alice", server.AuthenticatedUser);
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Wrong_password_is_refused_with_kafkas_message(string name)
    {
        var mechanism = ScramMechanism.ForName(name)!;
        var client = new ScramSaslClient(mechanism, "alice", "wrong-password");
        var server = new ScramSaslServer(mechanism, Users);
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => SaslExchange.Run(client, server));
        Assert.Equal($"Authentication failed during authentication due to invalid credentials with SASL mechanism {name}", e.Message);
        Assert.False(server.IsComplete);
        Assert.Null(server.AuthenticatedUser);
        Assert.False(client.IsComplete);
    }

    [Fact]
    public void Unknown_user_is_refused()
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha512, "mallory", "pencil");
        var server = new ScramSaslServer(ScramMechanism.ScramSha512, Users);
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => SaslExchange.Run(client, server));
        Assert.Contains("invalid credentials with SASL mechanism SCRAM-SHA-512", e.Message);
    }

    [Fact]
    public void Sha256_and_sha512_do_not_interoperate()
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "alice", "alice-secret");
        var server = new ScramSaslServer(ScramMechanism.ScramSha512, Users);
        Assert.Throws<SaslAuthenticationFailedException>(() => SaslExchange.Run(client, server));
    }

    [Fact]
    public void Forged_server_signature_is_refused()
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "user", "pencil", ClientNonce);
        client.InitialResponse();
        client.EvaluateChallenge(Bytes(RfcServerFirst));
        // A server that does not know the password cannot compute v=; flip one byte of the real signature.
        var signature = Convert.FromBase64String("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        signature[0] ^= 1;
        var e = Assert.Throws<SaslException>(() => client.EvaluateChallenge(Bytes("v=" + Convert.ToBase64String(signature))));
        Assert.Contains("could not prove that it knows the password", e.Message);
        Assert.False(client.IsComplete);
        Assert.Throws<SaslException>(() => client.EvaluateChallenge(Bytes(RfcServerFinal)));
    }

    [Fact]
    public void Server_that_knows_another_password_is_refused_by_the_client()
    {
        // An impostor that skips the proof check and signs the exchange with the password it believes in.
        var m = ScramMechanism.ScramSha256;
        var client = new ScramSaslClient(m, "user", "pencil", ClientNonce);
        client.InitialResponse();
        var clientFinal = Text(client.EvaluateChallenge(Bytes(RfcServerFirst)));
        var authMessage = $"n=user,r={ClientNonce},{RfcServerFirst},{clientFinal[..clientFinal.LastIndexOf(",p=", StringComparison.Ordinal)]}";
        var impostorKey = m.ServerKey(m.Hi("guess", Convert.FromBase64String(Salt), 4096));
        var forged = "v=" + Convert.ToBase64String(m.ServerSignature(impostorKey, authMessage));
        Assert.Throws<SaslException>(() => client.EvaluateChallenge(Bytes(forged)));
        Assert.False(client.IsComplete);
    }

    [Fact]
    public void Server_error_attribute_becomes_a_sasl_exception_with_its_text()
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "user", "pencil", ClientNonce);
        client.InitialResponse();
        client.EvaluateChallenge(Bytes(RfcServerFirst));
        var e = Assert.Throws<SaslException>(() => client.EvaluateChallenge(Bytes("e=invalid-proof")));
        Assert.Contains("invalid-proof", e.Message);
    }

    [Theory]
    [InlineData("r=someoneelse%hvYDpW,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce")] // not our nonce
    [InlineData("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce")] // no server part
    [InlineData("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", "4095")] // too few iterations
    [InlineData("r=rOprNGfwEbeRWgbNEkqOxyz,s=%%%,i=4096", "base64")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096", "salt")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many", "number")]
    [InlineData("m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "mandatory extension")]
    [InlineData("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", "malformed")]
    [InlineData("e=unknown-user", "unknown-user")]
    [InlineData("garbage", "malformed")]
    public void Client_refuses_a_bad_server_first_message(string serverFirst, string reason)
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "user", "pencil", ClientNonce);
        client.InitialResponse();
        var e = Assert.Throws<SaslException>(() => client.EvaluateChallenge(Bytes(serverFirst)));
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain("pencil", e.Message);
    }

    [Theory]
    [InlineData("user", "user")]
    [InlineData("a=b", "a=3Db")]
    [InlineData("a,b", "a=2Cb")]
    [InlineData("=,=", "=3D=2C=3D")]
    public void Saslname_escapes_equals_and_comma(string username, string saslName)
    {
        Assert.Equal(saslName, ScramFormatter.SaslName(username));
        Assert.Equal(username, ScramFormatter.Username(saslName));
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, username, "pencil", ClientNonce);
        Assert.Equal($"n,,n={saslName},r={ClientNonce}", Text(client.InitialResponse()));
    }

    [Fact]
    public void Escaped_user_names_authenticate_end_to_end()
    {
        var users = new Dictionary<string, string> { ["o=dd,user"] = "pw" };
        var client = new ScramSaslClient(ScramMechanism.ScramSha256, "o=dd,user", "pw");
        var server = new ScramSaslServer(ScramMechanism.ScramSha256, users);
        SaslExchange.Run(client, server);
        Assert.Equal("o=dd,user", server.AuthenticatedUser);
    }

    [Theory]
    [InlineData("a=2")]
    [InlineData("a=3d")]
    [InlineData("a=")]
    [InlineData("a,b")]
    public void Invalid_saslnames_are_rejected(string saslName) =>
        Assert.Throws<FormatException>(() => ScramFormatter.Username(saslName));

    [Theory]
    [InlineData("n,,n=user,r=abc,tokenauth=true")] // extensions are not supported
    [InlineData("n,,m=x,n=user,r=abc")] // reserved mandatory extension
    [InlineData("p=tls-unique,,n=user,r=abc")] // channel binding
    [InlineData("n,a=other,n=user,r=abc")] // authorization id of someone else
    [InlineData("n,,n=user")] // no nonce
    [InlineData("n,,n=us=er,r=abc")] // bad escape
    public void Server_refuses_a_bad_client_first_message(string clientFirst)
    {
        var server = new ScramSaslServer(ScramMechanism.ScramSha256, Users);
        var e = Assert.Throws<SaslAuthenticationFailedException>(() => server.Evaluate(Bytes(clientFirst)));
        Assert.Equal("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256", e.Message);
    }

    [Fact]
    public void Server_accepts_its_own_user_as_authorization_id()
    {
        var server = new ScramSaslServer(ScramMechanism.ScramSha256, Users, 4096, Convert.FromBase64String(Salt), ServerNonceSuffix);
        Assert.StartsWith("r=rOprNGfwEbeRWgbNEkqO", Text(server.Evaluate(Bytes("n,a=user,n=user,r=rOprNGfwEbeRWgbNEkqO"))));
    }

    [Theory]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")] // no proof
    [InlineData("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")] // other binding
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqOother,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")] // other nonce
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA")] // short proof
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")] // wrong proof
    public void Server_refuses_a_bad_client_final_message(string clientFinal)
    {
        var server = new ScramSaslServer(ScramMechanism.ScramSha256, Users, 4096, Convert.FromBase64String(Salt), ServerNonceSuffix);
        server.Evaluate(Bytes(RfcClientFirst));
        Assert.Throws<SaslAuthenticationFailedException>(() => server.Evaluate(Bytes(clientFinal)));
        Assert.False(server.IsComplete);
        // A failed exchange stays failed, even for the right message.
        Assert.Throws<SaslAuthenticationFailedException>(() => server.Evaluate(Bytes(RfcClientFinal)));
    }

    [Fact]
    public void Client_generates_a_fresh_nonce_each_time()
    {
        var a = Text(new ScramSaslClient(ScramMechanism.ScramSha256, "u", "p").InitialResponse());
        var b = Text(new ScramSaslClient(ScramMechanism.ScramSha256, "u", "p").InitialResponse());
        Assert.StartsWith("n,,n=u,r=", a);
        Assert.NotEqual(a, b);
        Assert.True(ScramFormatter.IsValidNonce(a["n,,n=u,r=".Length..]));
    }

    [Fact]
    public void No_password_in_to_string()
    {
        var client = new ScramSaslClient(ScramMechanism.ScramSha512, "alice", "alice-secret");
        Assert.DoesNotContain("alice-secret", client.ToString());
        Assert.Contains("[hidden]", client.ToString());
        Assert.DoesNotContain("alice-secret", new ScramSaslServer(ScramMechanism.ScramSha512, Users).ToString());
    }

    [Fact]
    public void Mechanisms_by_name()
    {
        Assert.Same(ScramMechanism.ScramSha256, ScramMechanism.ForName("SCRAM-SHA-256"));
        Assert.Same(ScramMechanism.ScramSha512, ScramMechanism.ForName("SCRAM-SHA-512"));
        Assert.Null(ScramMechanism.ForName("SCRAM-SHA-1"));
        Assert.Equal(64, ScramMechanism.ScramSha512.HashSize);
        Assert.Equal(4096, ScramMechanism.ScramSha512.MinIterations);
    }
}
