using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The front's listener for one mock broker: accepts on 127.0.0.1 (an ephemeral port) and runs a
/// <see cref="FrontConnection"/> per client. Owned by <see cref="SecureEmbeddedKafka"/>; thread-safe.
/// </summary>
internal sealed class FrontListener : IAsyncDisposable
{
    private static long _nextConnectionId;

    private readonly Socket _listener;
    private readonly FrontSettings _settings;
    private readonly ConcurrentDictionary<long, FrontConnection> _connections = new();
    private readonly Task _accepting;

    public FrontListener(FrontSettings settings)
    {
        _settings = settings;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The listening port on 127.0.0.1.</summary>
    public int Port { get; }

    public int BrokerId => _settings.BrokerId;

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // disposed
            }
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new FrontConnection(client, _settings, id);
            _connections[id] = connection;
            _ = RunAsync(id, connection);
        }
    }

    private async Task RunAsync(long id, FrontConnection connection)
    {
        // Off the accept loop: the TLS handshake must not delay the next accept.
        await Task.Yield();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>Stops accepting and closes every open connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        foreach (var connection in _connections.Values)
            await connection.DisposeAsync().ConfigureAwait(false);
    }
}
