using System.Text;

namespace KafkaActors.Protocol.Security;

/// <summary>
/// The client side of PLAIN (RFC 4616): one message <c>\0username\0password</c> with an empty authorization id,
/// as Kafka's PlainLoginModule sends. Complete once the server answers it without a challenge. Only safe over
/// TLS: the password travels as it is. One instance per exchange; not thread-safe. Never shows the password.
/// </summary>
public sealed class PlainSaslClient : ISaslClient
{
    private readonly string _username;
    private readonly string _password;
    private bool _sent;
    private bool _complete;

    public PlainSaslClient(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        // A NUL would shift the fields the server reads.
        if (username.Contains('\0')) throw new ArgumentException("A PLAIN user name may not contain NUL.", nameof(username));
        if (password.Contains('\0')) throw new ArgumentException("A PLAIN password may not contain NUL.", nameof(password));
        _username = username;
        _password = password;
    }

    public string Mechanism => "PLAIN";

    public bool IsComplete => _complete;

    public byte[] InitialResponse()
    {
        if (_sent) throw new InvalidOperationException("The PLAIN message was already sent.");
        _sent = true;
        return Encoding.UTF8.GetBytes($"\0{_username}\0{_password}");
    }

    public byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge)
    {
        if (!_sent || _complete) throw new SaslException("Unexpected PLAIN server message: PLAIN has a single client message.");
        if (!challenge.IsEmpty) throw new SaslException($"Unexpected PLAIN challenge of {challenge.Length} bytes: PLAIN servers send none.");
        _complete = true;
        return null;
    }

    public override string ToString() => $"PlainSaslClient {{ Username = {_username}, Password = [hidden] }}";
}
