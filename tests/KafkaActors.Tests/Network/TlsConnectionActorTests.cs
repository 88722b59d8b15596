using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Akka.IO;
using KafkaActors.Errors;
using KafkaActors.Network.Transport;
using KafkaActors.Internal;
using KafkaActors.Producer;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Network;

/// <summary>
/// TlsConnectionActor against a real TLS server on loopback: it must behave towards its handler as an
/// Akka.IO TCP connection does (Connected, Register, Write acks in order, Received, the close events) and
/// report failed handshakes and connects as CommandFailed with a cause that says what went wrong.
/// </summary>
public sealed class TlsConnectionActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public TlsConnectionActorTests(ITestOutputHelper output) : base(ActorTestConfig.Hocon, output) =>
        ProducerDispatcher.EnsureRegistered(Sys);

    private sealed class Ack(int index) : Tcp.Event
    {
        public int Index { get; } = index;

        public override string ToString() => $"Ack({Index})";
    }

    private IActorRef Start(DnsEndPoint remote, Func<string, Action<string>, SslClientAuthenticationOptions>? options = null, IActorRef? commander = null)
    {
        var transport = Sys.ActorOf(TlsConnectionActor.Props(remote, options ?? TlsTestCertificates.TrustingCa(), 0, 0, TimeSpan.FromSeconds(10), commander ?? TestActor));
        Watch(transport);
        return transport;
    }

    /// <summary>Connects, expects Connected from the transport itself, and registers <paramref name="handler"/> (the test actor by default).</summary>
    private IActorRef ConnectAndRegister(LoopbackTlsServer server, IActorRef? handler = null)
    {
        var transport = Start(server.EndPoint);
        var connected = ExpectMsg<Tcp.Connected>(Wait);
        Assert.Equal(transport, LastSender);
        Assert.Equal(server.Port, ((IPEndPoint)connected.RemoteAddress).Port);
        transport.Tell(new Tcp.Register(handler ?? TestActor, keepOpenOnPeerClosed: false, useResumeWriting: true), TestActor);
        return transport;
    }

    /// <summary>Counts what the client sends until it closes; the count is the session's result.</summary>
    private static Func<SslStream, Task> Sink(TaskCompletionSource<long> total, Task? beforeClosing = null) => async stream =>
    {
        var buffer = new byte[64 * 1024];
        long count = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0) count += read;
        total.TrySetResult(count);
        if (beforeClosing is not null) await beforeClosing;
        await stream.ShutdownAsync();
    };

    /// <summary>A write of random bytes cut into <paramref name="segments"/> pieces, each a slice (with an offset) of a larger array.</summary>
    private static (Tcp.Write Write, byte[] Bytes) MultiSegmentWrite(Random random, int size, int segments, int ack)
    {
        var bytes = new byte[size];
        random.NextBytes(bytes);
        var pieces = new List<ArraySegment<byte>>(segments);
        var position = 0;
        for (var i = 0; i < segments; i++)
        {
            var length = i == segments - 1 ? size - position : random.Next(0, size - position + 1);
            var backing = new byte[length + 7];
            Array.Copy(bytes, position, backing, 3, length);
            pieces.Add(new ArraySegment<byte>(backing, 3, length));
            position += length;
        }
        return (Tcp.Write.Create(ByteString.FromBytes(pieces), new Ack(ack)), bytes);
    }

    [Fact]
    public async Task Tls_echo_returns_multi_segment_writes_byte_for_byte_and_acks_them_in_order()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, LoopbackTlsServer.Echo);
        var transport = ConnectAndRegister(server);

        // Many small writes (gathered into shared TLS records), an empty one, and large ones that are cut across
        // write buffers: about 9 MiB in all.
        var random = new Random(20261201);
        var sizes = new List<int>();
        for (var i = 0; i < 1500; i++) sizes.Add(random.Next(1, 3000));
        sizes.Add(0);
        sizes.AddRange([1 << 20, 3 * (1 << 20) + 12345, 600 * 1024, 100, 256 * 1024, 256 * 1024 + 1, 2 * (1 << 20)]);
        for (var i = 0; i < 200; i++) sizes.Add(random.Next(100, 200));

        var sent = new MemoryStream();
        for (var i = 0; i < sizes.Count; i++)
        {
            var (write, bytes) = MultiSegmentWrite(random, sizes[i], 1 + random.Next(Math.Min(40, sizes[i] + 1)), i);
            sent.Write(bytes);
            transport.Tell(write, TestActor);
        }

        var received = new MemoryStream();
        var nextAck = 0;
        while (nextAck < sizes.Count || received.Length < sent.Length)
        {
            var message = ReceiveOne(Wait) ?? throw new TimeoutException($"Stuck at ack {nextAck} of {sizes.Count}, {received.Length} of {sent.Length} bytes echoed.");
            Assert.Equal(transport, LastSender);
            switch (message)
            {
                case Ack ack:
                    Assert.Equal(nextAck++, ack.Index);
                    break;
                case Tcp.Received data:
                    received.Write(data.Data.ToArray());
                    break;
                default:
                    Assert.Fail($"Unexpected {message}");
                    break;
            }
        }
        Assert.Equal(sent.Length, received.Length);
        Assert.True(sent.GetBuffer().AsSpan(0, (int)sent.Length).SequenceEqual(received.GetBuffer().AsSpan(0, (int)received.Length)), "The echoed bytes differ from those sent.");

        transport.Tell(Tcp.Close.Instance, TestActor);
        ExpectMsg<Tcp.Closed>(Wait);
        ExpectTerminated(transport, Wait);
        Assert.Null(await server.NextSessionOutcome(Wait));
    }

    [Fact]
    public async Task Tls_writes_sent_before_register_go_out_after_it_and_nothing_is_read_before_it()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, async stream =>
        {
            await stream.WriteAsync("hello"u8.ToArray());
            await LoopbackTlsServer.Echo(stream);
        });
        var transport = Start(server.EndPoint);
        ExpectMsg<Tcp.Connected>(Wait);
        transport.Tell(Tcp.Write.Create(ByteString.FromString("early"), new Ack(1)), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // neither read nor written without a handler

        transport.Tell(new Tcp.Register(TestActor), TestActor);
        var text = "";
        var acked = false;
        while (text != "helloearly" || !acked)
        {
            var message = ReceiveOne(Wait) ?? throw new TimeoutException($"Got '{text}', acked: {acked}.");
            if (message is Ack { Index: 1 }) acked = true;
            else text += Assert.IsType<Tcp.Received>(message).Data.ToString();
        }
        transport.Tell(Tcp.Abort.Instance, TestActor);
        ExpectMsg<Tcp.Aborted>(Wait);
    }

    [Fact]
    public async Task Tls_server_closing_first_is_PeerClosed_and_stops_the_transport()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, stream => stream.ShutdownAsync());
        var transport = ConnectAndRegister(server);

        ExpectMsg<Tcp.PeerClosed>(Wait);
        Assert.Equal(transport, LastSender);
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public async Task Tls_Close_flushes_queued_writes_then_answers_Closed()
    {
        var total = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, Sink(total));
        var transport = ConnectAndRegister(server);

        var random = new Random(7);
        long sent = 0;
        for (var i = 0; i < 8; i++)
        {
            var (write, bytes) = MultiSegmentWrite(random, 300 * 1024, 5, i);
            sent += bytes.Length;
            transport.Tell(write, TestActor);
        }
        transport.Tell(Tcp.Close.Instance, TestActor);

        for (var i = 0; i < 8; i++) Assert.Equal(i, ExpectMsg<Ack>(Wait).Index);
        ExpectMsg<Tcp.Closed>(Wait);
        ExpectTerminated(transport, Wait);
        Assert.Equal(sent, await total.Task.WaitAsync(Wait));
        Assert.Null(await server.NextSessionOutcome(Wait)); // a clean end of stream, not a reset
    }

    [Fact]
    public async Task Tls_writes_after_a_close_request_are_refused_with_CommandFailed()
    {
        var total = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, Sink(total));
        var transport = ConnectAndRegister(server);
        var (first, bytes) = MultiSegmentWrite(new Random(5), 512 * 1024, 3, 0);
        transport.Tell(first, TestActor);
        transport.Tell(Tcp.Close.Instance, TestActor);
        var late = Tcp.Write.Create(ByteString.FromString("late"), new Ack(1));
        transport.Tell(late, TestActor);

        // Up to the close event, in whatever order the refusal and the ack come: the write is acked before it. On a
        // loaded machine the close can complete before the late write is handled: the transport has stopped by then
        // and the write goes to dead letters, as Akka.IO's does. Either way it is never sent.
        var messages = new List<object>();
        while (messages.Count < 10 && messages.LastOrDefault() is not Tcp.Closed) messages.Add(ReceiveOne(Wait)!);
        Assert.All(messages.OfType<Tcp.CommandFailed>(), refused => Assert.Same(late, refused.Cmd));
        Assert.True(messages.OfType<Tcp.CommandFailed>().Count() <= 1);
        Assert.Equal(0, Assert.Single(messages.OfType<Ack>()).Index);
        Assert.IsType<Tcp.Closed>(messages[^1]);
        Assert.Equal(bytes.Length, await total.Task.WaitAsync(Wait)); // the late write never went out
    }

    [Fact]
    public async Task Tls_ConfirmedClose_sends_our_end_and_answers_ConfirmedClosed_only_once_the_peer_closes()
    {
        var total = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var peerMayClose = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, Sink(total, peerMayClose.Task));
        var transport = ConnectAndRegister(server);

        var (write, bytes) = MultiSegmentWrite(new Random(3), 1 << 20, 9, 0);
        transport.Tell(write, TestActor);
        transport.Tell(Tcp.ConfirmedClose.Instance, TestActor);

        ExpectMsg<Ack>(Wait);
        // The server read our end of stream (close_notify + FIN) while the transport still waits for its end.
        Assert.Equal(bytes.Length, await total.Task.WaitAsync(Wait));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        peerMayClose.SetResult();
        ExpectMsg<Tcp.ConfirmedClosed>(Wait);
        ExpectTerminated(transport, Wait);
        Assert.Null(await server.NextSessionOutcome(Wait));
    }

    [Fact]
    public async Task Tls_Abort_answers_Aborted_and_resets_the_connection()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, async stream =>
        {
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer) > 0) { }
            throw new InvalidOperationException("A clean end of stream, not a reset.");
        });
        var transport = ConnectAndRegister(server);
        transport.Tell(Tcp.Write.Create(ByteString.FromString("x"), new Ack(0)), TestActor);
        ExpectMsg<Ack>(Wait);

        transport.Tell(Tcp.Abort.Instance, TestActor);
        ExpectMsg<Tcp.Aborted>(Wait);
        ExpectTerminated(transport, Wait);
        Assert.IsType<IOException>(await server.NextSessionOutcome(Wait));
    }

    [Fact]
    public async Task Tls_untrusted_server_certificate_fails_the_connect_with_the_validators_reason()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.UntrustedServer, LoopbackTlsServer.Echo);
        var transport = Start(server.EndPoint);

        var failed = ExpectMsg<Tcp.CommandFailed>(Wait);
        Assert.IsType<Tcp.Connect>(failed.Cmd);
        Assert.True(failed.Cause.HasValue);
        var cause = Assert.IsType<SslAuthenticationException>(failed.Cause.Value);
        Assert.Contains("not signed by a trusted CA", cause.Message);
        Assert.Contains("CN=localhost", cause.Message);
        Assert.Contains($"127.0.0.1:{server.Port}", cause.Message);
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public async Task Tls_protocol_mismatch_fails_the_connect_with_the_servers_alert()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, LoopbackTlsServer.Echo, protocols: SslProtocols.Tls12);
        var transport = Start(server.EndPoint, TlsTestCertificates.TrustingCa(SslProtocols.Tls13));

        var failed = ExpectMsg<Tcp.CommandFailed>(Wait);
        var cause = Assert.IsType<SslAuthenticationException>(failed.Cause.Value);
        Output.WriteLine(cause.Message);
        Assert.StartsWith($"TLS handshake with 127.0.0.1:{server.Port} failed: ", cause.Message);
        Assert.Contains("alert", cause.Message); // what the TLS stack said, not .NET's "see inner exception"
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public async Task Tls12_server_requiring_a_client_certificate_we_do_not_send_fails_the_connect()
    {
        // .NET's own server checks a client certificate only after its handshake is done, so this takes OpenSSL's.
        await using var server = await OpenSslServer.StartAsync("-tls1_2 -Verify 1");
        var transport = Start(server.EndPoint);

        var failed = ExpectMsg<Tcp.CommandFailed>(Wait);
        var cause = Assert.IsType<SslAuthenticationException>(failed.Cause.Value);
        Output.WriteLine(cause.Message);
        Assert.StartsWith($"TLS handshake with 127.0.0.1:{server.Port} failed: ", cause.Message);
        Assert.Contains("alert handshake failure", cause.Message);
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public async Task Tls13_server_requiring_a_client_certificate_we_do_not_send_ends_the_connection_as_an_authentication_failure()
    {
        // In TLS 1.3 our side of the handshake ends before the server has checked us: Connected, then the refusal
        // arrives with the first read, and is reported as an authentication failure rather than a lost connection.
        await using var server = await OpenSslServer.StartAsync("-tls1_3 -Verify 1");
        var transport = Start(server.EndPoint);
        ExpectMsg<Tcp.Connected>(Wait);
        transport.Tell(new Tcp.Register(TestActor), TestActor);

        var closed = ExpectMsg<TlsConnectionActor.SslAuthenticationFailed>(Wait);
        Output.WriteLine(closed.Cause);
        Assert.True(closed.IsErrorClosed);
        Assert.StartsWith($"TLS handshake with 127.0.0.1:{server.Port} failed: ", closed.Error.Message);
        Assert.Contains("alert certificate required", closed.Error.Message);
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public async Task Tls_layer_failure_on_the_first_read_is_an_authentication_failure()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, async (_, socket) =>
        {
            await socket.SendAsync(LoopbackTlsServer.ForgedRecord());
            await Task.Delay(TimeSpan.FromSeconds(5));
        });
        ConnectAndRegister(server);

        var closed = ExpectMsg<TlsConnectionActor.SslAuthenticationFailed>(Wait);
        Output.WriteLine(closed.Cause);
        Assert.Contains("refused the connection right after the handshake", closed.Error.Message);
    }

    [Fact]
    public async Task Tls_layer_failure_after_data_was_received_is_an_ErrorClosed()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, async (stream, socket) =>
        {
            await stream.WriteAsync("hello"u8.ToArray());
            await stream.FlushAsync();
            await Task.Delay(200); // so "hello" is read on its own
            await socket.SendAsync(LoopbackTlsServer.ForgedRecord());
            await Task.Delay(TimeSpan.FromSeconds(5));
        });
        var transport = ConnectAndRegister(server);
        Assert.Equal("hello", ExpectMsg<Tcp.Received>(Wait).Data.ToString());

        var closed = ExpectMsg<Tcp.ErrorClosed>(Wait);
        Output.WriteLine(closed.Cause);
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public void Tls_refused_port_fails_the_connect_with_a_socket_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var transport = Start(new DnsEndPoint("127.0.0.1", port));

        var failed = ExpectMsg<Tcp.CommandFailed>(Wait);
        var cause = Assert.IsType<SocketException>(failed.Cause.Value);
        Assert.Equal(SocketError.ConnectionRefused, cause.SocketErrorCode);
        ExpectTerminated(transport, Wait);
    }

    [Fact]
    public async Task Tls_handshake_that_never_completes_fails_the_connect_with_a_timeout_within_the_connect_timeout()
    {
        // A listener that takes the TCP connection but never answers the ClientHello.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accepted = listener.AcceptSocketAsync();
            var transport = Sys.ActorOf(TlsConnectionActor.Props(new DnsEndPoint("127.0.0.1", port), TlsTestCertificates.TrustingCa(), 0, 0, TimeSpan.FromMilliseconds(500), TestActor));
            Watch(transport);

            var failed = ExpectMsg<Tcp.CommandFailed>(Wait);
            Assert.Equal(SocketError.TimedOut, Assert.IsType<SocketException>(failed.Cause.Value).SocketErrorCode);
            ExpectTerminated(transport, Wait);
            (await accepted).Dispose();
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tls_connects_by_host_name_trying_each_resolved_address()
    {
        // The server listens on 127.0.0.1 only; "localhost" may resolve to ::1 first, which refuses.
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, LoopbackTlsServer.Echo);
        var transport = Start(new DnsEndPoint("localhost", server.Port));
        var connected = ExpectMsg<Tcp.Connected>(Wait);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)connected.RemoteAddress).Address);
        transport.Tell(new Tcp.Register(TestActor), TestActor);
        transport.Tell(Tcp.Write.Create(ByteString.FromString("ping"), new Ack(0)), TestActor);
        ExpectMsg<Ack>(Wait);
        Assert.Equal("ping", ExpectMsg<Tcp.Received>(Wait).Data.ToString());
        transport.Tell(Tcp.ConfirmedClose.Instance, TestActor);
        ExpectMsg<Tcp.ConfirmedClosed>(Wait);
    }

    [Fact]
    public async Task Tls_handler_death_stops_the_transport_and_drops_the_connection()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, LoopbackTlsServer.Echo);
        var handler = CreateTestProbe();
        var transport = ConnectAndRegister(server, handler.Ref);
        transport.Tell(Tcp.Write.Create(ByteString.FromString("ping"), new Ack(0)), handler.Ref);
        handler.ExpectMsg<Ack>(Wait);

        Sys.Stop(handler.Ref);
        ExpectTerminated(transport, Wait);
        await server.NextSessionOutcome(Wait); // the server's session ended: the socket is gone
    }

    [Fact]
    public async Task Tls_commander_death_before_register_stops_the_transport()
    {
        await using var server = new LoopbackTlsServer(TlsTestCertificates.Server, LoopbackTlsServer.Echo);
        var commander = CreateTestProbe();
        var transport = Start(server.EndPoint, commander: commander.Ref);
        commander.ExpectMsg<Tcp.Connected>(Wait);

        Sys.Stop(commander.Ref);
        ExpectTerminated(transport, Wait);
        await server.NextSessionOutcome(Wait);
    }
}
