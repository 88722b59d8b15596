using System.Net;
using System.Net.Sockets;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.RawLog;

/// <summary>
/// A small blocking Kafka connection for test oracles: one request at a time, every call bounded by a
/// timeout. Uses the project's own protocol encoders, which are checked against librdkafka elsewhere.
/// </summary>
internal sealed class BlockingKafkaConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly FrameDecoder _decoder = new();
    private readonly TimeSpan _timeout;
    private int _correlationId;

    public BlockingKafkaConnection(string host, int port, TimeSpan timeout)
    {
        _timeout = timeout;
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (!_socket.ConnectAsync(host, port).Wait(timeout))
        {
            _socket.Dispose();
            throw new TimeoutException($"Connecting to {host}:{port} took longer than {timeout}.");
        }
        _socket.SendTimeout = (int)timeout.TotalMilliseconds;
    }

    public static BlockingKafkaConnection Connect(string hostPort, TimeSpan timeout)
    {
        var colon = hostPort.LastIndexOf(':');
        return new BlockingKafkaConnection(hostPort[..colon], int.Parse(hostPort[(colon + 1)..]), timeout);
    }

    /// <summary>Sends <paramref name="request"/> and returns its response body.</summary>
    public byte[] Send(IKafkaRequest request, short version)
    {
        var correlationId = ++_correlationId;
        using (var frame = new PooledBufferWriter())
        {
            RequestEncoder.Encode(frame, request, version, correlationId, "kafka-actors-raw-log-reader");
            var bytes = frame.WrittenSpan;
            while (!bytes.IsEmpty) bytes = bytes[_socket.Send(bytes)..];
        }
        var deadline = DateTime.UtcNow + _timeout;
        while (true)
        {
            if (_decoder.TryReadFrame(out var frame))
            {
                var reader = new ProtocolReader(frame);
                var actual = ResponseHeader.Read(ref reader, request.ApiKey, version);
                if (actual != correlationId) throw new InvalidOperationException($"Correlation id {actual}, expected {correlationId}.");
                return frame[reader.Position..].ToArray();
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"No response to {request.ApiKey} within {_timeout}.");
            _socket.ReceiveTimeout = Math.Max(1, (int)left.TotalMilliseconds);
            var n = _socket.Receive(_decoder.GetAppendSpan(256 * 1024));
            if (n == 0) throw new IOException("The broker closed the connection.");
            _decoder.Commit(n);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _decoder.Dispose();
    }
}
