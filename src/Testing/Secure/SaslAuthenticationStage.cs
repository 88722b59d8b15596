using KafkaActors.Protocol;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The SASL server side of one front connection, as a Kafka broker's SaslServerAuthenticator behaves: ApiVersions is
/// forwarded with SaslHandshake 0-1 and SaslAuthenticate 0-2 added to the mock's answer; SaslHandshake and
/// SaslAuthenticate are answered here; any other request before authentication closes the connection; after a KIP-368
/// session ran out, any request but SaslHandshake (which starts a re-authentication) closes it too.
/// </summary>
/// <remarks>
/// One instance per connection, called only from its read loop; not thread-safe. A failed exchange answers
/// SASL_AUTHENTICATION_FAILED (or UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE) and closes the connection after that
/// answer is flushed. SaslHandshake v0 is answered, but the raw (unframed) tokens that follow a v0 handshake are not
/// understood: clients that see SaslAuthenticate advertised use v1. Sessions expire for every client version.
/// </remarks>
internal sealed class SaslAuthenticationStage : IFrameHandler
{
    private static readonly ApiVersionRange SaslHandshakeVersions = new(0, 1);
    private static readonly ApiVersionRange SaslAuthenticateVersions = new(0, 2);

    private readonly FrontConnectionInfo _connection;
    private readonly FrontSaslSettings _settings;
    private readonly SecureFrontCounters _counters;

    // The exchange in progress (after SaslHandshake, until its mechanism completes).
    private ISaslServerMechanism? _exchange;
    private bool _authenticated;
    private string? _mechanism;
    private string? _principal;
    private long _sessionExpiresAtMs = long.MaxValue;

    public SaslAuthenticationStage(FrontConnectionInfo connection, FrontSaslSettings settings, SecureFrontCounters counters)
    {
        _connection = connection;
        _settings = settings;
        _counters = counters;
    }

    public FrameAction OnRequest(in KafkaRequestFrame request)
    {
        switch ((ApiKey)request.ApiKey)
        {
            case ApiKey.SaslHandshake:
                return Handshake(request);
            case ApiKey.SaslAuthenticate:
                return Authenticate(request);
        }
        if (_authenticated && Environment.TickCount64 >= _sessionExpiresAtMs)
        {
            _counters.ExpiredSessionClosed();
            return FrameAction.Close;
        }
        if ((ApiKey)request.ApiKey == ApiKey.ApiVersions)
        {
            var version = request.ApiVersion;
            return FrameAction.Forward(response => AddSaslVersions(response, version));
        }
        if (!_authenticated)
        {
            _counters.IllegalRequestClosed();
            return FrameAction.Close;
        }
        return FrameAction.Pass;
    }

    private FrameAction Handshake(in KafkaRequestFrame request)
    {
        var version = request.ApiVersion;
        var mechanism = SaslHandshakeRequest.Parse(request.Body(flexibleHeader: false), version).Mechanism;
        if (_exchange is not null)
            return Fail(new SaslHandshakeResponse(ErrorCode.IllegalSaslState, _settings.Mechanisms), request);
        var enabled = Contains(_settings.Mechanisms, mechanism);
        // Kafka re-authenticates only with the mechanism of the first authentication.
        if (!enabled || (_authenticated && mechanism != _mechanism))
            return Fail(new SaslHandshakeResponse(ErrorCode.UnsupportedSaslMechanism, _settings.Mechanisms), request);
        _exchange = _settings.CreateMechanism(mechanism);
        return FrameAction.Respond(Encode(new SaslHandshakeResponse(ErrorCode.None, _settings.Mechanisms), version, request.CorrelationId));
    }

    private FrameAction Authenticate(in KafkaRequestFrame request)
    {
        var version = request.ApiVersion;
        if (_exchange is null)
            return Fail(new SaslAuthenticateResponse(ErrorCode.IllegalSaslState, "SaslAuthenticate before SaslHandshake", [], 0), request);
        var flexible = ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, version);
        byte[] answer;
        try
        {
            var token = SaslAuthenticateRequest.Parse(request.Body(flexible), version).AuthBytes;
            answer = _exchange.Evaluate(token);
        }
        catch (SaslAuthenticationFailedException e)
        {
            return Fail(new SaslAuthenticateResponse(ErrorCode.SaslAuthenticationFailed, e.Message, [], 0), request);
        }
        catch (Exception e) when (e is KafkaProtocolException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return Fail(new SaslAuthenticateResponse(ErrorCode.SaslAuthenticationFailed,
                $"Authentication failed during authentication due to invalid credentials with SASL mechanism {_exchange.Mechanism}", [], 0), request);
        }
        if (!_exchange.IsComplete)
            return FrameAction.Respond(Encode(new SaslAuthenticateResponse(ErrorCode.None, null, answer, 0), version, request.CorrelationId));

        var principal = _exchange.AuthenticatedUser;
        var reauthentication = _authenticated;
        if (reauthentication && principal != _principal)
        {
            return Fail(new SaslAuthenticateResponse(ErrorCode.SaslAuthenticationFailed,
                "Cannot change principals during re-authentication", [], 0), request);
        }
        _mechanism = _exchange.Mechanism;
        _exchange = null;
        _authenticated = true;
        _principal = principal;
        _connection.Principal = principal;
        var lifetimeMs = 0L;
        if (_settings.SessionLifetime is { } lifetime)
        {
            lifetimeMs = Math.Max(1, (long)lifetime.TotalMilliseconds);
            _sessionExpiresAtMs = Environment.TickCount64 + lifetimeMs;
        }
        _counters.Authenticated(_mechanism, reauthentication);
        return FrameAction.Respond(Encode(new SaslAuthenticateResponse(ErrorCode.None, null, answer, lifetimeMs), version, request.CorrelationId));
    }

    /// <summary>Answers with <paramref name="response"/>, counts a failed authentication, and closes after the answer.</summary>
    private FrameAction Fail(IKafkaResponse response, in KafkaRequestFrame request)
    {
        _exchange = null;
        _counters.AuthenticationFailed();
        return FrameAction.Respond(Encode(response, request.ApiVersion, request.CorrelationId), closeAfterResponse: true);
    }

    /// <summary>
    /// Adds the SASL APIs to the mock's ApiVersions answer. An error answer (the mock's v3 one is error 35 with a
    /// body that does not parse) passes unchanged: the client steps down to a lower version and asks again.
    /// </summary>
    private static byte[] AddSaslVersions(ReadOnlySpan<byte> response, short version)
    {
        var body = response[4..]; // ApiVersions answers with response header v0 at every version
        if (ApiVersionsResponse.PeekErrorCode(body) != ErrorCode.None)
            return response.ToArray();
        var parsed = ApiVersionsResponse.Parse(body, version);
        var keys = new Dictionary<ApiKey, ApiVersionRange>(parsed.ApiKeys)
        {
            [ApiKey.SaslHandshake] = SaslHandshakeVersions,
            [ApiKey.SaslAuthenticate] = SaslAuthenticateVersions,
        };
        var correlationId = ResponseHeader.PeekCorrelationId(response);
        return Encode(parsed with { ApiKeys = keys }, version, correlationId);
    }

    /// <summary>A response frame without its size prefix.</summary>
    private static byte[] Encode(IKafkaResponse response, short version, int correlationId)
    {
        using var output = new PooledBufferWriter();
        ResponseEncoder.Encode(output, response, version, correlationId);
        return output.WrittenSpan[4..].ToArray();
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == value) return true;
        return false;
    }
}

/// <summary>What every SASL stage of one front shares: the enabled mechanisms, how to create their servers, the session lifetime. Immutable; thread-safe.</summary>
internal sealed record FrontSaslSettings(IReadOnlyList<string> Mechanisms, Func<string, ISaslServerMechanism> CreateMechanism, TimeSpan? SessionLifetime);
