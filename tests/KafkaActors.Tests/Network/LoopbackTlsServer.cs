using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Tests.Network;

/// <summary>
/// A TLS server on 127.0.0.1 for transport tests: accepts connections, runs the server handshake and then
/// the test's session function on each. <see cref="Sessions"/> yields each session's outcome (null when it
/// returned, the exception when the handshake or the session failed). Owned by one test; thread-safe.
/// </summary>
internal sealed class LoopbackTlsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly Func<SslStream, Socket, Task> _session;
    private readonly bool _requireClientCertificate;
    private readonly SslProtocols _protocols;
    private readonly System.Threading.Channels.Channel<Exception?> _outcomes = System.Threading.Channels.Channel.CreateUnbounded<Exception?>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public LoopbackTlsServer(X509Certificate2 certificate, Func<SslStream, Task> session, bool requireClientCertificate = false, SslProtocols protocols = SslProtocols.None)
        : this(certificate, (stream, _) => session(stream), requireClientCertificate, protocols)
    {
    }

    /// <param name="session">Runs after the handshake; also gets the raw socket, to send what no TLS stack would.</param>
    public LoopbackTlsServer(X509Certificate2 certificate, Func<SslStream, Socket, Task> session, bool requireClientCertificate = false, SslProtocols protocols = SslProtocols.None)
    {
        _certificate = certificate;
        _session = session;
        _requireClientCertificate = requireClientCertificate;
        _protocols = protocols;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoop();
    }

    public int Port { get; }

    public DnsEndPoint EndPoint => new("127.0.0.1", Port);

    /// <summary>Waits for the next session to end; its exception, or null.</summary>
    public async Task<Exception?> NextSessionOutcome(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _outcomes.Reader.ReadAsync(cts.Token);
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
            _ = Serve(client);
        }
    }

    private async Task Serve(Socket client)
    {
        Exception? outcome = null;
        try
        {
            await using var stream = new SslStream(new NetworkStream(client, ownsSocket: true));
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                ClientCertificateRequired = _requireClientCertificate,
                EnabledSslProtocols = _protocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // A required client certificate that is missing fails the handshake; any one that is sent would do.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => !_requireClientCertificate || certificate is not null,
            }, _stop.Token);
            await _session(stream, client);
        }
        catch (Exception e)
        {
            outcome = e;
        }
        finally
        {
            client.Dispose();
        }
        _outcomes.Writer.TryWrite(outcome);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    // ---- sessions -----------------------------------------------------------------------------

    /// <summary>A TLS 1.2/1.3 application-data record header and 32 bytes that no key decrypts: the client's next read fails in the TLS layer.</summary>
    public static byte[] ForgedRecord()
    {
        var record = new byte[5 + 32];
        record[0] = 0x17; // application_data
        record[1] = 0x03;
        record[2] = 0x03;
        record[4] = 32;
        Random.Shared.NextBytes(record.AsSpan(5));
        return record;
    }

    /// <summary>Writes back whatever it reads until the client closes, then closes too.</summary>
    public static async Task Echo(SslStream stream)
    {
        var buffer = new byte[37 * 1024]; // not a power of two, so echoed chunks do not line up with the client's
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0) await stream.WriteAsync(buffer.AsMemory(0, read));
        await stream.ShutdownAsync();
    }
}
