using System.Security.Cryptography;
using System.Text;

namespace KafkaActors.Testing.Secure.Sasl;

/// <summary>
/// The server side of PLAIN (RFC 4616) against a user table, answering with Kafka's PlainSaslServer texts.
/// One instance per exchange, used by one connection; not thread-safe.
/// </summary>
public sealed class PlainSaslServer : ISaslServerMechanism
{
    private readonly IReadOnlyDictionary<string, string> _users;
    private bool _done;

    /// <summary>Creates the exchange; <paramref name="users"/> maps each user name to its password.</summary>
    public PlainSaslServer(IReadOnlyDictionary<string, string> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        _users = users;
    }

    /// <inheritdoc />
    public string Mechanism => "PLAIN";

    /// <inheritdoc />
    public bool IsComplete => AuthenticatedUser is not null;

    /// <inheritdoc />
    public string? AuthenticatedUser { get; private set; }

    /// <summary>
    /// Checks <c>authzid\0username\0password</c> and answers nothing on success. A wrong user or password fails with
    /// Kafka's "Authentication failed: Invalid username or password".
    /// </summary>
    public byte[] Evaluate(ReadOnlySpan<byte> clientMessage)
    {
        if (_done) throw new SaslAuthenticationFailedException("Authentication failed: PLAIN has a single client message.");
        _done = true;
        var tokens = Encoding.UTF8.GetString(clientMessage).Split('\0');
        if (tokens.Length != 3)
            throw new SaslAuthenticationFailedException($"Invalid SASL/PLAIN response: expected 3 tokens, got {tokens.Length}");
        var (authorizationId, username, password) = (tokens[0], tokens[1], tokens[2]);
        if (username.Length == 0) throw new SaslAuthenticationFailedException("Authentication failed: username not specified");
        if (password.Length == 0) throw new SaslAuthenticationFailedException("Authentication failed: password not specified");
        if (!_users.TryGetValue(username, out var expected) ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(expected)))
            throw new SaslAuthenticationFailedException("Authentication failed: Invalid username or password");
        if (authorizationId.Length > 0 && authorizationId != username)
            throw new SaslAuthenticationFailedException("Authentication failed: Client requested an authorization id that is different from username");
        AuthenticatedUser = username;
        return [];
    }

    /// <summary>Names the mechanism and the user; the user table is not shown.</summary>
    public override string ToString() => $"PlainSaslServer {{ AuthenticatedUser = {AuthenticatedUser} }}";
}
