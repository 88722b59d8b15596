using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using KafkaActors.Errors;
using KafkaActors.Metrics;
using KafkaActors.Network.Authentication;
using KafkaActors.Network.Transport;
using KafkaActors.Security;
using KafkaActors.Partition;
using KafkaActors.Producer;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol;

namespace KafkaActors.Network;

/// <summary>
/// One broker connection over Akka.IO TCP, or TLS (Java's <c>NetworkClient</c> + the Sender's drain for one
/// node). States: Idle → Connecting (TCP, and the TLS handshake under security.protocol SSL/SASL_SSL) →
/// Handshaking (ApiVersions) → Authenticating (SASL, when configured) → Ready → Backoff → … Work that
/// arrives in any state is queued; the connection is opened when there is work. When the broker gives the
/// SASL session a lifetime (KIP-368), Ready re-enters Authenticating before it ends: new requests wait
/// until those in flight are answered, then the same connection authenticates again.
///
/// In Ready it drains queued batches into Produce requests, at most one batch per partition each,
/// keeping at most max.in.flight.requests.per.connection requests unanswered, matches answers by
/// correlation id and hands each batch's outcome to its partition actor. A lost connection or an
/// expired request fails everything it held as retriable, so partition actors retry elsewhere.
/// The Akka.IO connection actor is recreated for every TCP connection; this actor lives on.
///
/// As Java's NetworkClient and Selector: a response with a throttle time (KIP-219) mutes sending to the broker
/// for that long (<see cref="ConnectionThrottle"/>); a connection with nothing in flight or queued for
/// connections.max.idle.ms is closed and goes back to Idle, to be opened again by the next work; each connection
/// attempt gets socket.connection.setup.timeout.ms doubled per consecutive failed attempt, up to its max, and
/// (without TLS) the next of the host's addresses after a failed attempt (<see cref="NodeAddresses"/>).
/// </summary>
internal sealed partial class ConnectionActor : ActorBase, IWithTimers
{
    private const string ReconnectTimer = "reconnect";
    private const string TimeoutTimer = "timeouts";
    private const string ReauthenticateTimer = "reauthenticate";
    private const string ThrottleTimer = "throttle";
    private const string IdleTimer = "idle";

    private readonly BrokerEndpoint _endpoint;
    private readonly ConnectionOptions _options;
    private readonly ProducerMetrics _metrics;
    private readonly NodeMetrics _nodeMetrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PendingProduceQueue _pendingProduce = new();
    private readonly BrokerQueueEstimate _brokerQueue = new();
    private readonly Queue<Request> _pendingRequests = new();
    private readonly Dictionary<int, InFlightRequest> _inFlight = new();
    private readonly Stack<InFlightRequest> _spareRequests = new(); // done requests, reused (see InFlightRequest)
    private readonly List<PartitionProduceResponse> _produced = new(); // the Produce response being handled
    private readonly Utf8StringCache _topicNames = new();
    private FrameDecoder _decoder = new();
    private IActorRef? _tcp;
    private int _nextCorrelationId;
    private int _failedAttempts;
    private int _failedConnectAttempts;
    private bool _connecting;
    private long _lastActivityMs;
    private readonly ConnectionThrottle _throttle = new();
    private readonly NodeAddresses _addresses = new();
    private TimeSpan _setupTimeout;
    private NegotiatedVersions? _versions;
    private bool _ready;
    private SaslAuthenticator? _sasl;
    private bool _reauthenticationDue;
    private bool _pumpDue; // a PumpDue is in the mailbox
    private int _attempt;

    public ConnectionActor(BrokerEndpoint endpoint, ConnectionOptions options, ProducerMetrics metrics)
    {
        _endpoint = endpoint;
        _options = options;
        _metrics = metrics;
        _nodeMetrics = metrics.ForNode(endpoint.NodeId);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BrokerEndpoint endpoint, ConnectionOptions options, ProducerMetrics metrics) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(endpoint, options, metrics)).WithDispatcher(ProducerDispatcher.Id);

    protected override bool Receive(object message) => Idle(message);

    /// <summary>
    /// Closing time: a FIN after the queued writes rather than an abort's reset, so acks=0 batches already
    /// counted as sent reach the broker. Answers once the socket is closed (or at once when there is none).
    /// </summary>
    private bool ShutdownRequest(object message)
    {
        if (message is not Shutdown) return false;
        ShutDown(Sender);
        return true;
    }

    /// <summary>
    /// <see cref="ShutdownRequest"/>'s work, apart: the closure it makes would otherwise be allocated on entry to
    /// <see cref="ShutdownRequest"/>, which every state calls for every message.
    /// </summary>
    private void ShutDown(IActorRef replyTo)
    {
        if (_tcp is null)
        {
            replyTo.Tell(Closed.Instance);
            return;
        }
        // ConfirmedClose half-closes: our FIN after the queued writes, then reading on until the broker
        // closes too, so it takes in everything before the socket goes. Nothing more is sent (a pending PumpDue included).
        _ready = false;
        _tcp.Tell(Tcp.ConfirmedClose.Instance);
        Become(m =>
        {
            if (m is Tcp.ConnectionClosed || m is Tcp.CommandFailed) replyTo.Tell(Closed.Instance);
            else if (m is Tcp.Received or WriteAck or TimeoutTick) return true;
            else return false;
            _tcp = null;
            return true;
        });
    }

    // ---- states -------------------------------------------------------------------------------

    private bool Idle(object message)
    {
        if (ShutdownRequest(message)) return true; // also after a Backoff with no work left, so close never waits on us
        if (message is Tcp.Event or ThrottleElapsed or IdleCheck) return true; // of a socket closed for idleness
        if (!Enqueue(message)) return false;
        StartConnecting();
        return true;
    }

    private bool Connecting(object message)
    {
        if (ShutdownRequest(message)) return true;
        switch (message)
        {
            case Tcp.Connected:
                _connecting = false;
                _tcp = Sender;
                _tcp.Tell(new Tcp.Register(Self, keepOpenOnPeerClosed: false, useResumeWriting: true));
                SendApiVersions(ClientApiVersions.ApiVersions.Max);
                Become(Handshaking);
                return true;
            case Tcp.CommandFailed { Cause.HasValue: true, Cause.Value: AuthenticationException refused }:
                Fail(refused); // TLS: an untrusted certificate or no common protocol is no network hiccup
                return true;
            case Tcp.CommandFailed failed:
                // Akka.IO reports a refused connection with Java NIO's words; say what happened instead.
                var cause = failed.Cause.HasValue
                    ? failed.Cause.Value is System.Net.Sockets.SocketException socket ? socket.SocketErrorCode.ToString() : failed.Cause.Value.Message
                    : "connection refused or timed out";
                Fail(new NetworkException($"Connection to node {_endpoint} failed: {cause}.", failed.Cause.HasValue ? failed.Cause.Value : null));
                return true;
            case Tcp.ConnectionClosed:
                return true; // of the socket an idle close ended
            case AddressesResolved resolved when resolved.Attempt == _attempt:
                if (_addresses.OnLookup(resolved.Addresses)) ConnectTcp(_addresses.Current);
                else Fail(new NetworkException($"Connection to node {_endpoint} failed: {_endpoint.Host} has no address."));
                return true;
            case AddressesNotResolved failed when failed.Attempt == _attempt:
                Fail(new NetworkException($"Connection to node {_endpoint} failed: {_endpoint.Host} could not be resolved: {failed.Cause.Message}", failed.Cause));
                return true;
            case AddressesResolved or AddressesNotResolved:
                return true; // of an earlier attempt
            default:
                return Enqueue(message);
        }
    }

    private bool Handshaking(object message)
    {
        if (ShutdownRequest(message)) return true;
        switch (message)
        {
            case Tcp.Received received when Sender.Equals(_tcp):
                OnReceived(received.Data);
                return true;
            default:
                return Enqueue(message) || Connected(message);
        }
    }

    /// <summary>SASL: first the mechanism's client (an OAUTHBEARER token may take a while), then the exchange.</summary>
    private bool Authenticating(object message)
    {
        switch (message)
        {
            case SaslClientCreated created when created.Attempt == _attempt:
                _sasl = new SaslAuthenticator(created.Client, _endpoint.ToString());
                SendControl(_sasl.Start(), _versions!.SaslHandshake);
                return true;
            case SaslClientFailed failed when failed.Attempt == _attempt:
                Fail(failed.Cause as AuthenticationException
                     ?? new SaslAuthenticationException(_options.Sasl!.Mechanism, $"SASL {_options.Sasl.Mechanism}: no credentials for node {_endpoint}: {failed.Cause.Message}", failed.Cause));
                return true;
            case SaslClientCreated or SaslClientFailed:
                return true; // of an earlier socket
            default:
                return Handshaking(message);
        }
    }

    private bool Ready(object message)
    {
        if (ShutdownRequest(message)) return true;
        switch (message)
        {
            case Tcp.Received received when Sender.Equals(_tcp):
                OnReceived(received.Data);
                if (_ready) Pump();
                return true;
            case SendBatch or Request:
                Enqueue(message);
                SchedulePump();
                return true;
            default:
                return Connected(message);
        }
    }

    /// <summary>What a live socket handles in both Handshaking and Ready.</summary>
    private bool Connected(object message)
    {
        // Events of an earlier, aborted socket may still arrive: only the current one counts.
        if (message is Tcp.Event and not WriteAck && !Sender.Equals(_tcp)) return true;
        switch (message)
        {
            case WriteAck ack:
                OnWritten(ack.CorrelationId);
                if (_ready) Pump();
                return true;
            case ReauthenticationDue:
                if (!_ready) return true; // already authenticating, or the socket it was for is gone
                _reauthenticationDue = true;
                Pump();
                return true;
            case TimeoutTick:
                CheckRequestTimeouts();
                return true;
            case ThrottleElapsed:
                if (_ready) Pump();
                return true;
            case IdleCheck:
                CheckIdle();
                return true;
            case TlsConnectionActor.SslAuthenticationFailed refused:
                Fail(refused.Error); // TLS 1.3: the broker's refusal (e.g. of our certificate) comes after the handshake
                return true;
            case Tcp.ConnectionClosed closed:
                Fail(new NetworkException($"Connection to node {_endpoint} closed: {Describe(closed)}"));
                return true;
            case Tcp.CommandFailed failed:
                Fail(new NetworkException($"Write to node {_endpoint} failed: {(failed.Cause.HasValue ? failed.Cause.Value.Message : "unknown cause")}"));
                return true;
            default:
                return false;
        }
    }

    private bool Backoff(object message)
    {
        if (ShutdownRequest(message)) return true;
        switch (message)
        {
            case ReconnectDue:
                if (_pendingProduce.Count > 0 || _pendingRequests.Count > 0) StartConnecting();
                else Become(Idle);
                return true;
            default:
                return Enqueue(message);
        }
    }

    /// <summary>A bug in one message resets the connection (everything it held fails as retriable) instead of restarting the actor.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            if (message is not PumpDue) return base.AroundReceive(receive, message);
            // In every state: only Ready sends; the others send when they become Ready.
            _pumpDue = false;
            if (_ready) Pump();
            return true;
        }
        catch (Exception e)
        {
            _log.Error(e, "Unexpected error handling {0} on the connection to node {1}; reconnecting", message.GetType().Name, _endpoint);
            Fail(new NetworkException($"Connection to node {_endpoint} reset after an internal error: {e.Message}", e));
            return true;
        }
    }

    // ---- connecting ---------------------------------------------------------------------------

    private void StartConnecting()
    {
        _decoder.Dispose();
        _decoder = new FrameDecoder();
        _attempt++;
        _connecting = true;
        _setupTimeout = _options.ConnectionSetupTimeoutAfter(_failedConnectAttempts);
        if (_options.Tls is { } tls)
        {
            // TLS runs in a transport actor of ours that speaks Akka.IO's connection protocol (SslStream needs a stream);
            // it tries the host's addresses in turn within the attempt, and checks the certificate against the host name.
            var remote = new DnsEndPoint(_endpoint.Host, _endpoint.Port);
            Context.ActorOf(TlsConnectionActor.Props(remote, (host, onRejected) => TlsClientOptions.Create(tls, host, onRejected),
                _options.SendBufferBytes, _options.ReceiveBufferBytes, _setupTimeout, Self), $"tls-{_attempt}");
        }
        else if (IPAddress.TryParse(_endpoint.Host, out var literal))
        {
            ConnectTcp(literal);
        }
        else if (!_addresses.NeedsLookup)
        {
            ConnectTcp(_addresses.Current);
        }
        else
        {
            // use_all_dns_ips: Akka.IO would connect to the first address only, so we look the name up and pick one per attempt.
            var attempt = _attempt;
            System.Net.Dns.GetHostAddressesAsync(_endpoint.Host).PipeTo(Self,
                success: addresses => new AddressesResolved(addresses, attempt),
                failure: e => new AddressesNotResolved(e is AggregateException { InnerException: { } inner } ? inner : e, attempt));
        }
        Become(Connecting);
    }

    private void ConnectTcp(IPAddress address)
    {
        var options = new List<Inet.SocketOption>();
        if (_options.SendBufferBytes > 0) options.Add(new Inet.SO.SendBufferSize(_options.SendBufferBytes));
        if (_options.ReceiveBufferBytes > 0) options.Add(new Inet.SO.ReceiveBufferSize(_options.ReceiveBufferBytes));
        Context.System.Tcp().Tell(new Tcp.Connect(new IPEndPoint(address, _endpoint.Port), options: options, timeout: _setupTimeout));
    }

    private void SendApiVersions(short version) =>
        SendControl(new ApiVersionsRequest(_options.SoftwareName, _options.SoftwareVersion), version);

    /// <summary>A request of the connection's own (handshakes), answered to this actor rather than to a requester.</summary>
    private void SendControl(IKafkaRequest body, short version)
    {
        SendEncoded(body, version, requester: null);
    }

    /// <summary>A request other than Produce, encoded whole into its envelope: the connection's own, or a requester's.</summary>
    private void SendEncoded(IKafkaRequest body, short version, Request? requester)
    {
        var request = SpareRequest();
        request.StartOther(body.ApiKey, requester);
        request.Sent(NextCorrelationId(), version, MonotonicClock.NowMs, expectsResponse: true);
        RequestEncoder.Encode(request.Envelope, body, version, request.CorrelationId, _options.ClientId);
        request.Segments.Add(new ArraySegment<byte>(request.Envelope.Buffer, 0, request.Envelope.WrittenCount));
        Write(request);
    }

    private void OnApiVersions(InFlightRequest request, ReadOnlySpan<byte> body)
    {
        var error = ApiVersionsResponse.PeekErrorCode(body);
        if (error == ErrorCode.UnsupportedVersion && request.Version > 0)
        {
            // Older brokers answer a too-new ApiVersions in the v0 layout; some send a body we can't read.
            // v0..2 share the layout that matters, so step down and ask again.
            SendApiVersions(request.Version >= 3 ? (short)2 : (short)0);
            return;
        }
        if (error != ErrorCode.None)
        {
            Fail(ErrorMapping.ToException(error, $"ApiVersions handshake with node {_endpoint}"));
            return;
        }
        var parsed = ApiVersionsResponse.Parse(body, request.Version);
        OnThrottleTime(ApiKey.ApiVersions, request.Version, parsed.ThrottleTimeMs);
        _versions = NegotiatedVersions.From(parsed);
        if (_options.Sasl is null) BecomeReady();
        else StartAuthentication();
    }

    private void BecomeReady()
    {
        _failedAttempts = 0;
        _failedConnectAttempts = 0;
        _ready = true;
        _lastActivityMs = MonotonicClock.NowMs;
        if (_options.ConnectionsMaxIdleMs >= 0)
            Timers.StartPeriodicTimer(IdleTimer, IdleCheck.Instance, TimeSpan.FromMilliseconds(Math.Max(10, _options.ConnectionsMaxIdleMs / 4)));
        Become(Ready);
        Context.Parent.Tell(new StateChanged(_endpoint.NodeId, true, null));
        _log.Debug("Connected to node {0}; Produce v{1}, Metadata v{2}", _endpoint, _versions!.Produce, _versions.Metadata);
        Pump();
    }

    // ---- authenticating -------------------------------------------------------------------------

    private void StartAuthentication()
    {
        var sasl = _options.Sasl!;
        if (_versions!.SaslHandshake < 1 || _versions.SaslAuthenticate < 0)
        {
            Fail(new SaslAuthenticationException(sasl.Mechanism,
                $"SASL {sasl.Mechanism}: node {_endpoint} does not offer SaslHandshake v1 and SaslAuthenticate (is its listener SASL, and is it Kafka 1.0 or later?)."));
            return;
        }
        _ready = false;
        _sasl = null;
        Become(Authenticating);
        var attempt = _attempt;
        sasl.CreateAsync(CancellationToken.None).AsTask().PipeTo(Self,
            success: client => new SaslClientCreated(client, attempt),
            failure: e => new SaslClientFailed(e is AggregateException { InnerException: { } inner } ? inner : e, attempt));
    }

    private void OnSaslResponse(ApiKey apiKey, short version, ReadOnlySpan<byte> body)
    {
        var sasl = _sasl!;
        var next = apiKey == ApiKey.SaslHandshake
            ? sasl.OnHandshake(SaslHandshakeResponse.Parse(body, version))
            : sasl.OnAuthenticate(SaslAuthenticateResponse.Parse(body, version));
        if (next is not null)
        {
            SendControl(next, _versions!.SaslAuthenticate);
            return;
        }
        _sasl = null;
        if (sasl.SessionLifetimeMs > 0)
        {
            // KIP-368, as Java's client: re-authenticate at a random 85-95% of the session's lifetime.
            var at = sasl.SessionLifetimeMs * (0.85 + 0.1 * Random.Shared.NextDouble());
            Timers.StartSingleTimer(ReauthenticateTimer, ReauthenticationDue.Instance, TimeSpan.FromMilliseconds(at));
        }
        if (_reauthenticationDue)
        {
            _reauthenticationDue = false;
            _ready = true;
            _log.Debug("Re-authenticated with node {0} ({1})", _endpoint, sasl.Mechanism);
            Become(Ready);
            Pump();
            return;
        }
        BecomeReady();
    }

    // ---- sending ------------------------------------------------------------------------------

    private bool Enqueue(object message)
    {
        switch (message)
        {
            case SendBatch produce:
                _pendingProduce.Enqueue(produce);
                return true;
            case Request request:
                _pendingRequests.Enqueue(request);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Pumps once the messages already in the mailbox are handled, as Java's Sender drains what is ready each time it
    /// wakes: batches that partitions hand over together go in one request (one write, one answer, one wake-up of the
    /// socket's threads) instead of one request each. At most one pump is pending.
    /// </summary>
    private void SchedulePump()
    {
        if (_pumpDue) return;
        _pumpDue = true;
        Self.Tell(PumpDue.Instance);
    }

    /// <summary>Sends queued work while fewer than max.in.flight requests are unanswered.</summary>
    private void Pump()
    {
        if (_reauthenticationDue)
        {
            // Re-authenticate between requests: the broker must have answered all the others first.
            if (_inFlight.Count == 0) StartAuthentication();
            return;
        }
        var now = MonotonicClock.NowMs;
        if (_throttle.IsThrottled(now))
        {
            // KIP-219: the broker asked us to hold back; the timer pumps again when the throttle time is over.
            if (!Timers.IsTimerActive(ThrottleTimer))
                Timers.StartSingleTimer(ThrottleTimer, ThrottleElapsed.Instance, TimeSpan.FromMilliseconds(_throttle.RemainingMs(now)));
            return;
        }
        var versions = _versions!;
        while (_inFlight.Count < _options.MaxInFlight)
        {
            if (_pendingRequests.TryDequeue(out var request)) SendRequest(request, versions);
            else if (_pendingProduce.Count > 0) SendProduce(versions);
            else break;
        }
    }

    private void SendRequest(Request request, NegotiatedVersions versions)
    {
        var version = versions.For(request.Body.ApiKey);
        if (version < 0)
        {
            request.ReplyTo.Tell(new RequestFailed(request.Token, new ApiException(ErrorCode.UnsupportedVersion,
                $"Node {_endpoint} supports no version of {request.Body.ApiKey} that this client speaks ({ClientApiVersions.For(request.Body.ApiKey)})."), _endpoint.NodeId));
            return;
        }
        SendEncoded(request.Body, version, request);
    }

    private void SendProduce(NegotiatedVersions versions)
    {
        var inFlight = SpareRequest();
        inFlight.StartProduce();
        var batches = inFlight.Batches!;
        _pendingProduce.TakeRequest(_options.MaxRequestSize, batches);
        // A batch whose outcome is already reported (it expired while queued here) is not worth sending.
        var kept = 0;
        for (var i = 0; i < batches.Count; i++)
        {
            var p = batches[i];
            if (p.Batch.IsDone) p.ReplyTo.Tell(BatchResultOf(p, new KafkaTimeoutException("Not sent: the batch expired while queued for the connection.")));
            else batches[kept++] = p;
        }
        batches.RemoveRange(kept, batches.Count - kept);
        if (batches.Count == 0 || versions.Produce < 0)
        {
            if (batches.Count > 0)
            {
                var unsupported = new ApiException(ErrorCode.UnsupportedVersion, $"Node {_endpoint} supports no Produce version from {ClientApiVersions.Produce} (RecordBatch v2 needs v3+).");
                foreach (var p in batches) p.ReplyTo.Tell(BatchResultOf(p, unsupported));
            }
            Recycle(inFlight);
            return;
        }
        foreach (var p in batches) inFlight.Partitions.Add(PendingProduceQueue.ToPartitionData(p));
        var request = inFlight.ProduceRequest(_options.TransactionalId, _options.Acks, _options.RequestTimeoutMs);

        inFlight.Sent(NextCorrelationId(), versions.Produce, MonotonicClock.NowMs, expectsResponse: _options.Acks != 0);
        var length = request.EncodeGather(inFlight.Envelope, inFlight.Segments, versions.Produce, inFlight.CorrelationId, _options.ClientId);
        _nodeMetrics.RecordRequest(inFlight.RecordCount, length);
        Write(inFlight);
    }

    /// <summary>
    /// Writes the request's segments. A request's garbage is a few small objects whatever its size (the Tcp.Write and its
    /// ByteString; for Produce also each batch's BatchResult); Akka.IO adds a list per socket send
    /// and a ByteString per read (ProducerTcpConfig sets the frame size so that a request is one send).
    /// Only a request that gets no answer (acks=0) asks Akka.IO for a write ack: for the others the answer is the proof
    /// that the kernel (or the TLS transport, which copies a write) has read every byte, since the broker answers only
    /// a whole request. An ack per request would cost a message and, mostly, a thread wake-up (Akka.IO's connection
    /// actor acks from its own dispatcher's thread).
    /// </summary>
    private void Write(InFlightRequest request)
    {
        _lastActivityMs = request.SentMs;
        _inFlight[request.CorrelationId] = request;
        _nodeMetrics.SetInFlight(_inFlight.Count);
        _tcp!.Tell(request.ExpectsResponse
            ? Tcp.Write.Create(request.ToByteString())
            : Tcp.Write.Create(request.ToByteString(), new WriteAck(request.CorrelationId)));
        // Started with the first request and left running while requests follow; the first tick that finds
        // nothing in flight stops it (CheckRequestTimeouts), so busy connections don't restart it per request.
        if (!Timers.IsTimerActive(TimeoutTimer)) Timers.StartPeriodicTimer(TimeoutTimer, TimeoutTick.Instance, _options.TimeoutCheckInterval);
    }

    /// <summary>An acks=0 request is in the kernel: it is done, its batches delivered (the broker sends no answer).</summary>
    private void OnWritten(int correlationId)
    {
        if (!_inFlight.TryGetValue(correlationId, out var request)) return;
        request.Written = true;
        // The mock answers acks=0 anyway; that answer is ignored. Offsets stay unknown.
        foreach (var p in request.Batches!) p.ReplyTo.Tell(new BatchResult(p.Batch, ErrorCode.None, -1, -1, null, null));
        request.Answered = true;
        Forget(request);
        Recycle(request);
    }

    /// <summary>A request to fill: a done one when there is one (the pool holds at most max.in.flight + 1).</summary>
    private InFlightRequest SpareRequest() => _spareRequests.TryPop(out var request) ? request : new InFlightRequest();

    /// <summary>
    /// Takes back a request that is done: answered (so the kernel no longer reads its envelope or batches) and its
    /// answer handled, written with acks=0 and acknowledged by Akka.IO, or never written at all.
    /// </summary>
    private void Recycle(InFlightRequest request)
    {
        request.Clear();
        if (_spareRequests.Count <= _options.MaxInFlight) _spareRequests.Push(request);
    }

    private int NextCorrelationId() => _nextCorrelationId = _nextCorrelationId == int.MaxValue ? 0 : _nextCorrelationId + 1;

    // ---- receiving ----------------------------------------------------------------------------

    private void OnReceived(ByteString data)
    {
        _lastActivityMs = MonotonicClock.NowMs;
        var span = _decoder.GetAppendSpan(data.Count);
        data.CopyTo(ref span, 0, data.Count);
        _decoder.Commit(data.Count);
        try
        {
            while (_decoder.TryReadFrame(out var frame))
            {
                OnFrame(frame);
                if (_tcp is null) return; // the frame failed the connection
            }
        }
        catch (KafkaProtocolException e)
        {
            Fail(new NetworkException($"Malformed response from node {_endpoint}: {e.Message}", e));
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        var correlationId = ResponseHeader.PeekCorrelationId(frame);
        // acks=0 requests get no answer from real brokers (librdkafka's mock answers anyway): ignore it.
        if (!_inFlight.TryGetValue(correlationId, out var request) || request.Answered || !request.ExpectsResponse)
        {
            _log.Debug("Ignoring a response with unknown correlation id {0} from node {1}", correlationId, _endpoint);
            return;
        }
        var reader = new ProtocolReader(frame);
        ResponseHeader.Read(ref reader, request.ApiKey, request.Version);
        var body = frame[reader.Position..];
        // Answered means written: the broker answers only a request it has read whole (see Write).
        request.Answered = true;
        request.Written = true;
        Forget(request);
        try
        {
            OnResponse(request, body);
        }
        finally
        {
            Recycle(request);
        }
    }

    private void OnResponse(InFlightRequest request, ReadOnlySpan<byte> body)
    {
        if (request.ApiKey is not (ApiKey.Produce or ApiKey.ApiVersions))
            OnThrottleTime(request.ApiKey, request.Version, ResponseThrottle.PeekLeading(request.ApiKey, request.Version, body));

        switch (request.ApiKey)
        {
            case ApiKey.ApiVersions when request.Request is null:
                OnApiVersions(request, body);
                break;
            case ApiKey.SaslHandshake or ApiKey.SaslAuthenticate when request.Request is null:
                try
                {
                    OnSaslResponse(request.ApiKey, request.Version, body);
                }
                catch (AuthenticationException refused)
                {
                    Fail(refused);
                }
                break;
            case ApiKey.Produce when request.Batches is not null:
                _produced.Clear();
                var throttleTimeMs = ProduceResponse.ParseInto(body, request.Version, _produced, _topicNames, out var nodeEndpoints);
                _nodeMetrics.RecordLatency(MonotonicClock.NowMs - request.SentMs);
                OnProduceAnswered(request);
                OnThrottleTime(ApiKey.Produce, request.Version, throttleTimeMs);
                OnProduceResponse(request, _produced, nodeEndpoints);
                _produced.Clear();
                break;
            default:
                var r = request.Request!;
                r.ReplyTo.Tell(new Response(r.Token, request.ApiKey, request.Version, body.ToArray(), _endpoint.NodeId));
                break;
        }
    }

    /// <summary>Steers the producer's buffer limit by how many of our requests this answer says wait at the broker.</summary>
    private void OnProduceAnswered(InFlightRequest request)
    {
        if (_options.BufferLimit is not { } limit) return;
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        // Forgotten before its answer is handled: counted in flight with the others still out.
        var inFlight = _inFlight.Count + 1;
        limit.OnProduceAnswer(_brokerQueue.OnAnswer(now - request.SentTimestamp, inFlight, now), MonotonicClock.NowMs);
    }

    private void OnProduceResponse(InFlightRequest request, List<PartitionProduceResponse> partitions, List<ProduceNodeEndpoint>? nodeEndpoints)
    {
        foreach (var p in request.Batches!)
        {
            var tp = p.Batch.TopicPartition;
            var found = false;
            foreach (var result in partitions)
            {
                if (result.Partition != tp.Partition || result.Topic != tp.Topic) continue;
                p.ReplyTo.Tell(new BatchResult(p.Batch, result.ErrorCode, result.BaseOffset, result.LogAppendTimeMs, result.ErrorMessage, null,
                    Leader: result.CurrentLeaderId >= 0 && result.CurrentLeaderEpoch >= 0 ? LeaderHintOf(tp, result, nodeEndpoints, _endpoint.NodeId) : null,
                    RecordErrors: result.RecordErrors));
                found = true;
                break;
            }
            if (!found) p.ReplyTo.Tell(BatchResultOf(p, new NetworkException($"Produce response from node {_endpoint} had no result for {tp}.")));
        }
    }

    private static Metadata.MetadataActor.LeaderHint LeaderHintOf(TopicPartition tp, PartitionProduceResponse result, List<ProduceNodeEndpoint>? nodeEndpoints, int answeredBy)
    {
        Metadata.BrokerNode? node = null;
        if (nodeEndpoints is { } endpoints)
            foreach (var e in endpoints)
                if (e.NodeId == result.CurrentLeaderId) node = new Metadata.BrokerNode(e.NodeId, e.Host, e.Port, e.Rack);
        return new Metadata.MetadataActor.LeaderHint(tp, result.CurrentLeaderId, result.CurrentLeaderEpoch, node, answeredBy);
    }

    /// <summary>
    /// Every response's throttle time goes to produce-throttle-time-avg/max (as Java's throttle-time sensor, 0 for
    /// responses without one); one the client must honour mutes sending, and the requests already in flight get that
    /// much longer before they time out, since the broker holds them back too (Java's incrementThrottleTime).
    /// </summary>
    private void OnThrottleTime(ApiKey apiKey, short version, int throttleTimeMs)
    {
        _metrics.RecordThrottleTime(Math.Max(0, throttleTimeMs));
        if (!_throttle.OnResponse(apiKey, version, throttleTimeMs, MonotonicClock.NowMs)) return;
        foreach (var request in _inFlight.Values) request.ThrottleMs += throttleTimeMs;
        _log.Debug("Node {0} throttled this client for {1} ms ({2} v{3} response); sending resumes after that", _endpoint, throttleTimeMs, apiKey, version);
    }

    /// <summary>Java's Selector idle expiry: nothing in flight or queued for connections.max.idle.ms closes the socket, failing nothing.</summary>
    private void CheckIdle()
    {
        if (!_ready || _inFlight.Count > 0 || _pendingProduce.Count > 0 || _pendingRequests.Count > 0) return;
        var idleMs = MonotonicClock.NowMs - _lastActivityMs;
        if (idleMs < _options.ConnectionsMaxIdleMs) return;
        _log.Debug("Closing the connection to node {0}: idle for {1} ms (connections.max.idle.ms = {2})", _endpoint, idleMs, _options.ConnectionsMaxIdleMs);
        DropSocket(Tcp.Close.Instance);
        Timers.Cancel(TimeoutTimer);
        Become(Idle); // the next work opens a new connection
    }

    /// <summary>Closes (or aborts) the socket and forgets everything tied to it: versions, authentication, its timers.</summary>
    private void DropSocket(Tcp.CloseCommand close)
    {
        _tcp?.Tell(close);
        _tcp = null;
        _versions = null;
        _ready = false;
        _sasl = null;
        _reauthenticationDue = false;
        Timers.Cancel(ReauthenticateTimer);
        Timers.Cancel(IdleTimer);
        Timers.Cancel(ThrottleTimer);
    }

    private void Forget(InFlightRequest request)
    {
        _inFlight.Remove(request.CorrelationId);
        _nodeMetrics.SetInFlight(_inFlight.Count);
    }

    // ---- failure ------------------------------------------------------------------------------

    private void CheckRequestTimeouts()
    {
        if (_inFlight.Count == 0)
        {
            Timers.Cancel(TimeoutTimer); // nothing left to time: the next request starts it again
            return;
        }
        var now = MonotonicClock.NowMs;
        foreach (var request in _inFlight.Values)
        {
            if (request.Answered || now - request.SentMs < _options.RequestTimeoutMs + request.ThrottleMs) continue;
            Fail(new KafkaTimeoutException($"Disconnected from node {_endpoint} due to timeout: no answer to {request.ApiKey} (correlation id {request.CorrelationId}) within request.timeout.ms = {_options.RequestTimeoutMs} ms."));
            return;
        }
    }

    /// <summary>Drops the socket and fails everything this connection held, so owners can retry; reconnects after a backoff.</summary>
    private void Fail(Exception cause)
    {
        Timers.Cancel(TimeoutTimer);
        FailAll(cause);
        _failedAttempts++;
        // Java's ClusterConnectionStates: the setup timeout grows with failures of the connection attempt itself
        // and starts over after a failure of a connection that was set up.
        _failedConnectAttempts = _connecting ? _failedConnectAttempts + 1 : 0;
        if (_connecting) _addresses.OnConnectFailed();
        else _addresses.OnConnectionLost();
        _connecting = false;
        if (cause is AuthenticationException) _log.Warning("{0}", cause.Message);
        var backoff = ExponentialBackoff.For(_options.ReconnectBackoffMs, _options.ReconnectBackoffMaxMs, _failedAttempts);
        _log.Debug("{0}; reconnecting in {1} ms", cause.Message, (long)backoff.TotalMilliseconds);
        Context.Parent.Tell(new StateChanged(_endpoint.NodeId, false, cause));
        Timers.StartSingleTimer(ReconnectTimer, ReconnectDue.Instance, backoff);
        Become(Backoff);
    }

    private void FailAll(Exception cause, bool graceful = false)
    {
        // A failed connection is aborted; a stopping one is closed so writes already queued (acks=0
        // batches counted as sent) still reach the broker instead of being reset away.
        DropSocket(graceful ? Tcp.Close.Instance : Tcp.Abort.Instance);
        foreach (var request in _inFlight.Values)
        {
            if (!request.Answered)
            {
                // Unanswered, the write may still be reading the batches' payloads: their owners must not reuse them.
                if (request.Batches is not null)
                    foreach (var p in request.Batches) p.ReplyTo.Tell(BatchResult.Failed(p.Batch, cause, writeConfirmed: request.Written));
                if (request.Request is { } r) r.ReplyTo.Tell(new RequestFailed(r.Token, cause, _endpoint.NodeId));
            }
            // An unanswered write may still be read by the socket: leave its envelope to the GC, never reuse it.
            if (request.Written) Recycle(request);
        }
        _inFlight.Clear();
        _nodeMetrics.SetInFlight(0);
        foreach (var p in _pendingProduce.TakeAll()) p.ReplyTo.Tell(BatchResultOf(p, cause));
        while (_pendingRequests.TryDequeue(out var r)) r.ReplyTo.Tell(new RequestFailed(r.Token, cause, _endpoint.NodeId));
    }

    private static BatchResult BatchResultOf(SendBatch p, Exception cause) => BatchResult.Failed(p.Batch, cause);

    private static string Describe(Tcp.ConnectionClosed closed) => closed switch
    {
        Tcp.ErrorClosed error => error.Cause ?? "socket error",
        Tcp.PeerClosed => "closed by the broker",
        Tcp.Aborted => "aborted",
        _ => closed.GetType().Name,
    };

    protected override void PostStop()
    {
        FailAll(new NetworkException($"Connection to node {_endpoint} closed: the producer stopped."), graceful: true);
        _decoder.Dispose();
        while (_spareRequests.TryPop(out var spare)) spare.Envelope.Dispose();
    }
}
