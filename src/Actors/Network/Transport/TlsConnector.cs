using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using KafkaActors.Errors;

namespace KafkaActors.Network.Transport;

/// <summary>
/// Opens a <see cref="TlsChannel"/>: resolves the broker's host, connects to its addresses in turn (as a
/// <see cref="DnsEndPoint"/> connect does), then runs the TLS client handshake, all within the connect
/// timeout. A TLS failure becomes an <see cref="SslAuthenticationException"/> naming host:port and the
/// reason (the certificate validator's, when it rejected the broker's certificate); a TCP failure or a
/// timeout a <see cref="SocketException"/>. Stateless; safe to call from any thread.
/// </summary>
internal static class TlsConnector
{
    /// <param name="remote">The broker's host and port.</param>
    /// <param name="optionsFactory">Builds the handshake options for a target host; its certificate validation reports a rejection through the callback.</param>
    /// <param name="sendBufferBytes">send.buffer.bytes (SO_SNDBUF); 0 or less keeps the OS default.</param>
    /// <param name="receiveBufferBytes">receive.buffer.bytes (SO_RCVBUF); 0 or less keeps the OS default.</param>
    /// <param name="connectTimeout">Bounds the TCP connect and the TLS handshake together.</param>
    /// <param name="cancelled">Cancelled when the requesting actor stops: the attempt is dropped and nothing leaks.</param>
    public static async Task<TlsChannel> ConnectAsync(
        DnsEndPoint remote,
        Func<string, Action<string>, SslClientAuthenticationOptions> optionsFactory,
        int sendBufferBytes,
        int receiveBufferBytes,
        TimeSpan connectTimeout,
        CancellationToken cancelled)
    {
        string? rejection = null;
        var options = optionsFactory(remote.Host, reason => Volatile.Write(ref rejection, reason));
        options.TargetHost ??= remote.Host; // SNI and the host name check need it

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancelled);
        if (connectTimeout > TimeSpan.Zero) deadline.CancelAfter(connectTimeout);
        Socket socket;
        try
        {
            socket = await OpenSocketAsync(remote, sendBufferBytes, receiveBufferBytes, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancelled.IsCancellationRequested)
        {
            throw new SocketException((int)SocketError.TimedOut);
        }

        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
            var channel = new TlsChannel(socket, stream);
            // Should the actor stop before it takes the channel, this closes it; a second Dispose is harmless.
            cancelled.Register(static c => ((TlsChannel)c!).Abort(), channel);
            return channel;
        }
        catch (Exception e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException && !cancelled.IsCancellationRequested) throw new SocketException((int)SocketError.TimedOut);
            throw HandshakeFailure(remote, Volatile.Read(ref rejection), e);
        }
    }

    private static async Task<Socket> OpenSocketAsync(DnsEndPoint remote, int sendBufferBytes, int receiveBufferBytes, CancellationToken cancel)
    {
        var addresses = await Dns.GetHostAddressesAsync(remote.Host, cancel).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // Before connecting, so the TCP window scale matches the receive buffer.
                if (sendBufferBytes > 0) socket.SendBufferSize = sendBufferBytes;
                if (receiveBufferBytes > 0) socket.ReceiveBufferSize = receiveBufferBytes;
                await socket.ConnectAsync(new IPEndPoint(address, remote.Port), cancel).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private static Exception HandshakeFailure(DnsEndPoint remote, string? rejection, Exception e)
    {
        var target = $"{remote.Host}:{remote.Port}";
        if (rejection is not null) return new SslAuthenticationException($"TLS handshake with {target} failed: {rejection}", e);
        if (IsTls(e)) return new SslAuthenticationException($"TLS handshake with {target} failed: {Describe(e)}", e);
        // The connection dropped mid-handshake without a TLS alert (a reset, or a broker that is not
        // listening for TLS closing on our ClientHello): a network failure, worth a retry.
        if (IsSocketFailure(e, out var socket)) return socket;
        return new IOException($"Connection to {target} closed during the TLS handshake: {Describe(e)}", e);
    }

    /// <summary>Whether the socket under the TLS layer failed (a reset, say), rather than the TLS layer itself (an alert, a bad record).</summary>
    internal static bool IsSocketFailure(Exception e) => IsSocketFailure(e, out _);

    private static bool IsSocketFailure(Exception e, out SocketException socket)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException found)
            {
                socket = found;
                return true;
            }
        }
        socket = null!;
        return false;
    }

    private static bool IsTls(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is System.Security.Authentication.AuthenticationException) return true;
        return false;
    }

    /// <summary>The messages along an exception's chain, without .NET's "see inner exception" placeholders; says what the TLS stack says.</summary>
    internal static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            var message = inner.Message.Trim();
            if (message.Length == 0 || message.Contains("see inner exception", StringComparison.OrdinalIgnoreCase)) continue;
            if (!parts.Contains(message)) parts.Add(message);
        }
        return parts.Count == 0 ? e.GetType().Name : string.Join(": ", parts);
    }
}
