using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaActors.Settings;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Network;

/// <summary>
/// socket.connection.setup.timeout.ms grows per consecutive failed attempt up to .max.ms (Java's
/// ClusterConnectionStates). A listener accepts TCP and never answers the TLS handshake, so every attempt
/// runs into its setup timeout; the listener measures how long each attempt stayed before the producer gave up.
/// Only lower bounds are checked: load can make an attempt last longer, never shorter.
/// </summary>
public sealed class ConnectionSetupTimeoutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_failed_attempt_gets_a_longer_setup_timeout_up_to_the_max()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var attempts = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var silent = Task.Run(async () =>
        {
            var open = new List<Task>();
            while (!stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptSocketAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                open.Add(Task.Run(async () =>
                {
                    // Read the ClientHello and whatever follows, answer nothing, until the producer closes.
                    var accepted = Stopwatch.GetTimestamp();
                    var buffer = new byte[4096];
                    try
                    {
                        while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token) > 0) { }
                    }
                    catch (Exception)
                    {
                        // reset by the producer, or stopped
                    }
                    lock (attempts) attempts.Add(Stopwatch.GetElapsedTime(accepted));
                    socket.Dispose();
                }));
            }
            await Task.WhenAll(open);
        });

        await using (var producer = Producers.Strings($"127.0.0.1:{port}",
                         (ProducerConfig.SecurityProtocol, "SSL"),
                         (ProducerConfig.SocketConnectionSetupTimeoutMs, "200"),
                         (ProducerConfig.SocketConnectionSetupTimeoutMaxMs, "1600")))
        {
            // 200, 400, 800, 1600, 1600 ms (±20%) plus backoffs: five attempts in about six seconds.
            await Poll.Until(() => { lock (attempts) return attempts.Count >= 5; }, TimeSpan.FromSeconds(30),
                () => { lock (attempts) return $"{attempts.Count} attempt(s) so far: {string.Join(", ", attempts.Select(a => $"{a.TotalMilliseconds:0} ms"))}"; });
        }
        stop.Cancel();
        listener.Stop();
        await silent;

        List<double> ms;
        lock (attempts) ms = attempts.Take(5).Select(a => a.TotalMilliseconds).ToList();
        var shown = string.Join(", ", ms.Select(m => $"{m:0} ms"));
        output.WriteLine($"attempts lasted {shown}");
        // The terms with the jitter's lower edge (0.8) and a few ms of timer slack; without growth every one would be ~200 ms.
        Assert.True(ms[0] >= 150, shown);
        Assert.True(ms[1] >= 300, shown);
        Assert.True(ms[2] >= 600, shown);
        Assert.True(ms[3] >= 1200, shown);
        Assert.True(ms[4] >= 1200, shown);
    }
}
