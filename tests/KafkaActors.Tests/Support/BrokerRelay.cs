using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KafkaActors.Tests.Support;

/// <summary>One request a <see cref="BrokerRelay"/> passed on: what it was, and when it arrived (Stopwatch ticks).</summary>
public sealed record RelayedRequest(short ApiKey, short Version, int CorrelationId, long ArrivedTicks, byte[] Frame);

/// <summary>One response a <see cref="BrokerRelay"/> passed on, and the throttle time it put into it (0: none).</summary>
public sealed record RelayedResponse(short ApiKey, int CorrelationId, long ForwardedTicks, int InjectedThrottleMs);

/// <summary>
/// A plain TCP relay in front of one embedded broker, standing for that broker in tests: it passes Kafka frames
/// both ways, records every request (the broker's view of when each arrived), counts connections, can write a
/// throttle time (KIP-219) into Produce responses, and can be stopped to make the broker unreachable at the address
/// clients know. Thread-safe. Not tied to the Secure front, so tests here need nothing of it.
/// </summary>
public sealed class BrokerRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RelayedRequest> _requests = new();
    private readonly ConcurrentQueue<RelayedResponse> _responses = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _open;
    private int _throttleResponses;

    public BrokerRelay(string target)
    {
        var colon = target.LastIndexOf(':');
        var host = target[..colon];
        _target = new IPEndPoint(host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host), int.Parse(target[(colon + 1)..]));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    /// <summary>host:port to give clients.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public int ConnectionsAccepted => Volatile.Read(ref _accepted);
    public int ConnectionsOpen => Volatile.Read(ref _open);

    public IReadOnlyList<RelayedRequest> Requests => _requests.ToArray();
    public IReadOnlyList<RelayedResponse> Responses => _responses.ToArray();

    /// <summary>The throttle time written into the next <see cref="ThrottleProduceResponses"/> Produce responses.</summary>
    public int ProduceThrottleMs { get; set; }

    /// <summary>How many more Produce responses get <see cref="ProduceThrottleMs"/>.</summary>
    public int ThrottleProduceResponses
    {
        get => Volatile.Read(ref _throttleResponses);
        set => Volatile.Write(ref _throttleResponses, value);
    }

    /// <summary>The broker is gone at this address: no new connections, and every open one is closed.</summary>
    public void Stop()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _sockets.Keys) Close(socket);
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
            // stopped
        }
        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            Interlocked.Increment(ref _open);
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(Socket client)
    {
        var broker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _sockets[client] = 0;
        _sockets[broker] = 0;
        var pending = new ConcurrentDictionary<int, (short ApiKey, short Version)>();
        try
        {
            await broker.ConnectAsync(_target, _stop.Token);
            var up = Pump(client, broker, frame => OnRequest(frame, pending));
            var down = Pump(broker, client, frame => OnResponse(frame, pending));
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // either side went away
        }
        finally
        {
            Close(client);
            Close(broker);
            Interlocked.Decrement(ref _open);
        }
    }

    private void OnRequest(byte[] frame, ConcurrentDictionary<int, (short, short)> pending)
    {
        var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
        var version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
        pending[correlationId] = (apiKey, version);
        _requests.Enqueue(new RelayedRequest(apiKey, version, correlationId, Stopwatch.GetTimestamp(), frame));
    }

    private void OnResponse(byte[] frame, ConcurrentDictionary<int, (short ApiKey, short Version)> pending)
    {
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (!pending.TryRemove(correlationId, out var request)) return;
        var injected = 0;
        if (request.ApiKey == 0 && request.Version >= 1 && ProduceThrottleMs > 0 && Interlocked.Decrement(ref _throttleResponses) >= 0)
        {
            // throttle_time_ms is the body's last field; flexible versions (9+) end with the top-level tagged fields,
            // which are empty (a single 0) unless the broker named leaders (KIP-951).
            var at = request.Version >= 9 ? (frame[^1] == 0 ? frame.Length - 5 : -1) : frame.Length - 4;
            if (at > 4)
            {
                BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), ProduceThrottleMs);
                injected = ProduceThrottleMs;
            }
        }
        _responses.Enqueue(new RelayedResponse(request.ApiKey, correlationId, Stopwatch.GetTimestamp(), injected));
    }

    /// <summary>Reads size-prefixed frames from one socket and writes them to the other, each seen by <paramref name="inspect"/> first.</summary>
    private async Task Pump(Socket from, Socket to, Action<byte[]> inspect)
    {
        var size = new byte[4];
        while (true)
        {
            if (!await ReadExactly(from, size)) return;
            var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
            if (!await ReadExactly(from, frame)) return;
            inspect(frame);
            await to.SendAsync(size, SocketFlags.None, _stop.Token);
            await to.SendAsync(frame, SocketFlags.None, _stop.Token);
        }
    }

    private async Task<bool> ReadExactly(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, _stop.Token);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    private void Close(Socket socket)
    {
        if (!_sockets.TryRemove(socket, out _)) return;
        try
        {
            socket.Close(0);
        }
        catch (Exception)
        {
            // already closed
        }
    }

    /// <summary>The topic names of a Metadata request frame (null: all topics).</summary>
    public static IReadOnlyList<string>? MetadataTopics(RelayedRequest request)
    {
        var frame = request.Frame.AsSpan();
        var flexible = request.Version >= 9;
        var at = 8;
        var clientIdLength = BinaryPrimitives.ReadInt16BigEndian(frame[at..]);
        at += 2 + Math.Max(0, (int)clientIdLength);
        if (flexible) SkipTaggedFields(frame, ref at);
        int count;
        if (flexible) count = (int)ReadUnsignedVarint(frame, ref at) - 1;
        else
        {
            count = BinaryPrimitives.ReadInt32BigEndian(frame[at..]);
            at += 4;
        }
        if (count < 0) return null;
        var topics = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (request.Version >= 10) at += 16; // topic id
            int length;
            if (flexible) length = (int)ReadUnsignedVarint(frame, ref at) - 1;
            else
            {
                length = BinaryPrimitives.ReadInt16BigEndian(frame[at..]);
                at += 2;
            }
            topics.Add(length < 0 ? "" : System.Text.Encoding.UTF8.GetString(frame.Slice(at, length)));
            at += Math.Max(0, length);
            if (flexible) SkipTaggedFields(frame, ref at);
        }
        return topics;
    }

    private static void SkipTaggedFields(ReadOnlySpan<byte> frame, ref int at)
    {
        var fields = ReadUnsignedVarint(frame, ref at);
        for (var i = 0; i < fields; i++)
        {
            ReadUnsignedVarint(frame, ref at); // tag
            at += (int)ReadUnsignedVarint(frame, ref at);
        }
    }

    private static uint ReadUnsignedVarint(ReadOnlySpan<byte> frame, ref int at)
    {
        uint value = 0;
        var shift = 0;
        while (true)
        {
            var b = frame[at++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
            shift += 7;
        }
    }
}
