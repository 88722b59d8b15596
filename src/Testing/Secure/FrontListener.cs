using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// One address at which the front answers for a mock broker: accepts on 127.0.0.1 and runs a relaying connection per
/// client. Every broker has one that it advertises (<see cref="SecureEmbeddedKafka.Listener"/>); tests may add more
/// (<see cref="SecureEmbeddedKafka.AddListener"/>), e.g. a bootstrap address that Metadata does not name. A listener can
/// be stopped, so the broker is unreachable at this address while the broker itself stays up, and started again.
/// </summary>
/// <remarks>
/// Owned by its <see cref="SecureEmbeddedKafka"/>, which stops it on dispose. Thread-safe: <see cref="StopAsync"/> and
/// <see cref="Start"/> may be called from any thread (they serialize), the counters are read lock-free.
/// </remarks>
public sealed class FrontListener
{
    private static long _nextConnectionId;

    /// <summary>How long a stop waits for its closed connections to end (they end at once unless a stage's decision hangs).</summary>
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(10);

    private readonly FrontSettings _settings;
    private readonly ConcurrentDictionary<long, (FrontConnection Connection, Task Ended)> _connections = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private long _accepted;
    private bool _closed;

    internal FrontListener(FrontSettings settings)
    {
        _settings = settings;
        _listener = Bind(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptLoopAsync(_listener);
    }

    /// <summary>The listening port on 127.0.0.1; the same after a restart.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, for a client's bootstrap servers.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The mock broker this listener relays to.</summary>
    public int BrokerId => _settings.BrokerId;

    /// <summary>Whether it accepts connections now (false after <see cref="StopAsync"/> until <see cref="Start"/>).</summary>
    public bool IsListening => Volatile.Read(ref _listener) is not null;

    /// <summary>TCP connections this listener accepted, over its whole life (restarts included).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Its connections open now: accepted and not yet ended by either side.</summary>
    public int ConnectionsOpen => _connections.Count;

    internal FrontSettings Settings => _settings;

    /// <summary>
    /// Makes the broker unreachable at this address: stops accepting (connection attempts are refused) and closes every
    /// open connection of this listener, returning once they have ended (<see cref="ConnectionsOpen"/> is 0 then; it waits at most 10 s). The
    /// broker and its other listeners are untouched. Idempotent.
    /// </summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Listens again on the same <see cref="Port"/> after <see cref="StopAsync"/>; nothing if it listens. Throws a
    /// <see cref="SocketException"/> if another socket took the port meanwhile (ephemeral ports can be reused).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The front was disposed.</exception>
    public void Start()
    {
        _gate.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_listener is not null) return;
            var listener = Bind(Port);
            Volatile.Write(ref _listener, listener);
            _accepting = AcceptLoopAsync(listener);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"listener {Address} for broker {BrokerId} ({(IsListening ? "listening" : "stopped")}, accepted {ConnectionsAccepted}, open {ConnectionsOpen})";

    /// <summary>Stops for good (the front is disposed).</summary>
    internal async ValueTask CloseAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            await StopLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopLockedAsync()
    {
        var listener = Volatile.Read(ref _listener);
        if (listener is null) return;
        Volatile.Write(ref _listener, null);
        listener.Dispose();
        // Once the accept loop has ended no connection can be added, so the ones below are all there are.
        await _accepting.ConfigureAwait(false);
        var open = _connections.Values.ToArray();
        foreach (var (connection, _) in open)
            await connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(open.Select(c => c.Ended)).WaitAsync(EndTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A stage still waiting on a decision; the connection is closed and ends on its own.
        }
    }

    private static Socket Bind(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restart binds the port again while connections closed by the stop may still be in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // stopped
            }
            Interlocked.Increment(ref _accepted);
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new FrontConnection(client, _settings, id, Port);
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = (connection, ended.Task);
            _ = RunAsync(id, connection, ended);
        }
    }

    private async Task RunAsync(long id, FrontConnection connection, TaskCompletionSource ended)
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
            ended.TrySetResult();
        }
    }
}
