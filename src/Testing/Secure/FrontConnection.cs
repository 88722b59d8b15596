using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Relays one client connection to its mock broker: optional TLS on the client side, then a read loop that runs each
/// request frame through the handler pipeline and a write loop that sends the answers back in request order.
/// </summary>
/// <remarks>
/// Owned by its <see cref="FrontListener"/>. Two tasks touch it: the read loop (reads the client, writes the broker)
/// and the write loop (reads the broker, writes the client); each stream direction has exactly one user, which is what
/// SslStream and NetworkStream allow. The pipeline hands the write loop one <see cref="PendingResponse"/> per request
/// through a bounded channel, so the write loop knows for each slot whether to read the broker's next response (the
/// mock answers FIFO per connection) or to send a local answer. Frames live in pooled arrays, one per loop reused for
/// every frame it handles (renting a 1 MiB array per frame missed the pool often enough to count in the benchmarks'
/// bytes per record, which the relay shares a process with). A deferred decision
/// (<see cref="FrameActionKind.Defer"/>) holds the read loop, and the frame, until it completes. When the client goes
/// away the write loop still reads the broker's answers to the requests already forwarded, so a stage's
/// <see cref="IForwardedResponseHandler"/> learns each outcome; only a broker that closes loses them (OnResponseLost).
/// </remarks>
internal sealed class FrontConnection : IAsyncDisposable
{
    /// <summary>The mock accepts up to its receive.message.max.bytes (100 MB); allow a little more.</summary>
    private const int MaxFrameSize = 128 * 1024 * 1024;

    private const int ReadBufferSize = 64 * 1024;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _client;
    private readonly FrontSettings _settings;
    private readonly long _id;
    private readonly int _listenerPort;
    private readonly CancellationTokenSource _closing = new();
    private readonly Channel<PendingResponse> _pending = Channel.CreateBounded<PendingResponse>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private Stream? _clientStream;
    // Reads of a plain socket go through a buffer, so a frame's size prefix and body usually take one receive call.
    // SslStream buffers on its own. Only the read side is buffered: writes go to the stream directly.
    private Stream? _clientReads;
    private Socket? _upstream;
    private NetworkStream? _upstreamStream;
    private Stream? _upstreamReads;

    public FrontConnection(Socket client, FrontSettings settings, long id, int listenerPort)
    {
        _client = client;
        _settings = settings;
        _id = id;
        _listenerPort = listenerPort;
    }

    /// <summary>Runs until either side closes or a handler closes the connection; never throws.</summary>
    public async Task RunAsync()
    {
        _settings.Counters.ConnectionAccepted();
        try
        {
            _client.NoDelay = true;
            Stream stream = new NetworkStream(_client, ownsSocket: true);
            _clientStream = stream;
            _clientReads = new BufferedStream(stream, ReadBufferSize);
            X509Certificate2? clientCertificate = null;
            if (_settings.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                _clientStream = ssl;
                _clientReads = ssl;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                timeout.CancelAfter(HandshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsServerAsync(tls.CreateOptions(), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
                {
                    _settings.Counters.TlsHandshakeFailed();
                    return;
                }
                clientCertificate = ssl.RemoteCertificate as X509Certificate2;
            }

            var info = new FrontConnectionInfo(_id, _settings.BrokerId, _client.RemoteEndPoint, clientCertificate);
            var handlers = _settings.CreatePipeline(info);

            _upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token))
            {
                connectTimeout.CancelAfter(HandshakeTimeout);
                await _upstream.ConnectAsync(_settings.Upstream, connectTimeout.Token).ConfigureAwait(false);
            }
            _upstreamStream = new NetworkStream(_upstream, ownsSocket: false);
            _upstreamReads = new BufferedStream(_upstreamStream, ReadBufferSize);

            var writing = WriteLoopAsync();
            try
            {
                await ReadLoopAsync(handlers).ConfigureAwait(false);
            }
            finally
            {
                // Even after a failed read (a client reset, a request a stage could not parse) the write loop drains the
                // slots already queued: the broker's answers to forwarded requests tell stages what was appended.
                await writing.ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // A closed peer, a refused upstream (broker down), Dispose, or a request a stage could not parse (Kafka
            // closes on those too): whatever it was, it ends this connection only.
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
            // Slots the write loop never reached: their answers are lost with the broker connection.
            while (_pending.Reader.TryRead(out var orphan)) orphan.Handler?.OnResponseLost();
            _settings.Counters.ConnectionClosed();
        }
    }

    /// <summary>Closes both sides; the loops end with an exception they swallow.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_closing.IsCancellationRequested)
        {
            try { _closing.Cancel(); } catch (ObjectDisposedException) { }
        }
        _pending.Writer.TryComplete();
        if (_clientStream is { } client) await client.DisposeAsync().ConfigureAwait(false);
        else _client.Dispose();
        if (_upstreamStream is { } upstreamStream) await upstreamStream.DisposeAsync().ConfigureAwait(false);
        _upstream?.Dispose();
    }

    private async Task ReadLoopAsync(IFrameHandler[] handlers)
    {
        var client = _clientReads!;
        var upstream = _upstreamStream!;
        var token = _closing.Token;
        var sizeBuffer = new byte[4];
        byte[] buffer = [];
        try
        {
            while (true)
            {
                if (!await ReadExactlyOrEndAsync(client, sizeBuffer, token).ConfigureAwait(false))
                    return;
                var size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                if (size is < 10 or > MaxFrameSize)
                    return; // not Kafka, or bigger than any broker accepts: Kafka closes too
                buffer = AtLeast(buffer, size + 4); // the last frame is done with: its decision and its forwarding are awaited
                BinaryPrimitives.WriteInt32BigEndian(buffer, size);
                await client.ReadExactlyAsync(buffer.AsMemory(4, size), token).ConfigureAwait(false);
                var frame = new KafkaRequestFrame(buffer.AsMemory(4, size));
                _settings.Log.RequestArrived(_settings.BrokerId, _listenerPort, _id, in frame);
                var action = await DecideAsync(handlers, frame).ConfigureAwait(false);
                switch (action.Kind)
                {
                    case FrameActionKind.Pass:
                    case FrameActionKind.Forward:
                    case FrameActionKind.ForwardWithoutResponse:
                        // Queue the slot first: its response can only arrive after the write below.
                        try
                        {
                            await _pending.Writer.WriteAsync(PendingResponse.Forwarded(action, frame), token).ConfigureAwait(false);
                        }
                        catch
                        {
                            action.ResponseHandler?.OnResponseLost(); // never sent: the broker never saw it
                            throw;
                        }
                        if (action.Request is { } replacement)
                            await WriteFrameAsync(upstream, replacement, token).ConfigureAwait(false);
                        else
                            await upstream.WriteAsync(buffer.AsMemory(0, size + 4), token).ConfigureAwait(false);
                        if (action.CloseAfterResponse) return;
                        break;
                    case FrameActionKind.Ignore:
                        break;
                    case FrameActionKind.Respond:
                        await _pending.Writer.WriteAsync(PendingResponse.Local(action.Response!, action.CloseAfterResponse, frame), token).ConfigureAwait(false);
                        if (action.CloseAfterResponse) return;
                        break;
                    default:
                        await _pending.Writer.WriteAsync(PendingResponse.CloseConnection, token).ConfigureAwait(false);
                        return;
                }
            }
        }
        finally
        {
            if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
            // The write loop drains what is queued, then ends the connection.
            _pending.Writer.TryComplete();
        }
    }

    /// <summary>A loop's frame buffer, grown (from the pool) when a frame does not fit it.</summary>
    private static byte[] AtLeast(byte[] buffer, int size)
    {
        if (buffer.Length >= size) return buffer;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        return ArrayPool<byte>.Shared.Rent(size);
    }

    private static async ValueTask<FrameAction> DecideAsync(IFrameHandler[] handlers, KafkaRequestFrame frame)
    {
        for (var i = 0; i < handlers.Length; i++)
        {
            var action = handlers[i].OnRequest(in frame);
            // The frame's buffer is returned only after this method: it stays valid while the decision is pending.
            if (action.Kind == FrameActionKind.Defer)
                action = await action.Decision!.ConfigureAwait(false);
            if (action.Kind == FrameActionKind.Defer)
                throw new InvalidOperationException("A deferred decision must not defer again.");
            if (action.Kind != FrameActionKind.Pass)
                return action;
        }
        return FrameAction.Pass;
    }

    private async Task WriteLoopAsync()
    {
        var client = _clientStream!;
        var upstream = _upstreamReads!;
        var token = _closing.Token;
        var sizeBuffer = new byte[4];
        byte[] buffer = [];
        var clientGone = false;
        PendingResponse? current = null;
        try
        {
            await foreach (var pending in _pending.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                current = pending;
                if (pending.Kind == PendingKind.Close)
                    return;
                if (pending.Kind == PendingKind.Local)
                {
                    current = null;
                    if (!clientGone) clientGone = !await TryWriteClientAsync(client, Sent(pending, pending.Response!), token).ConfigureAwait(false);
                    if (pending.CloseAfter) return;
                    continue;
                }

                if (!await ReadExactlyOrEndAsync(upstream, sizeBuffer, token).ConfigureAwait(false))
                    return; // the broker closed (set down, or an injected transport error): so do we
                var size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                if (size is < 4 or > MaxFrameSize)
                    return;
                buffer = AtLeast(buffer, size + 4); // the last answer is written (or handled) already
                sizeBuffer.CopyTo(buffer, 0);
                await upstream.ReadExactlyAsync(buffer.AsMemory(4, size), token).ConfigureAwait(false);
                current = null; // the answer arrived: from here on it is handled, not lost
                if (pending.Handler is null && !pending.DropResponse && pending.Rewriter is null)
                {
                    // The common case, relayed as it came (Fetch answers can be large): no copy.
                    if (!clientGone)
                    {
                        LogSent(pending, buffer.AsSpan(4, size));
                        clientGone = !await TryWriteClientAsync(client, buffer.AsMemory(0, size + 4), token).ConfigureAwait(false);
                    }
                }
                else
                {
                    byte[]? answer;
                    if (pending.Handler is { } handler) answer = handler.OnResponse(buffer.AsSpan(4, size));
                    else if (pending.DropResponse) answer = null;
                    else answer = pending.Rewriter!(buffer.AsSpan(4, size));
                    if (answer is not null && !clientGone)
                        clientGone = !await TryWriteClientAsync(client, Sent(pending, answer), token).ConfigureAwait(false);
                }
                if (pending.CloseAfter) return;
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
        }
        finally
        {
            if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
            current?.Handler?.OnResponseLost();
            // A FIN after the last response (rather than a reset) lets the client read it; closing also ends a read
            // loop blocked on the client.
            try { _client.Shutdown(SocketShutdown.Send); } catch (Exception e) when (IsConnectionFailure(e)) { }
            try { _closing.Cancel(); } catch (ObjectDisposedException) { }
            _client.Dispose();
            _upstream?.Dispose();
        }
    }

    /// <summary>
    /// Writes one answer to the client; false when the client has gone. Then the read loop is woken (it ends), and the
    /// write loop goes on reading the broker's answers to the requests already forwarded, so stages learn their outcomes.
    /// </summary>
    private async ValueTask<bool> TryWriteClientAsync(Stream client, byte[] frameWithoutSize, CancellationToken token)
    {
        try
        {
            await WriteFrameAsync(client, frameWithoutSize, token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsConnectionFailure(e) && !token.IsCancellationRequested)
        {
            try { _client.Shutdown(SocketShutdown.Both); } catch (Exception f) when (IsConnectionFailure(f)) { }
            return false;
        }
    }

    /// <inheritdoc cref="TryWriteClientAsync(Stream, byte[], CancellationToken)"/>
    private async ValueTask<bool> TryWriteClientAsync(Stream client, ReadOnlyMemory<byte> frameWithSize, CancellationToken token)
    {
        try
        {
            await client.WriteAsync(frameWithSize, token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsConnectionFailure(e) && !token.IsCancellationRequested)
        {
            try { _client.Shutdown(SocketShutdown.Both); } catch (Exception f) when (IsConnectionFailure(f)) { }
            return false;
        }
    }

    /// <inheritdoc cref="LogSent"/>
    private byte[] Sent(PendingResponse pending, byte[] frame)
    {
        LogSent(pending, frame);
        return frame;
    }

    /// <summary>
    /// A response about to go to the client: sets the throttle time injected for this broker (see <see cref="FrontFaults"/>),
    /// if any, in place, and logs the response.
    /// </summary>
    private void LogSent(PendingResponse pending, Span<byte> frame)
    {
        var throttleMs = _settings.Faults.Throttle(frame, _settings.BrokerId, pending.ApiKey, pending.ApiVersion);
        var correlationId = frame.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(frame) : -1;
        _settings.Log.ResponseSent(_settings.BrokerId, _listenerPort, _id, pending.ApiKey, correlationId, throttleMs);
    }

    private static async ValueTask WriteFrameAsync(Stream stream, byte[] frameWithoutSize, CancellationToken token)
    {
        // One write, so TLS sends one record rather than a 4-byte one plus the rest.
        var buffer = ArrayPool<byte>.Shared.Rent(frameWithoutSize.Length + 4);
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer, frameWithoutSize.Length);
            frameWithoutSize.CopyTo(buffer, 4);
            await stream.WriteAsync(buffer.AsMemory(0, frameWithoutSize.Length + 4), token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Fills <paramref name="buffer"/>, or returns false on a clean end of stream before its first byte.</summary>
    private static async ValueTask<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken token)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, token).ConfigureAwait(false);
        if (read == buffer.Length) return true;
        if (read == 0) return false;
        throw new EndOfStreamException("The peer closed the connection inside a frame.");
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or ChannelClosedException or AuthenticationException;

    private enum PendingKind
    {
        Forwarded,
        Local,
        Close,
    }

    /// <summary>One response slot, in request order.</summary>
    private readonly record struct PendingResponse(
        PendingKind Kind, byte[]? Response, bool CloseAfter, bool DropResponse, ResponseRewriter? Rewriter,
        IForwardedResponseHandler? Handler, short ApiKey, short ApiVersion)
    {
        public static readonly PendingResponse CloseConnection = new(PendingKind.Close, null, true, false, null, null, -1, -1);

        public static PendingResponse Forwarded(FrameAction action, in KafkaRequestFrame request) =>
            new(PendingKind.Forwarded, null, action.CloseAfterResponse, action.Kind == FrameActionKind.ForwardWithoutResponse, action.Rewriter,
                action.ResponseHandler, request.ApiKey, request.ApiVersion);

        public static PendingResponse Local(byte[] response, bool closeAfter, in KafkaRequestFrame request) =>
            new(PendingKind.Local, response, closeAfter, false, null, null, request.ApiKey, request.ApiVersion);
    }
}

/// <summary>
/// What every connection of one broker's listeners shares: the broker to relay to, TLS settings, counters, injected
/// faults, the pipeline factory and the request log. Immutable; thread-safe.
/// </summary>
internal sealed record FrontSettings(
    int BrokerId,
    IPEndPoint Upstream,
    FrontTls? Tls,
    SecureFrontCounters Counters,
    FrontFaults Faults,
    Func<FrontConnectionInfo, IFrameHandler[]> CreatePipeline,
    FrontRequestLog Log);

/// <summary>The server side of TLS for all listeners of one front: certificate, protocols, client-certificate policy. Immutable; thread-safe.</summary>
internal sealed class FrontTls(SslStreamCertificateContext certificate, SslProtocols protocols, TestCertificateAuthority? clientAuthority)
{
    public SslServerAuthenticationOptions CreateOptions()
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            EnabledSslProtocols = protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = clientAuthority is not null,
        };
        if (clientAuthority is { } authority)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null) return false;
                var x509 = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return authority.Validates(x509);
            };
        }
        return options;
    }
}
