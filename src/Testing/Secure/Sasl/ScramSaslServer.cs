using System.Security.Cryptography;
using System.Text;
using KafkaActors.Protocol.Security;

namespace KafkaActors.Testing.Secure.Sasl;

/// <summary>
/// The server side of SCRAM-SHA-256/512 (RFC 5802) against a user table: answers the client-first with
/// <c>r=nonce,s=salt,i=iterations</c>, verifies the client proof in the client-final and answers with the server
/// signature <c>v=</c>. Channel binding and extensions are refused, as Kafka does without delegation tokens.
/// Every failure carries Kafka's "invalid credentials" text. One instance per exchange, used by one connection;
/// not thread-safe.
/// </summary>
public sealed class ScramSaslServer : ISaslServerMechanism
{
    private enum State { ReceiveClientFirst, ReceiveClientFinal, Complete, Failed }

    private readonly ScramMechanism _mechanism;
    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly int _iterations;
    private readonly byte[]? _salt;
    private readonly string? _serverNonce;
    private State _state = State.ReceiveClientFirst;
    private string _username = "";
    private string _gs2Header = "";
    private string _nonce = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private byte[] _storedKey = [];
    private byte[] _serverKey = [];

    /// <summary>Creates the exchange.</summary>
    /// <param name="mechanism">SCRAM-SHA-256 or SCRAM-SHA-512.</param>
    /// <param name="users">Each user name's password.</param>
    /// <param name="iterations">The PBKDF2 iterations the server asks for (clients refuse fewer than 4096).</param>
    /// <param name="salt">A fixed salt, for test vectors; by default 16 random bytes.</param>
    /// <param name="serverNonce">A fixed server part of the nonce, for test vectors; by default random.</param>
    public ScramSaslServer(ScramMechanism mechanism, IReadOnlyDictionary<string, string> users, int iterations = 4096,
        byte[]? salt = null, string? serverNonce = null)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (salt is { Length: 0 }) throw new ArgumentException("The salt may not be empty.", nameof(salt));
        if (serverNonce is not null && !ScramFormatter.IsValidNonce(serverNonce))
            throw new ArgumentException("A SCRAM nonce is printable ASCII without ','.", nameof(serverNonce));
        _mechanism = mechanism;
        _users = users;
        _iterations = iterations;
        _salt = salt;
        _serverNonce = serverNonce;
    }

    /// <inheritdoc />
    public string Mechanism => _mechanism.Name;

    /// <inheritdoc />
    public bool IsComplete => _state == State.Complete;

    /// <inheritdoc />
    public string? AuthenticatedUser => IsComplete ? _username : null;

    /// <summary>Answers the client-first with the server-first, then the client-final with the server-final.</summary>
    public byte[] Evaluate(ReadOnlySpan<byte> clientMessage)
    {
        string message;
        try
        {
            message = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(clientMessage);
        }
        catch (DecoderFallbackException)
        {
            throw Fail();
        }
        switch (_state)
        {
            case State.ReceiveClientFirst:
                return Encoding.UTF8.GetBytes(ServerFirst(message));
            case State.ReceiveClientFinal:
                return Encoding.UTF8.GetBytes(ServerFinal(message));
            default:
                throw Fail();
        }
    }

    private string ServerFirst(string clientFirst)
    {
        // gs2-header = ("n" / "y") "," [ "a=" saslname ] ","; "p=" (channel binding) is not supported.
        if (clientFirst.Length < 3 || clientFirst[0] is not ('n' or 'y') || clientFirst[1] != ',') throw Fail();
        var end = clientFirst.IndexOf(',', 2);
        if (end < 0) throw Fail();
        var authorization = clientFirst[2..end];
        _gs2Header = clientFirst[..(end + 1)];
        _clientFirstBare = clientFirst[(end + 1)..];

        var attributes = Attributes(_clientFirstBare);
        // Exactly n= and r=: a reserved m= or any extension (such as tokenauth) is refused.
        if (attributes.Count != 2 || attributes[0].Key != 'n' || attributes[1].Key != 'r') throw Fail();
        try
        {
            _username = ScramFormatter.Username(attributes[0].Value);
            if (authorization.Length > 0)
            {
                if (!authorization.StartsWith("a=", StringComparison.Ordinal)) throw Fail();
                if (ScramFormatter.Username(authorization[2..]) != _username) throw Fail();
            }
        }
        catch (FormatException)
        {
            throw Fail();
        }
        var clientNonce = attributes[1].Value;
        if (!ScramFormatter.IsValidNonce(clientNonce)) throw Fail();
        if (!_users.TryGetValue(_username, out var password)) throw Fail();

        var salt = _salt ?? RandomNumberGenerator.GetBytes(16);
        var saltedPassword = _mechanism.Hi(password, salt, _iterations);
        var clientKey = _mechanism.ClientKey(saltedPassword);
        _storedKey = _mechanism.StoredKey(clientKey);
        _serverKey = _mechanism.ServerKey(saltedPassword);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);

        _nonce = clientNonce + (_serverNonce ?? ScramFormatter.GenerateNonce());
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(salt)},i={_iterations}";
        _state = State.ReceiveClientFinal;
        return _serverFirst;
    }

    private string ServerFinal(string clientFinal)
    {
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) throw Fail();
        var withoutProof = clientFinal[..proofAt];
        var attributes = Attributes(withoutProof);
        if (attributes.Count != 2 || attributes[0].Key != 'c' || attributes[1].Key != 'r') throw Fail();
        // Without channel binding, c= is the base64 of the GS2 header the client sent first.
        if (attributes[0].Value != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header))) throw Fail();
        if (attributes[1].Value != _nonce) throw Fail();

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw Fail();
        }
        if (proof.Length != _mechanism.HashSize) throw Fail();

        var authMessage = $"{_clientFirstBare},{_serverFirst},{withoutProof}";
        var clientKey = ScramMechanism.Xor(proof, _mechanism.ClientSignature(_storedKey, authMessage));
        if (!CryptographicOperations.FixedTimeEquals(_mechanism.StoredKey(clientKey), _storedKey)) throw Fail();
        _state = State.Complete;
        return $"v={Convert.ToBase64String(_mechanism.ServerSignature(_serverKey, authMessage))}";
    }

    private IReadOnlyList<KeyValuePair<char, string>> Attributes(string message)
    {
        try
        {
            return ScramFormatter.Attributes(message);
        }
        catch (FormatException)
        {
            throw Fail();
        }
    }

    private SaslAuthenticationFailedException Fail()
    {
        _state = State.Failed;
        return SaslServerMessages.InvalidCredentials(_mechanism.Name);
    }

    /// <summary>Names the mechanism and, once authenticated, the user; no key material.</summary>
    public override string ToString() => $"ScramSaslServer {{ Mechanism = {Mechanism}, AuthenticatedUser = {AuthenticatedUser} }}";
}
