using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Tests.Network;

/// <summary>
/// <c>openssl s_server</c> on 127.0.0.1 with <see cref="TlsTestCertificates.Server"/>, for handshakes .NET's
/// own server cannot produce: OpenSSL refuses a missing client certificate (<c>-Verify 1</c>) within the
/// handshake, as a Kafka broker with ssl.client.auth=required does. Serves one connection. Needs the openssl
/// command on PATH (it is in the build image). Owned by one test; not thread-safe.
/// </summary>
internal sealed class OpenSslServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private OpenSslServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public DnsEndPoint EndPoint => new("127.0.0.1", Port);

    /// <param name="arguments">Extra s_server options, e.g. <c>-tls1_3 -Verify 1</c>.</param>
    public static async Task<OpenSslServer> StartAsync(string arguments)
    {
        var directory = Directory.CreateTempSubdirectory("kafka-actors-tls-").FullName;
        var server = TlsTestCertificates.Server;
        await File.WriteAllTextAsync(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), TlsTestCertificates.Ca.ExportCertificatePem());

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var start = new ProcessStartInfo("openssl", $"s_server -accept 127.0.0.1:{port} -cert server.pem -key server.key -CAfile ca.pem -naccept 1 {arguments}")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("These tests need the openssl command on PATH.", e);
        }
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        // s_server prints ACCEPT once it listens.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("ACCEPT", StringComparison.Ordinal)) return new OpenSslServer(process, directory, port);
        throw new InvalidOperationException($"openssl s_server exited ({process.ExitCode}) without listening.");
    }

    /// <summary>Sends text to the connected client (s_server writes its standard input to the connection).</summary>
    public void Send(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    /// <summary>Kills the server process: the kernel closes its socket.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
