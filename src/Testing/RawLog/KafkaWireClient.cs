using System.Net;
using System.Net.Sockets;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.RawLog;

/// <summary>
/// A deliberately small, blocking Kafka client for test oracles and conformance tests: one socket, one
/// request in flight. Frames are written by our <see cref="RequestEncoder"/> (or <see cref="ProduceRequest.EncodeGather"/>)
/// and split by our <see cref="FrameDecoder"/>; the correlation id is checked with <see cref="ResponseHeader.Read"/>.
/// Every blocking call is bounded by <see cref="Timeout"/>, so a broker that never answers fails the test
/// instead of hanging it.
/// </summary>
internal sealed class KafkaWireClient : IDisposable
{
    public const string ClientId = "kafka-actors-test-client";

    private readonly Socket _socket;
    private readonly FrameDecoder _decoder = new(maxFrameSize: 16 * 1024 * 1024);
    private int _nextCorrelationId = 1000;

    private KafkaWireClient(Socket socket, EndPoint remote, TimeSpan timeout)
    {
        _socket = socket;
        Remote = remote;
        Timeout = timeout;
    }

    public EndPoint Remote { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Correlation id of the last request sent.</summary>
    public int LastCorrelationId { get; private set; }

    public static KafkaWireClient Connect(string host, int port, TimeSpan? timeout = null)
    {
        var t = timeout ?? TimeSpan.FromSeconds(5);
        var address = IPAddress.TryParse(host, out var ip)
            ? ip
            : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        var endpoint = new IPEndPoint(address, port);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // A non-blocking connect polled on this thread: a loopback listener answers at once or refuses. Waiting on
            // ConnectAsync's task instead depended on the thread pool to complete it, and a test process whose pool was
            // starved by blocking tests timed out connecting to a listening broker.
            socket.Blocking = false;
            try
            {
                socket.Connect(endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                if (!socket.Poll(t, SelectMode.SelectWrite) && !socket.Poll(0, SelectMode.SelectError))
                    throw new TimeoutException($"Connecting to {endpoint} took longer than {t}.");
                var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success) throw new SocketException((int)error);
            }
            socket.Blocking = true;
            socket.SendTimeout = (int)t.TotalMilliseconds;
            return new KafkaWireClient(socket, endpoint, t);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects to a <c>host:port</c> string (one entry of a bootstrap list).</summary>
    public static KafkaWireClient Connect(string hostPort, TimeSpan? timeout = null)
    {
        var (host, port) = ParseHostPort(hostPort);
        return Connect(host, port, timeout);
    }

    public static (string Host, int Port) ParseHostPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return (hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Encodes <paramref name="request"/> contiguously, sends it, and returns the body of its response.</summary>
    public byte[] Send(IKafkaRequest request, short version)
    {
        var correlationId = SendOnly(request, version);
        return Receive(request.ApiKey, version, correlationId);
    }

    /// <summary>Encodes and sends a request without waiting for its answer; returns the correlation id.</summary>
    public int SendOnly(IKafkaRequest request, short version)
    {
        var correlationId = NextCorrelationId();
        using var frame = new PooledBufferWriter();
        RequestEncoder.Encode(frame, request, version, correlationId, ClientId);
        SendAll(frame.WrittenSpan);
        return correlationId;
    }

    /// <summary>
    /// Sends a Produce request written by <see cref="ProduceRequest.EncodeGather"/>, all segments with
    /// one gather <see cref="Socket.Send(IList{ArraySegment{byte}})"/>, and returns the response body.
    /// <paramref name="segments"/> receives the segments that were sent (for inspection).
    /// </summary>
    public byte[] SendGather(ProduceRequest request, short version, List<ArraySegment<byte>>? segments = null)
    {
        var correlationId = NextCorrelationId();
        using var envelope = new PooledBufferWriter();
        segments ??= [];
        var length = request.EncodeGather(envelope, segments, version, correlationId, ClientId);
        var sent = _socket.Send(segments);
        if (sent != length)
        {
            // A blocking gather send of a few KiB goes out whole; finish it by hand if it did not.
            var flat = segments.SelectMany(s => s).ToArray();
            SendAll(flat.AsSpan(sent));
        }
        return Receive(ApiKey.Produce, version, correlationId);
    }

    /// <summary>Sends raw bytes (for hand-made frames).</summary>
    public void SendAll(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var n = _socket.Send(bytes);
            bytes = bytes[n..];
        }
    }

    /// <summary>
    /// Reads one size-prefixed frame, checks that it answers <paramref name="correlationId"/>, consumes
    /// the response header of <paramref name="key"/> at <paramref name="version"/>, and returns the body.
    /// </summary>
    public byte[] Receive(ApiKey key, short version, int correlationId)
    {
        var frame = ReceiveFrame();
        var reader = new ProtocolReader(frame);
        var actual = ResponseHeader.Read(ref reader, key, version);
        if (actual != correlationId)
            throw new InvalidOperationException($"Response correlation id {actual}, expected {correlationId} ({key} v{version}).");
        return frame[reader.Position..];
    }

    /// <summary>Reads one complete frame (without its size prefix).</summary>
    public byte[] ReceiveFrame()
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (_decoder.TryReadFrame(out var frame)) return frame.ToArray();
            var n = ReceiveSome(deadline);
            if (n == 0)
                throw new ConnectionClosedException($"{Remote} closed the connection ({_decoder.Buffered} bytes of a partial frame buffered).");
        }
    }

    /// <summary>
    /// Waits until the peer closes the connection (orderly FIN or a reset): true if it did within
    /// <paramref name="timeout"/>, false if it was still open. Bytes received meanwhile are kept for <see cref="ReceiveFrame"/>.
    /// </summary>
    public bool WaitForClose(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (true)
            {
                if (ReceiveSome(deadline) == 0) return true;
            }
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _decoder.Dispose();
    }

    private int ReceiveSome(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) throw new TimeoutException($"No complete response from {Remote} within {Timeout}.");
        _socket.ReceiveTimeout = Math.Max(1, (int)Math.Ceiling(left.TotalMilliseconds));
        try
        {
            var n = _socket.Receive(_decoder.GetAppendSpan(64 * 1024));
            _decoder.Commit(n);
            return n;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new TimeoutException($"No complete response from {Remote} within {Timeout}.", e);
        }
    }

    private int NextCorrelationId() => LastCorrelationId = _nextCorrelationId++;
}

/// <summary>The broker closed the connection before a complete response arrived.</summary>
internal sealed class ConnectionClosedException(string message) : IOException(message);
