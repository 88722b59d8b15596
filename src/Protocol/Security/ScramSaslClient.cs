using System.Security.Cryptography;
using System.Text;

namespace KafkaActors.Protocol.Security;

/// <summary>
/// The client side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) without channel binding: client-first
/// <c>n,,n=user,r=nonce</c>; client-final <c>c=biws,r=nonce,p=proof</c> in answer to the server-first; then it
/// verifies the server-final's <c>v=</c> signature, so a server that does not know the password is refused.
/// One instance per exchange, owned by one connection; not thread-safe. Never shows the password.
/// </summary>
public sealed class ScramSaslClient : ISaslClient
{
    private enum State { Initial, SentClientFirst, SentClientFinal, Complete, Failed }

    private readonly ScramMechanism _mechanism;
    private readonly string _username;
    private readonly string _password;
    private readonly string _clientNonce;
    private State _state = State.Initial;
    private string _clientFirstBare = "";
    private byte[] _expectedServerSignature = [];

    /// <param name="mechanism">SCRAM-SHA-256 or SCRAM-SHA-512.</param>
    /// <param name="username">The user name, sent with <c>=</c> and <c>,</c> escaped (RFC 5802 saslname).</param>
    /// <param name="password">The password; never logged nor shown in messages.</param>
    /// <param name="clientNonce">A fixed nonce, for test vectors only; by default a fresh random one.</param>
    public ScramSaslClient(ScramMechanism mechanism, string username, string password, string? clientNonce = null)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        if (clientNonce is not null && !ScramFormatter.IsValidNonce(clientNonce))
            throw new ArgumentException("A SCRAM nonce is printable ASCII without ','.", nameof(clientNonce));
        _mechanism = mechanism;
        _username = username;
        _password = password;
        _clientNonce = clientNonce ?? ScramFormatter.GenerateNonce();
    }

    public string Mechanism => _mechanism.Name;

    public bool IsComplete => _state == State.Complete;

    public byte[] InitialResponse()
    {
        if (_state != State.Initial) throw new InvalidOperationException("The SCRAM client-first message was already sent.");
        _clientFirstBare = $"n={ScramFormatter.SaslName(_username)},r={_clientNonce}";
        _state = State.SentClientFirst;
        return Encoding.UTF8.GetBytes(ScramFormatter.Gs2Header + _clientFirstBare);
    }

    public byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge)
    {
        var message = Decode(challenge);
        switch (_state)
        {
            case State.SentClientFirst:
                return ClientFinal(message);
            case State.SentClientFinal:
                VerifyServerFinal(message);
                return null;
            default:
                throw Fail($"Unexpected {Mechanism} server message: the exchange is {(_state == State.Initial ? "not started" : "over")}.");
        }
    }

    private byte[] ClientFinal(string serverFirst)
    {
        var attributes = Parse(serverFirst, "server-first");
        if (attributes.Count > 0 && attributes[0].Key == 'e') throw Fail($"The {Mechanism} server refused the client-first message: {attributes[0].Value}");
        if (attributes.Count > 0 && attributes[0].Key == 'm') throw Fail($"The {Mechanism} server-first message has a mandatory extension this client does not support.");
        if (attributes.Count < 3 || attributes[0].Key != 'r' || attributes[1].Key != 's' || attributes[2].Key != 'i')
            throw Fail($"The {Mechanism} server-first message is malformed: expected r=, s= and i=.");

        var nonce = attributes[0].Value;
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length || !ScramFormatter.IsValidNonce(nonce))
            throw Fail($"The {Mechanism} server nonce does not extend the client nonce.");
        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(attributes[1].Value);
        }
        catch (FormatException e)
        {
            throw Fail($"The {Mechanism} server salt is not base64.", e);
        }
        if (salt.Length == 0) throw Fail($"The {Mechanism} server salt is empty.");
        if (!int.TryParse(attributes[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var iterations))
            throw Fail($"The {Mechanism} iteration count is not a number.");
        if (iterations < _mechanism.MinIterations)
            throw Fail($"The {Mechanism} server asks for {iterations} iterations, fewer than the minimum {_mechanism.MinIterations}.");

        var clientFinalWithoutProof = $"c={ScramFormatter.ChannelBinding},r={nonce}";
        var authMessage = $"{_clientFirstBare},{serverFirst},{clientFinalWithoutProof}";
        var saltedPassword = _mechanism.Hi(_password, salt, iterations);
        var clientKey = _mechanism.ClientKey(saltedPassword);
        var storedKey = _mechanism.StoredKey(clientKey);
        var serverKey = _mechanism.ServerKey(saltedPassword);
        var proof = ScramMechanism.Xor(clientKey, _mechanism.ClientSignature(storedKey, authMessage));
        _expectedServerSignature = _mechanism.ServerSignature(serverKey, authMessage);
        // Keys derived from the password need not outlive this call.
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        CryptographicOperations.ZeroMemory(serverKey);
        _state = State.SentClientFinal;
        return Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}");
    }

    private void VerifyServerFinal(string serverFinal)
    {
        var attributes = Parse(serverFinal, "server-final");
        if (attributes[0].Key == 'e') throw Fail($"The {Mechanism} server refused the authentication: {attributes[0].Value}");
        if (attributes[0].Key != 'v') throw Fail($"The {Mechanism} server-final message is malformed: expected v= or e=.");
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(attributes[0].Value);
        }
        catch (FormatException e)
        {
            throw Fail($"The {Mechanism} server signature is not base64.", e);
        }
        if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
            throw Fail($"The {Mechanism} server signature is invalid: the server could not prove that it knows the password.");
        _state = State.Complete;
    }

    private IReadOnlyList<KeyValuePair<char, string>> Parse(string message, string what)
    {
        try
        {
            return ScramFormatter.Attributes(message);
        }
        catch (FormatException e)
        {
            throw Fail($"The {Mechanism} {what} message is malformed.", e);
        }
    }

    private string Decode(ReadOnlySpan<byte> challenge)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(challenge);
        }
        catch (DecoderFallbackException e)
        {
            throw Fail($"The {Mechanism} server message is not UTF-8.", e);
        }
    }

    private SaslException Fail(string message, Exception? inner = null)
    {
        _state = State.Failed;
        return new SaslException(message, inner);
    }

    public override string ToString() => $"ScramSaslClient {{ Mechanism = {Mechanism}, Username = {_username}, Password = [hidden] }}";
}
