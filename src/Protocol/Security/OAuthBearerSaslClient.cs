using System.Text;

namespace KafkaActors.Protocol.Security;

/// <summary>
/// The client side of OAUTHBEARER (RFC 7628, Kafka's KIP-255 and KIP-342): one initial response
/// <c>n,,\x01auth=Bearer &lt;token&gt;\x01key=value\x01...\x01\x01</c>. A server that rejects the token answers
/// with an error challenge (a JSON status document); the client then sends <c>\x01</c>, as RFC 7628 requires, and
/// the broker's SaslAuthenticate error ends the exchange. <see cref="ServerError"/> keeps that JSON for the
/// caller's message. One instance per exchange, owned by one connection; not thread-safe. Never shows the token.
/// </summary>
public sealed class OAuthBearerSaslClient : ISaslClient
{
    private enum State { Initial, SentInitialResponse, SentErrorAcknowledgement, Complete }

    private readonly string _token;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _extensions;
    private State _state = State.Initial;

    /// <param name="tokenValue">The token's compact serialization (<c>[-_.a-zA-Z0-9]+</c>).</param>
    /// <param name="extensions">SASL extensions (KIP-342): keys <c>[A-Za-z]+</c> other than <c>auth</c>.</param>
    public OAuthBearerSaslClient(string tokenValue, IReadOnlyDictionary<string, string>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(tokenValue);
        // The message names what is wrong, never the token itself.
        if (!OAuthBearerFormat.IsValidToken(tokenValue))
            throw new ArgumentException("The OAUTHBEARER token must be non-empty and consist of [-_.a-zA-Z0-9] only (a compact JWS).", nameof(tokenValue));
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in extensions ?? new Dictionary<string, string>())
        {
            if (key == OAuthBearerFormat.AuthKey)
                throw new ArgumentException("The SASL extension name 'auth' is reserved.", nameof(extensions));
            if (!OAuthBearerFormat.IsValidExtensionKey(key))
                throw new ArgumentException($"The SASL extension name '{key}' is invalid: it must match [A-Za-z]+.", nameof(extensions));
            if (value is null || !OAuthBearerFormat.IsValidExtensionValue(value))
                throw new ArgumentException($"The value of SASL extension '{key}' is invalid: it must match [\\x21-\\x7E \\t\\r\\n]+.", nameof(extensions));
            pairs.Add(new(key, value));
        }
        // Ordinal order keeps the bytes stable for a given set of extensions.
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        _token = tokenValue;
        _extensions = pairs;
    }

    public string Mechanism => OAuthBearerFormat.Mechanism;

    public bool IsComplete => _state == State.Complete;

    /// <summary>The server's error challenge (RFC 7628 JSON, e.g. <c>{"status":"invalid_token"}</c>) once it rejected the token; else null.</summary>
    public string? ServerError { get; private set; }

    public byte[] InitialResponse()
    {
        if (_state != State.Initial) throw new InvalidOperationException("The OAUTHBEARER initial response was already sent.");
        var message = new StringBuilder("n,,").Append(OAuthBearerFormat.Separator)
            .Append(OAuthBearerFormat.AuthKey).Append("=Bearer ").Append(_token).Append(OAuthBearerFormat.Separator);
        foreach (var (key, value) in _extensions)
            message.Append(key).Append('=').Append(value).Append(OAuthBearerFormat.Separator);
        message.Append(OAuthBearerFormat.Separator);
        _state = State.SentInitialResponse;
        return Encoding.UTF8.GetBytes(message.ToString());
    }

    public byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge)
    {
        switch (_state)
        {
            case State.SentInitialResponse when challenge.IsEmpty:
                _state = State.Complete;
                return null;
            case State.SentInitialResponse:
                // RFC 7628 3.2.2: the error is a JSON status document; acknowledge it with a lone kvsep so that the
                // server ends the exchange with its failure.
                ServerError = Encoding.UTF8.GetString(challenge);
                _state = State.SentErrorAcknowledgement;
                return [(byte)OAuthBearerFormat.Separator];
            case State.SentErrorAcknowledgement:
                throw new SaslException($"The OAUTHBEARER server rejected the token: {ServerError}");
            default:
                throw new SaslException($"Unexpected OAUTHBEARER server message: the exchange is {(_state == State.Initial ? "not started" : "over")}.");
        }
    }

    public override string ToString() =>
        $"OAuthBearerSaslClient {{ Token = [hidden], Extensions = [{string.Join(", ", _extensions.Select(e => e.Key))}] }}";
}
